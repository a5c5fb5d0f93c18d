"""One monitoring execution: the captured window analysed against the baseline, as on AWS.

For a tick T of a schedule: flush the endpoint's capture buffer (AWS's 0-20 minute start
delay guarantees the same), read the capture files of the hour folders overlapping the
window and keep the records whose ``inferenceTime`` falls in it. No record: the execution
Failed with "Job inputs had no data" and no processing job, as on AWS. Otherwise a
processing job ``model-monitoring-{yyyymmddHHMM}-{hash}`` on the analyzer image records the
run (DescribeProcessingJob, logs, the SDK's ``MonitoringExecution``), the report
(statistics.json, constraints.json, constraint_violations.json) is written to
``{output}/{endpoint}/{schedule}/yyyy/mm/dd/hh/`` (hour of T) and the metrics published.
S3, logs and CloudWatch are reached through moto's own backends (in-process).
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from moto.s3.models import s3_backends
from moto.sagemaker.models import FakeProcessingJob

from ... import s3_uri
from .. import clock
from ..jobs.logs import PROCESSING_GROUP, JobLog
from . import metrics as cloudwatch
from .analyzer.constraints import constraints_json
from .analyzer.container import CONSTRAINTS, STATISTICS, VIOLATIONS, analyse_window
from .analyzer.datasets import DatasetError, parse_capture_line
from .schedules import MonitoringExecution, Schedule, analysis_window

logger = logging.getLogger(__name__)

NO_DATA = "Job inputs had no data"
CAPTURE_INDEX_NAMES = ["endpointInput", "endpointOutput"]
DEFAULT_OUTPUT_PATH = "/opt/ml/processing/output"


class ExecutionFailed(Exception):
    """The execution fails; str() is its FailureReason."""


@dataclass
class JobSpec:
    """What a schedule's job definition (named or inline) says to run."""

    image: str
    environment: dict
    statistics_uri: str | None
    constraints_uri: str | None
    endpoint_input: dict
    output: dict
    resources: dict
    role_arn: str
    stopping_condition: dict | None


def job_spec(backend, schedule: Schedule) -> JobSpec:
    name = schedule.job_definition_name
    if name:
        definition = backend.data_quality_job_definitions.get(name)
        if definition is None:
            raise ExecutionFailed(f"ClientError: Job definition {name} was deleted; the schedule cannot run. Delete the "
                                  "schedule, or update it with an existing job definition.")
        app = definition.data_quality_app_specification or {}
        baseline = definition.data_quality_baseline_config or {}
        job_input = definition.data_quality_job_input or {}
        outputs = (definition.data_quality_job_output_config or {}).get("MonitoringOutputs", [])
        resources, role, stopping = definition.job_resources, definition.role_arn, definition.stopping_condition
        environment = {**(definition.environment or {}), **(app.get("Environment") or {})}
    else:
        inline = schedule.config.get("MonitoringJobDefinition") or {}
        app = inline.get("MonitoringAppSpecification") or {}
        baseline = inline.get("BaselineConfig") or {}
        job_input = (inline.get("MonitoringInputs") or [{}])[0]
        outputs = (inline.get("MonitoringOutputConfig") or {}).get("MonitoringOutputs", [])
        resources, role, stopping = inline.get("MonitoringResources"), inline.get("RoleArn"), inline.get("StoppingCondition")
        environment = dict(inline.get("Environment") or {})
    baselining_output = _baselining_output(backend, baseline.get("BaseliningJobName"))
    return JobSpec(
        image=app.get("ImageUri", ""),
        environment=environment,
        statistics_uri=(baseline.get("StatisticsResource") or {}).get("S3Uri") or _file(baselining_output, STATISTICS),
        constraints_uri=(baseline.get("ConstraintsResource") or {}).get("S3Uri") or _file(baselining_output, CONSTRAINTS),
        endpoint_input=job_input.get("EndpointInput") or {},
        output=(outputs[0].get("S3Output") if outputs else None) or {},
        resources=resources or {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                  "VolumeSizeInGB": 30}},
        role_arn=role or "",
        stopping_condition=stopping or None,
    )


def _baselining_output(backend, job_name: str | None) -> str | None:
    """The S3 output of the baselining job a BaselineConfig names (the service resolves it the same way)."""
    if not job_name:
        return None
    job = backend.processing_jobs.get(job_name)
    if job is None:
        raise ExecutionFailed(f"ClientError: The baselining job {job_name} of this schedule's BaselineConfig does not "
                              "exist: pass statistics= and constraints= to create_monitoring_schedule.")
    outputs = (job.processing_output_config or {}).get("Outputs") or [{}]
    return (outputs[0].get("S3Output") or {}).get("S3Uri")


def _file(folder: str | None, name: str) -> str | None:
    return f"{folder.rstrip('/')}/{name}" if folder else None


def _s3(backend):
    return s3_backends[backend.account_id]["aws"]


def _read_json(backend, uri: str, what: str) -> dict:
    try:
        found = _s3(backend).get_object(*s3_uri.split_s3_uri(uri))
    except Exception:  # moto raises MissingBucket/MissingKey
        found = None
    if found is None:
        raise ExecutionFailed(f"ClientError: The baseline {what} {uri} does not exist: run suggest_baseline first, "
                              f"or pass {what}= with the URI of an existing file.")
    try:
        return json.loads(found.value)
    except ValueError as error:
        raise ExecutionFailed(f"ClientError: The baseline {what} {uri} is not JSON ({error}).") from error


def _put(backend, uri: str, document: dict) -> None:
    bucket, key = s3_uri.split_s3_uri(uri)
    _s3(backend).put_object(bucket, key, json.dumps(document, indent=2).encode())


def _capture_destination(backend, endpoint_name: str) -> str:
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        raise ExecutionFailed(f"{NO_DATA}: endpoint {endpoint_name} does not exist (was it deleted?). Delete this "
                              "schedule, or re-create the endpoint.")
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    capture = getattr(config, "data_capture_config", None) or {}
    if not capture.get("DestinationS3Uri") or not capture.get("EnableCapture", True):
        raise ExecutionFailed(f"{NO_DATA}: endpoint {endpoint_name} does not capture data. Deploy it with a "
                              "DataCaptureConfig (enable_capture=True) to monitor it.")
    return capture["DestinationS3Uri"]


def _flush_capture(backend, endpoint_name: str) -> None:
    from ..endpoints.deploying import runtimes  # the endpoints room's per-backend runtimes

    runtime = runtimes(backend).get(endpoint_name)
    if runtime is not None and runtime.buffer is not None:
        runtime.buffer.flush()


def _hour_folder(relative_key: str) -> datetime | None:
    parts = relative_key.split("/")
    if len(parts) != 6:
        return None
    try:
        return datetime(int(parts[1]), int(parts[2]), int(parts[3]), int(parts[4]), tzinfo=timezone.utc)
    except ValueError:
        return None


def read_window(backend, endpoint_name: str, start: datetime, end: datetime) -> tuple[list, list[tuple[str, str]]]:
    """(rows, [(folder URI, folder relative to the endpoint)]) of the records with start <= inferenceTime < end."""
    destination = _capture_destination(backend, endpoint_name)
    bucket, prefix = s3_uri.split_s3_prefix(destination)
    base = f"{prefix}/{endpoint_name}/" if prefix else f"{endpoint_name}/"
    try:
        keys, _, _, _ = _s3(backend).list_objects(_s3(backend).get_bucket(bucket), base, None, None, None)
    except Exception:  # MissingBucket: nothing was ever captured there
        keys = []
    rows, folders = [], []
    for key in sorted(keys, key=lambda k: k.name):
        hour = _hour_folder(key.name[len(base):])
        if hour is None or not (hour < end and hour + timedelta(hours=1) > start):
            continue
        folder_key = key.name.rsplit("/", 1)[0]
        folder = (f"s3://{bucket}/{folder_key}", folder_key[len(base):])
        for number, line in enumerate(key.value.decode("utf-8", errors="replace").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"s3://{bucket}/{key.name} line {number}"
            for record in parse_capture_line(line, where, CAPTURE_INDEX_NAMES):
                when = _inference_time(record.inference_time, where)
                if start <= when < end:
                    rows.append(record.values)
                    if folder not in folders:
                        folders.append(folder)
    return rows, folders


def _inference_time(text: str | None, where: str) -> datetime:
    try:
        return datetime.strptime(text or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError as error:
        raise DatasetError(f"{where}: eventMetadata.inferenceTime {text!r} is not a time like "
                           "2026-01-01T10:15:00Z.") from error


def report_uri(spec: JobSpec, endpoint_name: str, schedule_name: str, tick: datetime) -> str:
    return f"{spec.output['S3Uri'].rstrip('/')}/{endpoint_name}/{schedule_name}/{tick:%Y/%m/%d/%H}"


def _job_name(schedule_name: str, tick: datetime) -> str:
    digest = hashlib.sha1(f"{schedule_name}/{tick.isoformat()}".encode()).hexdigest()[:24]
    return f"model-monitoring-{tick:%Y%m%d%H%M}-{digest}"


def _environment(spec: JobSpec, schedule: Schedule, start: datetime, end: datetime) -> dict:
    environment = {
        "dataset_format": json.dumps({"sagemakerCaptureJson": {"captureIndexNames": CAPTURE_INDEX_NAMES}}),
        "dataset_source": "/opt/ml/processing/input/endpoint",
        "output_path": spec.output.get("LocalPath", DEFAULT_OUTPUT_PATH),
        "publish_cloudwatch_metrics": "Enabled",
        "sagemaker_endpoint_name": schedule.endpoint_name,
        "sagemaker_monitoring_schedule_name": schedule.name,
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_time": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if spec.statistics_uri:
        environment["baseline_statistics"] = "/opt/ml/processing/baseline/stats/statistics.json"
    if spec.constraints_uri:
        environment["baseline_constraints"] = "/opt/ml/processing/baseline/constraints/constraints.json"
    return environment | spec.environment


def _processing_job(backend, schedule: Schedule, spec: JobSpec, tick: datetime, folders: list[tuple[str, str]],
                    report: str, environment: dict) -> FakeProcessingJob:
    inputs = [{"InputName": f"input_{index}", "AppManaged": False, "S3Input": {
        "S3Uri": uri, "LocalPath": f"/opt/ml/processing/input/endpoint/{schedule.endpoint_name}/{relative}",
        "S3DataType": "S3Prefix", "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}}
        for index, (uri, relative) in enumerate(folders, start=1)]
    for name, uri, path in (("baseline", spec.statistics_uri, "/opt/ml/processing/baseline/stats"),
                            ("constraints", spec.constraints_uri, "/opt/ml/processing/baseline/constraints")):
        if uri:
            inputs.append({"InputName": name, "AppManaged": False, "S3Input": {
                "S3Uri": uri, "LocalPath": path, "S3DataType": "S3Prefix", "S3InputMode": "File",
                "S3DataDistributionType": "FullyReplicated"}})
    job = FakeProcessingJob(
        app_specification={"ImageUri": spec.image},
        experiment_config=None,
        network_config=None,
        processing_inputs=inputs,
        processing_job_name=_job_name(schedule.name, tick),
        processing_output_config={"Outputs": [{"OutputName": "result", "AppManaged": False, "S3Output": {
            "S3Uri": report, "LocalPath": spec.output.get("LocalPath", DEFAULT_OUTPUT_PATH),
            "S3UploadMode": spec.output.get("S3UploadMode", "EndOfJob")}}]},
        account_id=backend.account_id,
        region_name=backend.region_name,
        role_arn=spec.role_arn,
        tags=[],
        stopping_condition=spec.stopping_condition,
    )
    started = clock.now().replace(tzinfo=None)  # naive UTC, as moto's own jobs (ListProcessingJobs sorts them)
    job.creation_time = started
    job.processing_job_status = "InProgress"
    job.environment = environment
    job.processing_resources = spec.resources
    job.processing_start_time = started
    job.processing_end_time = None
    job.exit_message = None
    job.failure_reason = None
    job.last_modified_time = started
    job.monitoring_schedule_arn = schedule.arn
    backend.processing_jobs[job.processing_job_name] = job
    return job


def run_tick(backend, schedule: Schedule, tick: datetime) -> MonitoringExecution:
    """Run the execution of ``schedule`` for the tick at ``tick``; it is appended to the schedule's executions."""
    execution = MonitoringExecution(schedule_name=schedule.name, scheduled_time=tick, creation_time=clock.now(),
                          endpoint_name=schedule.endpoint_name, job_definition_name=schedule.job_definition_name,
                          monitoring_type=schedule.monitoring_type, status="InProgress")
    schedule.executions.append(execution)
    try:
        _run(backend, schedule, tick, execution)
    except ExecutionFailed as failure:
        _end(execution, "Failed", str(failure))
    except Exception as error:  # noqa: BLE001 - a bug of the kit must still end the execution
        logger.exception("monitoring execution of %s at %s crashed", schedule.name, tick)
        _end(execution, "Failed", f"InternalServerError: the local backend could not run this execution "
                                  f"({type(error).__name__}: {error}). This is a bug of the kit: see `mlops-kit server "
                                  "log` and report it.")
    return execution


def _end(execution: MonitoringExecution, status: str, failure_reason: str | None = None) -> None:
    execution.failure_reason = failure_reason[:1024] if failure_reason else None
    execution.last_modified_time = clock.now()
    execution.status = status


def _run(backend, schedule: Schedule, tick: datetime, execution: MonitoringExecution) -> None:
    spec = job_spec(backend, schedule)
    start_offset, end_offset = analysis_window(schedule.config.get("ScheduleConfig"), spec.endpoint_input)
    start, end = tick + start_offset, tick + end_offset
    _flush_capture(backend, schedule.endpoint_name)
    try:
        rows, folders = read_window(backend, schedule.endpoint_name, start, end)
        failure = None
    except DatasetError as error:
        rows, folders, failure = [], [], str(error)
    if failure is None and not rows:
        raise ExecutionFailed(f"{NO_DATA}: no captured record of endpoint {schedule.endpoint_name} has an "
                              f"inferenceTime in [{start:%Y-%m-%d %H:%M}, {end:%Y-%m-%d %H:%M}) UTC. Send traffic "
                              "during that window (on the local backend: before advancing the clock past the tick).")
    report = report_uri(spec, schedule.endpoint_name, schedule.name, tick)
    job = _processing_job(backend, schedule, spec, tick, folders, report,
                          _environment(spec, schedule, start, end))
    execution.processing_job_arn = job.arn
    log = JobLog(backend.account_id, backend.region_name, PROCESSING_GROUP, job.processing_job_name)
    log.write(f"Local analyzer: monitoring {schedule.endpoint_name} for {schedule.name}, window "
              f"{start:%Y-%m-%dT%H:%M:%SZ} to {end:%Y-%m-%dT%H:%M:%SZ}: {len(rows)} records")
    try:
        if failure:
            raise ExecutionFailed(f"AlgorithmError: {failure}")
        exit_message = _analyse(backend, schedule, spec, rows, report, tick)
    except ExecutionFailed as error:
        log.write(str(error))
        _finish_job(job, "Failed", failure_reason=str(error), exit_message=str(error))
        raise
    log.write(exit_message)
    _finish_job(job, "Completed", exit_message=exit_message)
    _end(execution, exit_message.split(":", 1)[0])


def _analyse(backend, schedule: Schedule, spec: JobSpec, rows: list, report: str, tick: datetime) -> str:
    statistics = _read_json(backend, spec.statistics_uri, "statistics") if spec.statistics_uri else None
    constraints = _read_json(backend, spec.constraints_uri, "constraints") if spec.constraints_uri else None
    result = analyse_window(rows, statistics, constraints)
    _put(backend, f"{report}/{STATISTICS}", result.statistics)
    _put(backend, f"{report}/{CONSTRAINTS}", constraints or constraints_json(result.profiles))
    _put(backend, f"{report}/{VIOLATIONS}", {"violations": result.violations})
    emit = str(((constraints or {}).get("monitoring_config") or {}).get("emit_metrics", "Enabled")).lower()
    publish = str(spec.environment.get("publish_cloudwatch_metrics", "Enabled")).lower()
    if emit != "disabled" and publish != "disabled":
        cloudwatch.publish(backend.account_id, backend.region_name,
                           cloudwatch.metric_data(result.profiles, result.drift, schedule.endpoint_name,
                                                  schedule.name, tick))
    return result.exit_message


def _finish_job(job, status: str, failure_reason: str | None = None, exit_message: str | None = None) -> None:
    now = clock.now().replace(tzinfo=None)
    job.failure_reason = failure_reason[:1024] if failure_reason else None
    job.exit_message = exit_message[:1024] if exit_message else None
    job.processing_end_time = now
    job.last_modified_time = now
    job.processing_job_status = status
