"""Processing jobs run the learner's script on the local backend.

Wraps moto's ``SageMakerModelBackend.create_processing_job`` (which alone marks the job
Completed at once and runs nothing). For the script processors of the labs
(``ScriptProcessor`` with the scikit-learn image, or the XGBoost image with
``command=["python3"]``) the job starts InProgress and, in a background thread: stages
every S3 input (the uploaded code too) under a per-job folder standing for `/opt/ml`,
runs the script with its arguments and environment (``processing/script_process.py``, with
`/opt/ml` mapped by ``jobs.container_paths``), streams its output to CloudWatch Logs,
uploads each output folder to its S3 destination, and ends Completed (exit code 0) or
Failed with the script's own error as FailureReason. StopProcessingJob and
StoppingCondition.MaxRuntimeInSeconds end the script and leave the job Stopped.

moto's response handler passes neither ``Environment`` nor ``ProcessingResources`` to
the backend (and DescribeProcessingJob then lacks them, which the SDK's log streaming
needs); the kit wraps the handler to hand them over, with the server's own URL so a
script that calls boto3 reaches this server.
"""

import contextvars
import functools
import json
import shutil
from contextlib import contextmanager
from pathlib import Path

from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

from ..jobs import images, staging
from ..jobs.container_paths import CONTAINER_ROOT, to_local
from ..jobs.logs import PROCESSING_GROUP, JobLog
from ..jobs.failure import JobFailed
from ..jobs.runner import clip, start_job, utcnow
from ..paths import work_dir
from ..seams import install_once
from . import script_process

SEAMS: list[tuple] = [  # Processing jobs that really run.
    ("moto.sagemaker.models.SageMakerModelBackend.create_processing_job", "callable",
     ("processing_job_name", "app_specification", "processing_inputs",
      "processing_output_config", "role_arn")),
    ("moto.sagemaker.responses.SageMakerResponse.create_processing_job", "callable"),
    ("moto.sagemaker.models.SageMakerModelBackend.processing_jobs", "backend_attribute"),
    ("moto.sagemaker.models.FakeProcessingJob.__init__", "callable",
     ("processing_job_name", "app_specification", "processing_inputs")),
]


PROCESSING_PREFIX = "/opt/ml/processing/"
_request_extras: contextvars.ContextVar[dict] = contextvars.ContextVar("processing_request_extras",
                                                                       default={})


@contextmanager
def request_extras(environment: dict | None, processing_resources: dict | None, endpoint_url: str | None):
    """Hand a job created inside the block what moto's request handler drops.

    Both the CreateProcessingJob action and a pipeline's processing step create jobs
    through moto's backend, which takes neither ``Environment`` nor ``ProcessingResources``.
    """
    token = _request_extras.set({
        "environment": environment or {},
        "processing_resources": processing_resources,
        "endpoint_url": endpoint_url,
    })
    try:
        yield
    finally:
        _request_extras.reset(token)


def install() -> None:
    """Make processing jobs really run their script or built-in image."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    original_action = SageMakerResponse.create_processing_job
    original_backend = SageMakerModelBackend.create_processing_job

    @functools.wraps(original_action)
    def create_processing_job_action(self):
        host = self.headers.get("Host")
        with request_extras(self._get_param("Environment"), self._get_param("ProcessingResources"),
                            f"http://{host}" if host else None):
            return original_action(self)

    @functools.wraps(original_backend)
    def create_processing_job(self, *args, **kwargs):
        name = kwargs.get("processing_job_name")
        if name in self.processing_jobs:
            raise ValidationError(
                message="Job name must be unique within an AWS account and region, and a job with "
                f"this name already exists ({name}). Choose a new name, or leave job_name out "
                "so the processor adds a timestamp."
            )
        job = original_backend(self, *args, **kwargs)
        extras = _request_extras.get()
        _mark_in_progress(job, extras)
        start_job(job.processing_job_name,
                  lambda: _process(self, job, extras.get("endpoint_url")),
                  lambda reason: _finish(job, "Failed", failure_reason=reason))
        return job

    SageMakerResponse.create_processing_job = create_processing_job_action
    SageMakerModelBackend.create_processing_job = create_processing_job


def _mark_in_progress(job, extras: dict) -> None:
    """Give the job every attribute it will ever report, before anyone can describe it."""
    job.processing_job_status = "InProgress"
    job.environment = extras.get("environment") or None
    job.processing_resources = extras.get("processing_resources") or {
        "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}}
    job.processing_start_time = None
    job.processing_end_time = None
    job.exit_message = None
    job.failure_reason = None
    job.last_modified_time = utcnow()


def _process(backend, job, endpoint_url: str | None) -> None:
    name = job.processing_job_name
    log = JobLog(backend.account_id, backend.region_name, PROCESSING_GROUP, name)
    try:
        _run(backend, job, endpoint_url, log)
    except JobFailed as failure:
        log.write(str(failure))
        raise


def _run(backend, job, endpoint_url: str | None, log: JobLog) -> None:
    app = job.app_specification or {}
    image = app.get("ImageUri")
    built_in = images.built_in_container(image)
    if built_in is None and not images.is_script_image(image):
        raise JobFailed(
            f"ClientError: The processing image {image!r} cannot run on the local backend: it "
            "runs Python scripts in the scikit-learn image "
            f"({images.SKLEARN_HINT}) or the XGBoost image ({images.XGBOOST_HINT}, with "
            "command=['python3'])."
        )
    try:
        command = None if built_in else script_process.parse_command(app.get("ContainerEntrypoint"),
                                                                     app.get("ContainerArguments"))
    except ValueError as error:
        raise JobFailed(f"ClientError: {error}") from error

    job_dir = work_dir() / "processing-jobs" / job.processing_job_name
    shutil.rmtree(job_dir, ignore_errors=True)
    local_root = job_dir / CONTAINER_ROOT.lstrip("/")
    job.processing_start_time = utcnow()
    _stage_inputs(backend, job, str(local_root))
    outputs = _output_folders(job, str(local_root))
    _write_config(job, local_root)
    if built_in:  # a built-in image the kit runs in-process (jobs.images.BUILT_IN_CONTAINERS)
        exit_message = built_in(job.environment or {}, local_root, log.write)
        for local_path, uri in outputs:
            staging.upload_directory(backend.account_id, Path(local_path), uri)
        _finish(job, "Completed", exit_message=exit_message)
        return

    log.write(f"Local backend: running {command.script} {' '.join(command.arguments)}".rstrip())
    max_seconds = (job.stopping_condition or {}).get("MaxRuntimeInSeconds")
    result = script_process.run(
        command, local_root, job_dir,
        script_process.child_environment(job.environment, endpoint_url, backend.region_name),
        log.write, should_stop=lambda: job.processing_job_status != "InProgress",
        max_seconds=max_seconds,
    )
    if job.processing_job_status != "InProgress":  # StopProcessingJob: the script was ended
        _finish(job, "Stopped")
        return
    if result.timed_out:
        message = (f"The job ran longer than StoppingCondition.MaxRuntimeInSeconds ({max_seconds} s) "
                   "and was stopped: raise max_runtime_in_seconds or make the script faster.")
        log.write(message)
        _finish(job, "Stopped", exit_message=message)
        return
    if result.exit_code != 0:
        summary = result.error_summary() or f"exit code {result.exit_code}"
        _finish(job, "Failed", failure_reason=clip(f"AlgorithmError: {summary}"),
                exit_message=clip(summary))
        return
    for local_path, uri in outputs:
        staging.upload_directory(backend.account_id, Path(local_path), uri)
    _finish(job, "Completed")


def _container_path(path: str, what: str) -> str:
    if not path or not (path + "/").startswith(PROCESSING_PREFIX):
        raise JobFailed(f"ClientError: {what} LocalPath {path!r} must be under "
                        f"{PROCESSING_PREFIX} (for example /opt/ml/processing/input).")
    return path


def _stage_inputs(backend, job, local_root: str) -> None:
    for processing_input in job.processing_inputs or []:
        name = processing_input.get("InputName", "input")
        s3_input = processing_input.get("S3Input")
        if not s3_input:
            raise JobFailed(f"ClientError: Input {name}: the local backend stages S3 inputs only "
                            "(no DatasetDefinition): use ProcessingInput(source='s3://...').")
        if s3_input.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise JobFailed(f"ClientError: Input {name}: the local backend reads S3 prefixes "
                            "only (S3DataType 'S3Prefix').")
        container_path = _container_path(s3_input.get("LocalPath", ""), f"Input {name}")
        staging.download_prefix(backend.account_id, backend.region_name, job.role_arn,
                                s3_input["S3Uri"], Path(to_local(container_path, local_root)))


def _output_folders(job, local_root: str) -> list[tuple[str, str]]:
    """Create each output's folder (as the container has them) and pair it with its S3 URI."""
    folders = []
    for output in (job.processing_output_config or {}).get("Outputs", []):
        s3_output = output.get("S3Output")
        if not s3_output:
            continue
        container_path = _container_path(s3_output.get("LocalPath", ""),
                                         f"Output {output.get('OutputName', '')}")
        local_path = to_local(container_path, local_root)
        Path(local_path).mkdir(parents=True, exist_ok=True)
        folders.append((local_path, s3_output["S3Uri"]))
    return folders


def _write_config(job, local_root: Path) -> None:
    """/opt/ml/config files the SageMaker containers provide to scripts."""
    config_dir = local_root / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "resourceconfig.json").write_text(
        json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]}))
    (config_dir / "processingjobconfig.json").write_text(json.dumps({
        "ProcessingJobName": job.processing_job_name,
        "ProcessingJobArn": job.arn,
        "AppSpecification": job.app_specification,
        "Environment": job.environment or {},
        "ProcessingInputs": job.processing_inputs or [],
        "ProcessingOutputConfig": job.processing_output_config or {},
        "ProcessingResources": job.processing_resources,
        "RoleArn": job.role_arn,
    }, default=str))


def _finish(job, status: str, failure_reason: str | None = None,
            exit_message: str | None = None) -> None:
    now = utcnow()
    job.failure_reason = failure_reason
    job.exit_message = exit_message
    job.processing_end_time = now
    job.last_modified_time = now
    job.processing_job_status = status
