"""SageMaker Experiments as the SDK's ``Run`` and ``ExperimentAnalytics`` need them.

moto stores experiments, trials (run groups) and trial components (runs) but differs from
the service where the SDK depends on it, so this module:

- refuses to create an experiment, trial or trial component that exists (moto silently
  replaced it, wiping a run's parameters when ``load_run`` re-opened it) with the
  "already exists" ValidationException the SDK's load-or-create path expects;
- keeps the ``Tags`` given on create (``list_runs`` recognises runs by a tag);
- answers missing experiments, trials and trial components with ResourceNotFound;
- merges UpdateTrialComponent parameters and artifacts into the existing ones;
- stores every BatchPutMetrics data point (with or without ``Step``) and reports metric
  summaries (Count, Min, Max, Last, Avg, StdDev, TimeStamp);
- implements ListTrialComponents filters and sorting, and Search over
  ``ExperimentTrialComponent`` with filters on any property path (``Parents.ExperimentName``,
  ``Parameters.max_depth``, ``Metrics.validation:auc.Max``, ``Tags.key``), which is how
  ``ExperimentAnalytics`` builds its table (the record's shape in ``records``, the
  expression's evaluation in ``search_expressions``).
"""

import functools
import json
from datetime import datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
from moto.sagemaker.models import FakeTrialComponent, SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter
from moto.sagemakermetrics.responses import SageMakerMetricsResponse

from ..seams import install_once
from .records import as_datetime, metric_summaries, trial_component_record
from .search_expressions import matches_expression, property_values

SEAMS: list[tuple] = [  # Existence rules, tags, metrics, listing and search.
    ("moto.sagemaker.models.SageMakerModelBackend.create_experiment", "callable", ("experiment_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.describe_experiment", "callable", ("experiment_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.create_trial", "callable", ("trial_name", "experiment_name")),
    ("moto.sagemaker.models.SageMakerModelBackend.create_trial_component", "callable",
     ("trial_component_name", "parameters", "input_artifacts", "output_artifacts")),
    ("moto.sagemaker.models.SageMakerModelBackend.update_trial_component", "callable",
     ("trial_component_name", "parameters", "input_artifacts", "output_artifacts")),
    ("moto.sagemaker.models.SageMakerModelBackend.experiments", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.trials", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.trial_components", "backend_attribute"),
    ("moto.sagemaker.models.FakeTrialComponent.gen_metrics_response_object", "callable"),
    ("moto.sagemaker.responses.SageMakerResponse.create_experiment", "callable"),
    ("moto.sagemaker.responses.SageMakerResponse.create_trial", "callable"),
    ("moto.sagemaker.responses.SageMakerResponse.create_trial_component", "callable"),
    ("moto.sagemaker.responses.SageMakerResponse.list_trial_components", "callable"),
    ("moto.sagemaker.responses.SageMakerResponse.search", "callable"),
    ("moto.sagemaker.exceptions.ResourceNotFound", "class"),
    ("moto.sagemakermetrics.responses.SageMakerMetricsResponse.batch_put_metrics", "callable"),
]


DEFAULT_PAGE_SIZE = 50
_originals: dict[str, Any] = {}


def install() -> None:
    """Give experiments, trials and runs SageMaker's rules, metrics and search."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    patches = [
        (SageMakerModelBackend, "create_experiment", _create_experiment),
        (SageMakerModelBackend, "describe_experiment", _describe_experiment),
        (SageMakerModelBackend, "create_trial", _create_trial),
        (SageMakerModelBackend, "create_trial_component", _create_trial_component),
        (SageMakerModelBackend, "update_trial_component", _update_trial_component),
        (SageMakerResponse, "create_experiment", _keep_tags("create_experiment", "ExperimentName", "experiments")),
        (SageMakerResponse, "create_trial", _keep_tags("create_trial", "TrialName", "trials")),
        (SageMakerResponse, "create_trial_component",
         _keep_tags("create_trial_component", "TrialComponentName", "trial_components")),
        (SageMakerResponse, "list_trial_components", _list_trial_components),
        (SageMakerResponse, "search", _search),
        (SageMakerMetricsResponse, "batch_put_metrics", _batch_put_metrics),
        (FakeTrialComponent, "gen_metrics_response_object", metric_summaries),
    ]
    for owner, name, replacement in patches:
        _originals[f"{owner.__name__}.{name}"] = getattr(owner, name)
        setattr(owner, name, _wrapped(getattr(owner, name), replacement))


def _wrapped(original, replacement):
    """A fresh function carrying moto's name and signature (the seam check reads them)."""
    return functools.wraps(original)(lambda *args, **kwargs: replacement(*args, **kwargs))


def _original(owner: type, name: str):
    return _originals[f"{owner.__name__}.{name}"]


def _arn(backend: SageMakerModelBackend, kind: str, name: str) -> str:
    return arn_formatter(kind, name, backend.account_id, backend.region_name)


# --- Backend: existence rules -------------------------------------------------------------


def _already_exists(backend: SageMakerModelBackend, kind: str, name: str) -> ValidationError:
    return ValidationError(f"{kind.replace('-', ' ').capitalize()} '{_arn(backend, kind, name)}' already exists.")


def _create_experiment(self: SageMakerModelBackend, experiment_name: str) -> dict[str, str]:
    if experiment_name in self.experiments:
        raise _already_exists(self, "experiment", experiment_name)
    return _original(SageMakerModelBackend, "create_experiment")(self, experiment_name)


def _describe_experiment(self: SageMakerModelBackend, experiment_name: str) -> dict[str, Any]:
    _require_experiment(self, experiment_name)
    return _original(SageMakerModelBackend, "describe_experiment")(self, experiment_name)


def _require_experiment(backend: SageMakerModelBackend, experiment_name: str) -> None:
    if experiment_name not in backend.experiments:
        raise ResourceNotFound(
            f"Experiment '{_arn(backend, 'experiment', experiment_name)}' does not exist. "
            "Check the experiment name (the SDK's Run lower-cases it) or create the run first."
        )


def _stored_experiment_name(backend: SageMakerModelBackend, experiment_name: str) -> str:
    """The stored name, matched case-insensitively: the SDK's Run lower-cases the names it
    creates, while list_runs passes the learner's spelling through unchanged."""
    if experiment_name not in backend.experiments and experiment_name.lower() in backend.experiments:
        return experiment_name.lower()
    _require_experiment(backend, experiment_name)
    return experiment_name


def _create_trial(self: SageMakerModelBackend, trial_name: str, experiment_name: str) -> dict[str, str]:
    if trial_name in self.trials:
        raise _already_exists(self, "experiment-trial", trial_name)
    _require_experiment(self, experiment_name)
    return _original(SageMakerModelBackend, "create_trial")(self, trial_name, experiment_name)


def _create_trial_component(self: SageMakerModelBackend, trial_component_name: str, **kwargs: Any) -> dict[str, Any]:
    if trial_component_name in self.trial_components:
        raise _already_exists(self, "experiment-trial-component", trial_component_name)
    return _original(SageMakerModelBackend, "create_trial_component")(self, trial_component_name, **kwargs)


def _update_trial_component(self: SageMakerModelBackend, trial_component_name: str, **kwargs: Any) -> dict[str, str]:
    """Merge new parameters/artifacts into the existing ones, as the service does."""
    component = self.trial_components.get(trial_component_name)
    if component is None:
        raise ResourceNotFound(
            f"Trial component '{_arn(self, 'experiment-trial-component', trial_component_name)}' "
            "does not exist. It may have been deleted or the local server reset since the run "
            "started: start the run again with Run(...) or load_run(...)."
        )
    for field in ("parameters", "input_artifacts", "output_artifacts"):
        if kwargs.get(field):
            kwargs[field] = {**getattr(component, field), **kwargs[field]}
    return _original(SageMakerModelBackend, "update_trial_component")(self, trial_component_name, **kwargs)


# --- Responses: tags on create ---------------------------------------------------------------


def _keep_tags(action: str, name_param: str, collection: str):
    """Make a create action keep the request's Tags on the new object (moto drops them)."""

    def create_keeping_tags(self: SageMakerResponse) -> ActionResult:
        result = _original(SageMakerResponse, action)(self)
        created = getattr(self.sagemaker_backend, collection)[self._get_param(name_param)]
        created.tags = list(self._get_param("Tags") or [])
        return result

    return create_keeping_tags


# --- Metrics ---------------------------------------------------------------------------------


def _batch_put_metrics(self: SageMakerMetricsResponse) -> str:
    """Store each data point; a missing trial component fails each metric as the API reports it."""
    backend = sagemaker_backends[self.current_account][self.region]
    name = self._get_param("TrialComponentName")
    metric_data = self._get_param("MetricData") or []
    component = backend.trial_components.get(name)
    if component is None:
        errors = [{"Code": "VALIDATION_ERROR", "MetricIndex": index} for index in range(len(metric_data))]
        return json.dumps({"Errors": errors})
    metrics = dict(component.metrics)
    for datum in metric_data:
        point = {
            "Value": float(datum["Value"]),
            "Timestamp": as_datetime(datum["Timestamp"]),
            "Step": datum.get("Step"),
        }
        metrics[datum["MetricName"]] = [*metrics.get(datum["MetricName"], []), point]
    component.metrics = metrics
    return json.dumps({"Errors": []})


# --- Reading trial components: records, listing, search --------------------------------------


_SUMMARY_FIELDS = (
    "TrialComponentName",
    "TrialComponentArn",
    "DisplayName",
    "Status",
    "StartTime",
    "EndTime",
    "CreationTime",
    "CreatedBy",
    "LastModifiedTime",
    "LastModifiedBy",
)


def _list_trial_components(self: SageMakerResponse) -> ActionResult:
    backend = self.sagemaker_backend
    experiment_name = self._get_param("ExperimentName")
    trial_name = self._get_param("TrialName")
    if experiment_name:
        experiment_name = _stored_experiment_name(backend, experiment_name)
    if trial_name and trial_name not in backend.trials:
        raise ResourceNotFound(f"Trial '{_arn(backend, 'experiment-trial', trial_name)}' does not exist.")
    records = [trial_component_record(backend, c) for c in list(backend.trial_components.values())]
    records = [
        r
        for r in records
        if (not experiment_name or any(p["ExperimentName"] == experiment_name for p in r["Parents"]))
        and (not trial_name or any(p["TrialName"] == trial_name for p in r["Parents"]))
        and _created_within(r["CreationTime"], self._get_param("CreatedAfter"), self._get_param("CreatedBefore"))
    ]
    sort_key = "TrialComponentName" if self._get_param("SortBy") == "Name" else "CreationTime"
    records.sort(key=lambda r: r[sort_key], reverse=self._get_param("SortOrder", "Descending") == "Descending")
    page, next_token = _page(records, self._get_param("MaxResults"), self._get_param("NextToken"))
    summaries = [{k: r[k] for k in _SUMMARY_FIELDS if k in r} for r in page]
    return ActionResult({"TrialComponentSummaries": summaries, "NextToken": next_token})


def _created_within(created: datetime, after: Any, before: Any) -> bool:
    created = as_datetime(created)
    return (after is None or created > as_datetime(after)) and (before is None or created < as_datetime(before))


def _page(items: list, max_results: Any, next_token: Any) -> tuple[list, str | None]:
    start = int(next_token or 0)
    size = int(max_results or DEFAULT_PAGE_SIZE)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _search(self: SageMakerResponse) -> ActionResult:
    """Search trial components here; every other resource keeps moto's search."""
    if self._get_param("Resource") != "ExperimentTrialComponent":
        return _original(SageMakerResponse, "search")(self)
    backend = self.sagemaker_backend
    expression = self._get_param("SearchExpression") or {}
    records = [trial_component_record(backend, c) for c in list(backend.trial_components.values())]
    found = [r for r in records if matches_expression(r, expression)]
    sort_by = self._get_param("SortBy") or "LastModifiedTime"
    descending = (self._get_param("SortOrder") or "Descending") == "Descending"
    present = [r for r in found if _sort_value(r, sort_by) is not None]
    absent = [r for r in found if _sort_value(r, sort_by) is None]
    present.sort(key=lambda r: _sort_value(r, sort_by), reverse=descending)
    page, next_token = _page(present + absent, self._get_param("MaxResults"), self._get_param("NextToken"))
    return ActionResult({"Results": [{"TrialComponent": r} for r in page], "NextToken": next_token})


def _sort_value(record: dict[str, Any], path: str) -> Any:
    values = property_values(record, path)
    return values[0] if values else None
