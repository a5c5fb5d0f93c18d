"""The moto internals the kit's extensions rely on, checked before the server serves.

moto has no plugin API: the kit patches moto's own classes (see
reference/platform-notes.md, "Extending moto's server"). If an upgrade of moto renames
or reshapes one of those internals, the server refuses to start and names every missing
piece, instead of failing later on a learner's request.

Each entry of ``SEAMS`` is ``(dotted path, kind)`` or ``(dotted path, kind, parameter
names)``. Kinds:

- ``"module"``, ``"class"``, ``"attribute"``: the path resolves (to a class for "class");
- ``"callable"``: the path resolves to something callable whose signature has at least the
  given parameter names (seen through ``functools.wraps`` when the kit wrapped it);
- ``"backend_attribute"``: ``module.BackendClass.attr`` exists on a freshly built backend
  (for attributes set in ``__init__``, such as ``SageMakerModelBackend._models``);
- ``"kit_action"``: an action the kit adds to a response class (snake_case name) that
  moto must not implement already; if it does, ``verify_seams`` warns and the extension
  should keep moto's (``add_action`` does exactly that).
"""

import importlib
import inspect
import warnings
from functools import cache
from importlib.metadata import version

PINNED_MOTO_VERSION = "5.2.5"
KIT_MODULE_PREFIX = "mlops_kit."

SEAMS: list[tuple] = [
    # The server process: moto's WSGI app and request handler, served by werkzeug.
    ("moto.moto_server.werkzeug_app.DomainDispatcherApplication", "callable", ("create_app",)),
    ("moto.moto_server.werkzeug_app.create_backend_app", "callable", ("service",)),
    ("moto.moto_server.werkzeug_app.MotoRequestHandler", "class"),
    # Adding actions: dispatch by name among a response class's plain functions.
    ("moto.core.utils.method_names_from_class", "callable", ("clazz",)),
    ("moto.core.responses.BaseResponse.call_action", "callable"),
    ("moto.core.responses.BaseResponse._get_param", "callable", ("param_name", "if_none")),
    ("moto.core.responses.ActionResult", "callable", ("result",)),
    ("moto.sagemaker.responses.SageMakerResponse", "class"),
    ("moto.sagemaker.exceptions.ValidationError", "class"),
    # Backends reached from inside the server.
    ("moto.sagemaker.models.sagemaker_backends", "attribute"),
    ("moto.s3.models.s3_backends", "attribute"),
    # extensions/endpoints.py: model loading, endpoint lifecycle, runtime, Data Capture.
    ("moto.sagemaker.models.Model.__init__", "callable", ("vpc_config", "primary_container", "containers")),
    ("moto.sagemaker.models.FakeEndpoint.__init__", "callable",
     ("account_id", "region_name", "endpoint_name", "endpoint_config_name", "production_variants",
      "data_capture_config", "tags")),
    ("moto.sagemaker.models.FakeEndpointConfig.__init__", "callable", ("data_capture_config", "production_variants")),
    ("moto.sagemaker.models.FakeEndpoint._process_production_variants", "callable", ("production_variants",)),
    ("moto.sagemaker.models.FakeEndpoint.arn_formatter", "callable", ("endpoint_name", "account_id", "region_name")),
    ("moto.sagemaker.models.FakeEndpointConfig.arn_formatter", "callable", ("account_id", "region_name")),
    ("moto.sagemaker.models.SageMakerModelBackend.create_endpoint", "callable",
     ("endpoint_name", "endpoint_config_name", "tags")),
    ("moto.sagemaker.models.SageMakerModelBackend.delete_endpoint", "callable", ("endpoint_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.describe_model_package", "callable", ("model_package_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend._models", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.endpoints", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.endpoint_configs", "backend_attribute"),
    ("moto.sagemaker.responses.SageMakerResponse.update_endpoint", "kit_action"),
    ("moto.sagemakerruntime.responses.SageMakerRuntimeResponse", "class"),  # invoke_endpoint replaced
    ("moto.s3.models.S3Backend.get_object", "callable", ("bucket_name", "key_name")),
    ("moto.s3.models.S3Backend.put_object", "callable", ("bucket_name", "key_name", "value")),
    ("moto.utilities.utils.get_partition", "callable", ("region",)),
    # extensions/model_registry.py and events.py: registry rules and the state-change event.
    ("moto.core.responses.EmptyResult", "callable"),
    ("moto.sagemaker.responses.SageMakerResponse.delete_model_package", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.delete_model_package_group", "kit_action"),
    ("moto.sagemaker.models.SageMakerModelBackend.create_model_package_group", "callable",
     ("model_package_group_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.create_model_package", "callable",
     ("model_package_name", "model_package_group_name", "model_approval_status")),
    ("moto.sagemaker.models.SageMakerModelBackend.update_model_package", "callable",
     ("model_package_arn", "model_approval_status", "approval_description", "customer_metadata_properties",
      "customer_metadata_properties_to_remove", "additional_inference_specifications_to_add")),
    ("moto.sagemaker.models.SageMakerModelBackend.model_packages", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.model_package_groups", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.model_package_name_mapping", "backend_attribute"),
    ("moto.sagemaker.models.ModelPackage.gen_response_object", "callable"),
    ("moto.sagemaker.models.ModelPackage.modifications_done", "callable"),
    ("moto.sagemaker.models.ModelPackage.add_additional_inference_specifications", "callable",
     ("additional_inference_specifications_to_add",)),
    ("moto.sagemaker.utils.validate_model_approval_status", "callable", ("model_approval_status",)),
    ("moto.sagemaker.utils.arn_formatter", "callable", ("_type", "_id", "account_id", "region_name")),
    ("moto.events.models.events_backends", "attribute"),
    ("moto.events.models.EventsBackend.put_events", "callable", ("events",)),
    ("moto.events.utils.EventTemplateParser.parse", "callable", ("input_template", "input_paths_map", "event")),
    # extensions/experiments.py: existence rules, tags, metrics, listing and search.
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
    # extensions/lineage.py: the lineage actions Run's chart logging calls.
    ("moto.sagemaker.responses.SageMakerResponse.create_artifact", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.describe_artifact", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.list_artifacts", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.add_association", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.list_associations", "kit_action"),
    # extensions/training.py and processing.py, jobs/: jobs that run, S3 staging, job logs.
    ("moto.sagemaker.models.SageMakerModelBackend.create_training_job", "callable",
     ("training_job_name", "hyper_parameters", "algorithm_specification", "role_arn",
      "input_data_config", "output_data_config")),
    ("moto.sagemaker.models.SageMakerModelBackend.create_processing_job", "callable",
     ("processing_job_name", "app_specification", "processing_inputs",
      "processing_output_config", "role_arn")),
    ("moto.sagemaker.responses.SageMakerResponse.create_processing_job", "callable"),
    ("moto.sagemaker.models.SageMakerModelBackend.training_jobs", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.processing_jobs", "backend_attribute"),
    ("moto.sagemaker.models.FakeTrainingJob.__init__", "callable",
     ("training_job_name", "algorithm_specification", "output_data_config")),
    ("moto.sagemaker.models.FakeProcessingJob.__init__", "callable",
     ("processing_job_name", "app_specification", "processing_inputs")),
    ("moto.core.utils.utcnow", "callable"),
    ("moto.s3.models.S3Backend.get_bucket", "callable", ("bucket_name",)),
    ("moto.s3.models.S3Backend.list_objects", "callable",
     ("bucket", "prefix", "delimiter", "marker", "max_keys")),
    ("moto.s3.exceptions.MissingBucket", "class"),
    ("moto.logs.models.logs_backends", "attribute"),
    ("moto.logs.models.LogsBackend.create_log_group", "callable", ("log_group_name", "tags")),
    ("moto.logs.models.LogsBackend.ensure_log_stream", "callable", ("log_group_name", "log_stream_name")),
    ("moto.logs.models.LogsBackend.put_log_events", "callable",
     ("log_group_name", "log_stream_name", "log_events")),
    ("moto.logs.exceptions.ResourceAlreadyExistsException", "class"),
    # extensions/model_monitor.py and monitoring/: schedules, executions, metrics, the clock's reset.
    *((f"moto.sagemaker.responses.SageMakerResponse.{action}", "kit_action") for action in (
        "create_monitoring_schedule", "describe_monitoring_schedule", "update_monitoring_schedule",
        "stop_monitoring_schedule", "start_monitoring_schedule", "delete_monitoring_schedule",
        "list_monitoring_schedules", "list_monitoring_executions")),
    ("moto.sagemaker.models.SageMakerModelBackend.data_quality_job_definitions", "backend_attribute"),
    ("moto.sagemaker.models.FakeDataQualityJobDefinition.__init__", "callable",
     ("data_quality_app_specification", "data_quality_baseline_config", "data_quality_job_input",
      "data_quality_job_output_config", "job_resources", "environment", "role_arn")),
    ("moto.sagemaker.models.FakeProcessingJob.__init__", "callable",
     ("app_specification", "experiment_config", "network_config", "processing_inputs", "processing_job_name",
      "processing_output_config", "account_id", "region_name", "role_arn", "tags", "stopping_condition")),
    ("moto.sagemaker.exceptions.ResourceInUseException", "class"),
    ("moto.sagemaker.models.SageMakerModelBackend._get_resource_from_arn", "callable", ("arn",)),
    ("moto.moto_api._internal.models.MotoAPIBackend.reset", "callable"),
    ("moto.cloudwatch.models.cloudwatch_backends", "attribute"),
    ("moto.cloudwatch.models.CloudWatchBackend.put_metric_data", "callable", ("namespace", "metric_data")),
    # extensions/cloudwatch_alarms.py: alarms evaluated on new data and clock moves, history, SNS actions.
    ("moto.cloudwatch.models.CloudWatchBackend.put_metric_alarm", "callable",
     ("name", "namespace", "metric_name", "comparison_operator", "evaluation_periods", "period", "threshold",
      "statistic", "dimensions", "alarm_actions")),
    ("moto.cloudwatch.models.CloudWatchBackend.set_alarm_state", "callable",
     ("alarm_name", "reason", "reason_data", "state_value")),
    ("moto.cloudwatch.models.CloudWatchBackend.alarms", "backend_attribute"),
    ("moto.cloudwatch.models.CloudWatchBackend.metric_data", "backend_attribute"),
    ("moto.cloudwatch.models.Alarm.__init__", "callable",
     ("name", "namespace", "metric_name", "metric_data_queries", "comparison_operator", "evaluation_periods",
      "datapoints_to_alarm", "period", "threshold", "statistic", "extended_statistic", "description", "dimensions",
      "alarm_actions", "ok_actions", "insufficient_data_actions", "unit", "actions_enabled", "treat_missing_data",
      "evaluate_low_sample_count_percentile", "rule")),
    ("moto.cloudwatch.models.MetricDatum.__init__", "callable", ("namespace", "name", "value", "dimensions", "timestamp")),
    ("moto.cloudwatch.models.MetricAggregatedDatum.__init__", "callable",
     ("min_stat", "max_stat", "sample_count", "sum_stat")),
    ("moto.cloudwatch.responses.CloudWatchResponse.describe_alarm_history", "kit_action"),
    ("moto.sns.models.sns_backends", "attribute"),
    ("moto.sns.models.SNSBackend.publish", "callable", ("message", "arn", "subject")),
    # extensions/pipelines.py and pipelines/: definitions checked, executions that run steps.
    ("moto.sagemaker.models.SageMakerModelBackend.create_pipeline", "callable",
     ("pipeline_name", "pipeline_definition", "pipeline_definition_s3_location")),
    ("moto.sagemaker.models.SageMakerModelBackend.update_pipeline", "callable", ("pipeline_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.start_pipeline_execution", "callable",
     ("pipeline_name", "pipeline_execution_display_name", "pipeline_parameters")),
    ("moto.sagemaker.models.SageMakerModelBackend.describe_pipeline_execution", "callable",
     ("pipeline_execution_arn",)),
    ("moto.sagemaker.models.SageMakerModelBackend.list_pipeline_executions", "callable", ("pipeline_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.pipelines", "backend_attribute"),
    ("moto.sagemaker.models.FakePipelineExecution.__init__", "callable",
     ("pipeline_execution_arn", "parallelism_configuration")),
    ("moto.sagemaker.utils.get_pipeline_from_name", "callable", ("pipelines", "pipeline_name")),
    ("moto.sagemaker.utils.get_pipeline_execution_from_arn", "callable", ("pipelines", "pipeline_execution_arn")),
    ("moto.sagemaker.responses.SageMakerResponse.start_pipeline_execution", "callable"),
    ("moto.sagemaker.responses.SageMakerResponse.list_pipeline_execution_steps", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.stop_pipeline_execution", "kit_action"),
    ("moto.sagemaker.exceptions.ConflictException", "class"),
    ("moto.sagemaker.exceptions.SagemakerClientError", "class"),
    ("moto.core.utils.camelcase_to_underscores", "callable", ("argument",)),
    ("moto.sagemaker.models.SageMakerModelBackend.create_model", "callable",
     ("model_name", "execution_role_arn", "primary_container")),
    ("moto.sagemaker.models.SageMakerModelBackend.describe_processing_job", "callable", ("processing_job_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.describe_training_job", "callable", ("training_job_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.stop_processing_job", "callable", ("processing_job_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.describe_model", "callable", ("model_name",)),
    ("moto.sagemaker.models.Model.response_object", "attribute"),
]


class SeamError(RuntimeError):
    """The installed moto lacks internals the kit's extensions patch or call."""


class MotoAlreadyImplementsWarning(UserWarning):
    """moto now implements an action the kit adds; the kit keeps moto's."""


def moto_version() -> str:
    return version("moto")


def verify_seams(seams: list[tuple] | None = None) -> None:
    """Raise SeamError naming every missing seam; warn about actions moto now implements."""
    if seams is None:
        from .extensions import room_seams  # the rooms import this module: resolve at call time
        seams = SEAMS + room_seams()
    for path in already_implemented_actions(seams):
        warnings.warn(
            f"moto {moto_version()} already implements {path}, an action the kit adds; "
            "the kit keeps moto's. Compare its answers with the kit's tests before relying on it.",
            MotoAlreadyImplementsWarning,
            stacklevel=2,
        )
    problems = missing_seams(seams)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise SeamError(
            f"The installed moto {moto_version()} lacks what the kit's local backend relies on "
            f"(the kit is built and tested with moto {PINNED_MOTO_VERSION}):\n{listing}\n"
            f"Install the pinned version: pip install 'moto[server]=={PINNED_MOTO_VERSION}' "
            "(or reinstall the workshop's requirements.txt)."
        )


def missing_seams(seams: list[tuple]) -> list[str]:
    """One line per seam that does not hold, saying what was expected."""
    problems = []
    for seam in seams:
        if seam[1] != "kit_action":
            problem = _check(*seam)
            if problem:
                problems.append(f"{seam[0]} ({seam[1]}): {problem}")
    return problems


def already_implemented_actions(seams: list[tuple]) -> list[str]:
    """Paths of "kit_action" seams that moto itself now defines."""
    found = []
    for path, kind, *_ in seams:
        if kind == "kit_action":
            owner_path, name = path.rsplit(".", 1)
            owner = _resolve(owner_path)
            existing = inspect.getattr_static(owner, name, None)
            if existing is not None and not _is_kit_code(existing):
                found.append(path)
    return found


def add_action(response_class: type, action: str, function) -> bool:
    """Add ``function`` as the snake_case ``action`` unless moto implements it already.

    Returns True when the kit's function is in place (also on a repeated install).
    """
    existing = inspect.getattr_static(response_class, action, None)
    if existing is not None and not _is_kit_code(existing):
        warnings.warn(
            f"moto {moto_version()} already implements {response_class.__name__}.{action}; "
            "the kit keeps moto's and does not add its own.",
            MotoAlreadyImplementsWarning,
            stacklevel=2,
        )
        return False
    setattr(response_class, action, function)
    return True


def _check(path: str, kind: str, parameters: tuple = ()) -> str | None:
    owner_path, name = path.rsplit(".", 1)
    try:
        if kind == "backend_attribute":
            return None if hasattr(_fresh_backend(owner_path), name) else "missing on a new backend"
        target = _resolve(path)
    except (ImportError, AttributeError, TypeError) as error:
        return f"not found ({error})"
    if kind == "module":
        return None if inspect.ismodule(target) else "is not a module"
    if kind == "class":
        return None if inspect.isclass(target) else "is not a class"
    if kind == "attribute":
        return None
    if kind == "callable":
        return _check_signature(target, parameters)
    return f"unknown seam kind {kind!r}"


def _check_signature(target, parameters: tuple) -> str | None:
    if not callable(target):
        return "is not callable"
    if _is_kit_code(target) and not hasattr(target, "__wrapped__"):
        return "was replaced by a kit wrapper without functools.wraps, so moto's signature is hidden"
    try:
        names = set(inspect.signature(target).parameters)
    except (TypeError, ValueError):
        names = set()
    absent = [name for name in parameters if name not in names]
    return f"expected parameters {absent} not in {sorted(names)}" if absent else None


def _resolve(path: str):
    """Import the longest module prefix of ``path`` and walk the remaining attributes."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            target = getattr(target, name)
        return target
    raise ImportError(f"no module in {path}")


@cache
def _fresh_backend(class_path: str):
    backend_class = _resolve(class_path)
    return backend_class(region_name="us-east-1", account_id="123456789012")


def _is_kit_code(obj) -> bool:
    function = getattr(obj, "__func__", obj)
    return getattr(function, "__module__", "").startswith(KIT_MODULE_PREFIX)
