"""Model Monitor on the local backend: baselines, monitoring schedules and their executions.

- Baseline jobs (``DefaultModelMonitor.suggest_baseline``) are processing jobs on the
  ``sagemaker-model-monitor-analyzer`` image: this module registers the in-process analyzer
  (``monitoring.analyzer.run_container``) for that image in ``jobs.images.BUILT_IN_CONTAINERS``,
  which the processing room runs instead of a script.
- Monitoring schedules: moto has none, so Create/Describe/List/Update/Stop/Start/Delete
  MonitoringSchedule and ListMonitoringExecutions are added as actions (shapes from
  botocore's model), with SageMaker's cron validation (``monitoring.schedules``). Schedules
  refer to a DataQualityJobDefinition (what the SDK's ``create_monitoring_schedule`` creates,
  stored by moto) or carry an inline MonitoringJobDefinition.
- Executions run when the backend clock (``clock.py``) passes a schedule's cron tick: at
  once on ``clock.advance(...)``, or within ``clock.TICK_SECONDS`` when real time gets
  there; a NOW schedule runs once on creation (``schedule_runs``). ``executions`` does the work.
- DeleteEndpoint is refused while a schedule is attached to the endpoint, as on SageMaker
  ("delete the schedule first"; the wording is the kit's).

State: the schedules live on the SageMaker backend instance (``/moto-api/reset`` clears
them); a moto reset also puts the clock back to real time.
"""

import functools
import threading
from datetime import datetime, timezone

from moto.core.responses import ActionResult, EmptyResult
from moto.moto_api._internal.models import MotoAPIBackend
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter

from .. import clock
from ..jobs import images
from ..seams import add_action, install_once
from .analyzer import container as analyzer
from .schedule_runs import run_due, schedules, start_one_time, tick_forever
from .schedules import Schedule, ScheduleError, validate_schedule_config

SEAMS: list[tuple] = [  # Schedules, executions, their metrics, the clock's reset.
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
    ("moto.sagemaker.models.SageMakerModelBackend.delete_endpoint", "callable", ("endpoint_name",)),
    ("moto.moto_api._internal.models.MotoAPIBackend.reset", "callable"),
    ("moto.cloudwatch.models.cloudwatch_backends", "attribute"),
    ("moto.cloudwatch.models.CloudWatchBackend.put_metric_data", "callable", ("namespace", "metric_data")),
]

SUPPORTED_TYPE = "DataQuality"



# ---- actions --------------------------------------------------------------------------


def _schedule(self, name: str) -> Schedule:
    found = schedules(self.sagemaker_backend).get(name)
    if found is None:
        raise ResourceNotFound(message=f"Could not find monitoring schedule '{name}'.")
    return found


def _endpoint_of(backend, config: dict) -> tuple[str, dict]:
    """The monitored endpoint's name and EndpointInput, from the job definition (named or inline)."""
    monitoring_type = config.get("MonitoringType") or SUPPORTED_TYPE
    if monitoring_type != SUPPORTED_TYPE:
        raise ValidationError(message=f"MonitoringType {monitoring_type} is not run by the local backend, which runs "
                                      "DataQuality monitoring (DefaultModelMonitor). Use DefaultModelMonitor, or AWS.")
    name = config.get("MonitoringJobDefinitionName")
    if name:
        definition = backend.data_quality_job_definitions.get(name)
        if definition is None:
            raise ValidationError(message=f"Could not find data quality job definition '{name}': create it with "
                                          "CreateDataQualityJobDefinition first.")
        job_input = definition.data_quality_job_input or {}
    elif config.get("MonitoringJobDefinition"):
        job_input = (config["MonitoringJobDefinition"].get("MonitoringInputs") or [{}])[0]
    else:
        raise ValidationError(message="MonitoringScheduleConfig needs MonitoringJobDefinitionName or "
                                      "MonitoringJobDefinition.")
    endpoint_input = job_input.get("EndpointInput")
    if not endpoint_input:
        raise ValidationError(message="The local backend monitors endpoints (EndpointInput); BatchTransformInput "
                                      "is not supported.")
    endpoint_name = endpoint_input.get("EndpointName")
    if endpoint_name not in backend.endpoints:
        arn = arn_formatter("endpoint", endpoint_name, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find endpoint '{arn}': deploy it (with data capture) before "
                                      "scheduling its monitoring.")
    return endpoint_name, endpoint_input


def _validated(backend, config: dict):
    """(endpoint name, Cron): the schedule expression first, then the job definition and its endpoint."""
    try:
        validate_schedule_config(config.get("ScheduleConfig"))
        endpoint_name, endpoint_input = _endpoint_of(backend, config)
        cron = validate_schedule_config(config.get("ScheduleConfig"), endpoint_input)
    except ScheduleError as error:
        raise ValidationError(message=str(error)) from error
    return endpoint_name, cron


def create_monitoring_schedule(self) -> ActionResult:
    backend = self.sagemaker_backend
    name = self._get_param("MonitoringScheduleName")
    config = self._get_param("MonitoringScheduleConfig") or {}
    table = schedules(backend)
    arn = arn_formatter("monitoring-schedule", name, backend.account_id, backend.region_name)
    if name in table:
        raise ResourceInUseException(message=f"Monitoring schedule '{arn}' already exists: delete it first, or "
                                             "choose another monitor_schedule_name.")
    endpoint_name, cron = _validated(backend, config)
    now = clock.now()
    schedule = Schedule(name=name, arn=arn, config=config, cron=cron, endpoint_name=endpoint_name,
                        creation_time=now, last_modified_time=now,
                        next_tick=None if cron.one_time else cron.next_tick(now), tags=self._get_param("Tags") or [])
    table[name] = schedule
    if cron.one_time:
        start_one_time(backend, schedule)
    return ActionResult({"MonitoringScheduleArn": arn})


def describe_monitoring_schedule(self) -> ActionResult:
    return ActionResult(_schedule(self, self._get_param("MonitoringScheduleName")).describe())


def update_monitoring_schedule(self) -> ActionResult:
    backend = self.sagemaker_backend
    schedule = _schedule(self, self._get_param("MonitoringScheduleName"))
    config = self._get_param("MonitoringScheduleConfig") or {}
    endpoint_name, cron = _validated(backend, config)
    now = clock.now()
    schedule.config = config
    schedule.cron = cron
    schedule.endpoint_name = endpoint_name
    schedule.next_tick = None if cron.one_time else cron.next_tick(now)
    schedule.last_modified_time = now
    if cron.one_time and schedule.status == "Scheduled":
        start_one_time(backend, schedule)
    return ActionResult({"MonitoringScheduleArn": schedule.arn})


def stop_monitoring_schedule(self) -> ActionResult:
    schedule = _schedule(self, self._get_param("MonitoringScheduleName"))
    schedule.status = "Stopped"
    schedule.last_modified_time = clock.now()
    return EmptyResult()


def start_monitoring_schedule(self) -> ActionResult:
    schedule = _schedule(self, self._get_param("MonitoringScheduleName"))
    now = clock.now()
    if schedule.status != "Scheduled":
        schedule.next_tick = None if schedule.cron.one_time else schedule.cron.next_tick(now)
        schedule.status = "Scheduled"
        schedule.last_modified_time = now
    return EmptyResult()


def delete_monitoring_schedule(self) -> ActionResult:
    name = self._get_param("MonitoringScheduleName")
    _schedule(self, name)
    schedules(self.sagemaker_backend).pop(name, None)
    return EmptyResult()


def _time(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or timezone.utc) if value else None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _page(self, items: list[dict], key: str) -> ActionResult:
    start = int(self._get_param("NextToken") or 0)
    size = int(self._get_param("MaxResults") or 100)
    page = items[start:start + size]
    result = {key: page}
    if start + size < len(items):
        result["NextToken"] = str(start + size)
    return ActionResult(result)


def _between(value: datetime, after, before) -> bool:
    after, before = _time(after), _time(before)
    return (after is None or value > after) and (before is None or value < before)


def list_monitoring_schedules(self) -> ActionResult:
    found = [s for s in list(schedules(self.sagemaker_backend).values())
             if self._get_param("EndpointName") in (None, s.endpoint_name)
             and (self._get_param("NameContains") or "") in s.name
             and self._get_param("StatusEquals") in (None, s.status)
             and self._get_param("MonitoringJobDefinitionName") in (None, s.job_definition_name)
             and self._get_param("MonitoringTypeEquals") in (None, s.monitoring_type)
             and _between(s.creation_time, self._get_param("CreationTimeAfter"), self._get_param("CreationTimeBefore"))
             and _between(s.last_modified_time, self._get_param("LastModifiedTimeAfter"),
                          self._get_param("LastModifiedTimeBefore"))]
    sort_key = {"Name": lambda s: s.name, "Status": lambda s: s.status}.get(
        self._get_param("SortBy"), lambda s: s.creation_time)
    found.sort(key=sort_key, reverse=self._get_param("SortOrder", "Descending") == "Descending")
    return _page(self, [s.summary() for s in found], "MonitoringScheduleSummaries")


def list_monitoring_executions(self) -> ActionResult:
    name = self._get_param("MonitoringScheduleName")
    selected = [s for s in list(schedules(self.sagemaker_backend).values()) if name in (None, s.name)]
    found = [e for s in selected for e in list(s.executions)
             if self._get_param("EndpointName") in (None, e.endpoint_name)
             and self._get_param("StatusEquals") in (None, e.status)
             and self._get_param("MonitoringJobDefinitionName") in (None, e.job_definition_name)
             and self._get_param("MonitoringTypeEquals") in (None, e.monitoring_type)
             and _between(e.scheduled_time, self._get_param("ScheduledTimeAfter"), self._get_param("ScheduledTimeBefore"))
             and _between(e.creation_time, self._get_param("CreationTimeAfter"), self._get_param("CreationTimeBefore"))
             and _between(e.last_modified_time or e.creation_time, self._get_param("LastModifiedTimeAfter"),
                          self._get_param("LastModifiedTimeBefore"))]
    sort_key = {"ScheduledTime": lambda e: e.scheduled_time, "Status": lambda e: e.status}.get(
        self._get_param("SortBy"), lambda e: e.creation_time)
    found.sort(key=sort_key, reverse=self._get_param("SortOrder", "Descending") == "Descending")
    return _page(self, [e.summary() for e in found], "MonitoringExecutionSummaries")


ACTIONS = {
    "create_monitoring_schedule": create_monitoring_schedule,
    "describe_monitoring_schedule": describe_monitoring_schedule,
    "update_monitoring_schedule": update_monitoring_schedule,
    "stop_monitoring_schedule": stop_monitoring_schedule,
    "start_monitoring_schedule": start_monitoring_schedule,
    "delete_monitoring_schedule": delete_monitoring_schedule,
    "list_monitoring_schedules": list_monitoring_schedules,
    "list_monitoring_executions": list_monitoring_executions,
}


# ---- install --------------------------------------------------------------------------


def _reset_clock_too(original):
    @functools.wraps(original)
    def reset(self):
        original(self)
        clock.reset()

    return reset


def _resolve_schedule_arns(original):
    """ListTags/AddTags/DeleteTags on a monitoring schedule's ARN (DefaultModelMonitor.attach lists its tags)."""

    @functools.wraps(original)
    def _get_resource_from_arn(self, arn):
        kind, _, name = arn.split(":")[-1].partition("/")
        if kind != "monitoring-schedule":
            return original(self, arn)
        schedule = schedules(self).get(name)
        if schedule is None:
            raise ValidationError(message=f"Could not find monitoring-schedule with name {name}")
        return schedule

    return _get_resource_from_arn


def _refuse_deleting_a_monitored_endpoint(original):
    """As on SageMaker, an endpoint with monitoring schedules attached stays until they are deleted
    (the teardown deletes schedules first; the message names them)."""

    @functools.wraps(original)
    def delete_endpoint(self, endpoint_name):
        attached = sorted(name for name, schedule in schedules(self).items() if schedule.endpoint_name == endpoint_name)
        if attached:
            raise ValidationError(
                message=f"Cannot delete endpoint {endpoint_name}: monitoring schedule(s) {', '.join(attached)} are "
                        "attached to it. Delete the monitoring schedule(s) first with DeleteMonitoringSchedule.")
        return original(self, endpoint_name)

    return delete_endpoint


def install() -> None:
    """Add the schedule actions, the analyzer image, the clock hooks and the ticker."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    for action, function in ACTIONS.items():
        add_action(SageMakerResponse, action, function)
    images.BUILT_IN_CONTAINERS[analyzer.IMAGE_REPOSITORY] = analyzer.run_container
    SageMakerModelBackend._get_resource_from_arn = _resolve_schedule_arns(SageMakerModelBackend._get_resource_from_arn)
    MotoAPIBackend.reset = _reset_clock_too(MotoAPIBackend.reset)
    SageMakerModelBackend.delete_endpoint = _refuse_deleting_a_monitored_endpoint(SageMakerModelBackend.delete_endpoint)
    clock.add_listener(run_due)
    threading.Thread(target=tick_forever, daemon=True, name="mlops-kit-monitoring-ticker").start()
