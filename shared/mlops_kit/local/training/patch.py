"""Training jobs of the built-in XGBoost algorithm really train on the local backend.

Wraps moto's ``SageMakerModelBackend.create_training_job`` (which alone marks the job
Completed at once and writes nothing): the job starts InProgress and, in a background
thread, goes through the real service's secondary statuses (Starting, Downloading,
Training, Uploading) while it stages the S3 channels, trains with xgboost as the
algorithm container does (``training/xgboost_algorithm.py``), uploads
``{S3OutputPath}/{job}/output/model.tar.gz`` holding ``xgboost-model`` and logs each round
to CloudWatch Logs. It ends Completed with ModelArtifacts and FinalMetricDataList, or
Failed with the container's kind of FailureReason ("ClientError: ...").
"""

import functools
import shutil
import tarfile
from pathlib import Path

from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import SageMakerModelBackend

from ..jobs import images, staging
from ..jobs.logs import TRAINING_GROUP, JobLog
from ..jobs.failure import JobFailed
from ..jobs.runner import start_job, utcnow
from ..paths import work_dir
from ..seams import install_once
from . import xgboost_algorithm as algorithm

SEAMS: list[tuple] = [  # Training jobs that really train.
    ("moto.sagemaker.models.SageMakerModelBackend.create_training_job", "callable",
     ("training_job_name", "hyper_parameters", "algorithm_specification", "role_arn",
      "input_data_config", "output_data_config")),
    ("moto.sagemaker.models.SageMakerModelBackend.training_jobs", "backend_attribute"),
    ("moto.sagemaker.models.FakeTrainingJob.__init__", "callable",
     ("training_job_name", "algorithm_specification", "output_data_config")),
]


CHANNELS = ("train", "validation")
_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
# The built-in algorithm's metric definitions, as DescribeTrainingJob shows them on AWS.
METRIC_DEFINITIONS = [
    {"Name": algorithm.metric_name(channel, metric),
     "Regex": rf".*\[[0-9]+\].*#011{channel}-{metric}:{_NUMBER}.*"}
    for channel in CHANNELS for metric in algorithm.EVAL_METRICS
]
STATUS_MESSAGES = {
    "Starting": "Preparing the instances for training",
    "Downloading": "Downloading input data",
    "Training": "Training image download completed. Training in progress.",
    "Uploading": "Uploading generated training model",
    "Completed": "Training job completed",
    "Failed": "Training job failed",
}


def install() -> None:
    """Make training jobs of the built-in XGBoost algorithm really train."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    original = SageMakerModelBackend.create_training_job

    @functools.wraps(original)
    def create_training_job(self, *args, **kwargs):
        name = kwargs.get("training_job_name")
        if name in self.training_jobs:
            raise ValidationError(
                message="Training job names must be unique within an AWS account and region, and "
                f"a training job with this name already exists ({name}). Choose a new name, or "
                "let ModelTrainer(base_job_name=...) add a timestamp."
            )
        job = original(self, *args, **kwargs)
        _mark_in_progress(job)
        start_job(job.training_job_name, lambda: _train(self, job),
                  lambda reason: _fail(job, reason))
        return job

    SageMakerModelBackend.create_training_job = create_training_job


def _mark_in_progress(job) -> None:
    """Give the job every attribute it will ever report, before anyone can describe it."""
    job.training_job_status = "InProgress"
    job.algorithm_specification = {**job.algorithm_specification,
                                   "MetricDefinitions": METRIC_DEFINITIONS}
    job.model_artifacts = None
    job.final_metric_data_list = None
    job.failure_reason = None
    job.training_start_time = None
    job.training_end_time = None
    job.training_time_in_seconds = None
    job.billable_time_in_seconds = None
    job.secondary_status = None
    job.secondary_status_transitions = []
    _move_to(job, "Starting")


def _move_to(job, status: str) -> None:
    now = utcnow()
    transitions = [dict(step) for step in job.secondary_status_transitions]
    if transitions:
        transitions[-1]["EndTime"] = now
    transitions.append({"Status": status, "StartTime": now,
                        "StatusMessage": STATUS_MESSAGES[status]})
    if status in ("Completed", "Failed"):
        transitions[-1]["EndTime"] = now
    job.secondary_status_transitions = transitions
    job.secondary_status = status
    job.last_modified_time = now


def _train(backend, job) -> None:
    name = job.training_job_name
    log = JobLog(backend.account_id, backend.region_name, TRAINING_GROUP, name)
    try:
        _run(backend, job, log)
    except JobFailed as failure:
        log.write(str(failure))
        raise


def _run(backend, job, log: JobLog) -> None:
    spec = job.algorithm_specification
    image = spec.get("TrainingImage")
    version = images.xgboost_version(image)
    if version is None:
        raise JobFailed(
            f"ClientError: The training image {image or spec.get('AlgorithmName')!r} cannot run "
            "on the local backend: it runs the SageMaker built-in XGBoost algorithm images "
            f"only. Use {images.XGBOOST_HINT}."
        )
    if spec.get("ContainerEntrypoint") or spec.get("ContainerArguments"):
        raise JobFailed(
            "ClientError: The local backend runs the built-in XGBoost algorithm (no source_code "
            "or entry point): create the ModelTrainer with training_image and hyperparameters "
            "only."
        )
    job.training_start_time = utcnow()
    log.write(f"Local backend: built-in XGBoost algorithm {version} (xgboost "
              f"{algorithm.xgb.__version__})")
    config = _client_error(algorithm.parse_hyperparameters, job.hyper_parameters or {})

    _move_to(job, "Downloading")
    channels = _channels(job.input_data_config or [])
    job_dir = _fresh_dir(work_dir() / "training-jobs" / job.training_job_name)
    matrices = {}
    for channel_name, channel in channels.items():
        local = job_dir / "input" / "data" / channel_name
        uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
        staging.download_prefix(backend.account_id, backend.region_name, job.role_arn, uri, local)
        fmt = _client_error(algorithm.data_format, channel.get("ContentType"))
        matrices[channel_name] = _client_error(
            algorithm.read_channel, channel_name, local, fmt,
            (job.hyper_parameters or {}).get("csv_weights") == "1")

    _move_to(job, "Training")
    result = _client_error(algorithm.train, config, matrices["train"], matrices.get("validation"),
                           log.write)

    _move_to(job, "Uploading")
    artifact = _package(result.booster, job_dir)
    output_uri = "/".join([job.output_data_config["S3OutputPath"].rstrip("/"),
                           job.training_job_name, "output", "model.tar.gz"])
    staging.upload_file(backend.account_id, artifact, output_uri)
    # Log before the status changes: the SDK stops reading the log once it sees Completed.
    log.write(f"Training job completed: model at {output_uri}")
    _complete(job, output_uri, result.final_metrics)


def _channels(input_data_config: list) -> dict:
    channels = {channel["ChannelName"]: channel for channel in input_data_config}
    if "train" not in channels:
        raise JobFailed(
            "ClientError: Missing required channel: train. Pass "
            "InputData(channel_name='train', data_source='s3://bucket/prefix', "
            "content_type='text/csv') to the ModelTrainer."
        )
    extra = sorted(set(channels) - set(CHANNELS))
    if extra:
        raise JobFailed(f"ClientError: Extraneous channel found: {extra[0]}. The built-in XGBoost "
                        "algorithm reads the channels 'train' and 'validation' only.")
    for channel_name, channel in channels.items():
        source = channel.get("DataSource", {}).get("S3DataSource")
        if not source or source.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise JobFailed(f"ClientError: Channel {channel_name}: the local backend reads S3 "
                            "prefixes only (S3DataSource with S3DataType 'S3Prefix').")
    return channels


def _client_error(function, *args):
    """Call a pure algorithm step, turning its ClientError into the job's failure."""
    try:
        return function(*args)
    except algorithm.ClientError as error:
        raise JobFailed(str(error)) from error


def _fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _package(booster, job_dir: Path) -> Path:
    model_dir = job_dir / "model"
    algorithm.save_model(booster, model_dir)
    artifact = job_dir / "output" / "model.tar.gz"
    artifact.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(artifact, "w:gz") as archive:
        archive.add(model_dir / algorithm.MODEL_FILE, arcname=algorithm.MODEL_FILE)
    return artifact


def _elapsed_seconds(job) -> int:
    return max(1, int((utcnow() - (job.training_start_time or job.creation_time)).total_seconds()))


def _complete(job, output_uri: str, final_metrics: dict) -> None:
    now = utcnow()
    job.final_metric_data_list = [{"MetricName": name, "Value": value, "Timestamp": now}
                                  for name, value in sorted(final_metrics.items())]
    job.model_artifacts = {"S3ModelArtifacts": output_uri}
    job.training_end_time = now
    job.training_time_in_seconds = job.billable_time_in_seconds = _elapsed_seconds(job)
    _move_to(job, "Completed")
    job.training_job_status = "Completed"


def _fail(job, reason: str) -> None:
    job.failure_reason = reason
    job.training_end_time = utcnow()
    if job.training_start_time is not None:
        job.training_time_in_seconds = job.billable_time_in_seconds = _elapsed_seconds(job)
    _move_to(job, "Failed")
    job.training_job_status = "Failed"
