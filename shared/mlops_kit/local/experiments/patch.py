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
  ``ExperimentAnalytics`` builds its table.
"""

import functools
import json
import math
from datetime import datetime, timezone
from typing import Any

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
from moto.sagemaker.models import FakeTrialComponent, SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter
from moto.sagemakermetrics.responses import SageMakerMetricsResponse

from ..seams import install_once

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
            "Timestamp": _as_datetime(datum["Timestamp"]),
            "Step": datum.get("Step"),
        }
        metrics[datum["MetricName"]] = [*metrics.get(datum["MetricName"], []), point]
    component.metrics = metrics
    return json.dumps({"Errors": []})


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(float(value), tz=timezone.utc)


def metric_summaries(component: FakeTrialComponent) -> list[dict[str, Any]]:
    """TrialComponentMetricSummary per metric; Last is the latest point (ties: last logged)."""
    summaries = []
    for metric_name, points in list(component.metrics.items()):
        values = [point["Value"] for point in points]
        latest = max(enumerate(points), key=lambda item: (item[1]["Timestamp"], item[0]))[1]
        mean = sum(values) / len(values)
        summaries.append(
            {
                "MetricName": metric_name,
                "TimeStamp": latest["Timestamp"],
                "Max": max(values),
                "Min": min(values),
                "Last": latest["Value"],
                "Count": len(values),
                "Avg": mean,
                "StdDev": math.sqrt(sum((value - mean) ** 2 for value in values) / len(values)),
            }
        )
    return summaries


# --- Reading trial components: records, listing, search --------------------------------------


def trial_component_record(backend: SageMakerModelBackend, component: FakeTrialComponent) -> dict[str, Any]:
    """A trial component in the Search result's ``TrialComponent`` shape."""
    record = {
        "TrialComponentName": component.trial_component_name,
        "DisplayName": component.display_name,
        "TrialComponentArn": component.arn,
        "Status": component.status,
        "StartTime": component.start_time,
        "EndTime": component.end_time,
        "CreationTime": component.creation_time,
        "CreatedBy": component.created_by,
        "LastModifiedTime": component.last_modified_time,
        "LastModifiedBy": component.last_modified_by,
        "Parameters": dict(component.parameters),
        "InputArtifacts": dict(component.input_artifacts),
        "OutputArtifacts": dict(component.output_artifacts),
        "Metrics": metric_summaries(component),
        "MetadataProperties": component.metadata_properties,
        "Tags": list(component.tags),
        "Parents": _parents(backend, component.trial_component_name),
    }
    return {key: value for key, value in record.items() if value is not None}


def _parents(backend: SageMakerModelBackend, component_name: str) -> list[dict[str, str]]:
    return [
        {"TrialName": trial.trial_name, "ExperimentName": trial.experiment_name}
        for trial in list(backend.trials.values())
        if component_name in trial.trial_components
    ]


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
    created = _as_datetime(created)
    return (after is None or created > _as_datetime(after)) and (before is None or created < _as_datetime(before))


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


def matches_expression(record: dict[str, Any], expression: dict[str, Any]) -> bool:
    """Evaluate a Search ``SearchExpression`` (Filters, SubExpressions, Operator And/Or)."""
    if expression.get("NestedFilters"):
        raise ValidationError(
            "NestedFilters in a SearchExpression are not supported by the local backend; "
            "use Filters with a property path such as 'Parents.ExperimentName'."
        )
    results = [matches_filter(record, f) for f in expression.get("Filters", [])]
    results += [matches_expression(record, sub) for sub in expression.get("SubExpressions", [])]
    if not results:
        return True
    return any(results) if expression.get("Operator") == "Or" else all(results)


_COMPARISONS = {
    "Equals": lambda actual, expected: actual == expected,
    "NotEquals": lambda actual, expected: actual != expected,
    "GreaterThan": lambda actual, expected: actual > expected,
    "GreaterThanOrEqualTo": lambda actual, expected: actual >= expected,
    "LessThan": lambda actual, expected: actual < expected,
    "LessThanOrEqualTo": lambda actual, expected: actual <= expected,
    "Contains": lambda actual, expected: str(expected) in str(actual),
    "In": lambda actual, expected: str(actual) in [part.strip() for part in str(expected).split(",")],
}


def matches_filter(record: dict[str, Any], search_filter: dict[str, Any]) -> bool:
    """One Search filter; a path through a list (Parents, Tags) matches if any element does."""
    operator = search_filter.get("Operator", "Equals")
    values = property_values(record, search_filter["Name"])
    if operator == "Exists":
        return bool(values)
    if operator == "NotExists":
        return not values
    if operator not in _COMPARISONS:
        raise ValidationError(
            f"Operator '{operator}' is not one of {sorted([*_COMPARISONS, 'Exists', 'NotExists'])}."
        )
    compare = _COMPARISONS[operator]
    matched = []
    for actual in values:
        actual, expected = _comparable(actual, search_filter.get("Value"))
        try:
            matched.append(compare(actual, expected))
        except TypeError:
            matched.append(False)
    if operator == "NotEquals":
        return all(matched)
    return any(matched)


def _comparable(actual: Any, expected: Any) -> tuple[Any, Any]:
    if isinstance(actual, bool) or expected is None:
        return str(actual).lower() if isinstance(actual, bool) else actual, expected
    if isinstance(actual, (int, float)):
        try:
            return float(actual), float(expected)
        except (TypeError, ValueError):
            return str(actual), str(expected)
    if isinstance(actual, datetime):
        try:
            return _as_datetime(actual), datetime.fromisoformat(str(expected).replace("Z", "+00:00"))
        except ValueError:
            return actual.isoformat(), str(expected)
    return str(actual), str(expected)


def property_values(record: dict[str, Any], path: str) -> list[Any]:
    """Values at a dotted property path; metric and tag lists are keyed by name/key."""
    head, _, rest = path.partition(".")
    if head == "Tags" and rest:
        return [tag["Value"] for tag in record.get("Tags", []) if tag["Key"] == rest]
    if head == "Metrics" and rest:
        metric_name, _, statistic = rest.rpartition(".")
        by_name = {m["MetricName"]: m for m in record.get("Metrics", [])}
        if metric_name in by_name:
            return [by_name[metric_name].get(statistic)] if statistic in by_name[metric_name] else []
        return [by_name[rest]] if rest in by_name else []
    return [v for v in _walk(record, path.split(".")) if v is not None]


def _walk(node: Any, keys: list[str]) -> list[Any]:
    if isinstance(node, list):
        return [value for item in node for value in _walk(item, keys)]
    if not keys:
        if isinstance(node, dict) and ({"NumberValue", "StringValue"} & node.keys()):
            return [node.get("NumberValue", node.get("StringValue"))]
        return [node]
    if isinstance(node, dict) and keys[0] in node:
        return _walk(node[keys[0]], keys[1:])
    return []
