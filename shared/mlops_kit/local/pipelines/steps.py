"""One function per step type: build the request from the step's Arguments and run it
through the local backend's own SageMaker methods.

Jobs are created by calling ``SageMakerModelBackend.create_processing_job`` /
``create_training_job`` / ``create_model_package`` / ``create_model`` inside the server
process, as the extensions wrap them: they show in List/Describe calls, really run, and
their Describe answer is what ``Get Steps.X.<property>`` reads.
"""

import inspect
import random
import re
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.core.utils import camelcase_to_underscores
from moto.sagemaker.exceptions import SagemakerClientError

from ..processing import patch as processing
from .conditions import holds
from .definition import Step
from .expressions import ExpressionError, Lookup, resolve, to_text

POLL_SECONDS = 0.05
JOB_DONE = ("Completed", "Failed", "Stopped")


class StepFailed(Exception):
    """The step ended Failed; ``reason`` is its FailureReason."""

    def __init__(self, reason: str, metadata: dict | None = None):
        super().__init__(reason)
        self.reason = reason
        self.metadata = metadata or {}


class StepStopped(Exception):
    """StopPipelineExecution ended the step's job."""


@dataclass
class StepRun:
    """What a step needs from its execution, and how it reports back."""

    backend: Any
    execution_id: str
    endpoint_url: str | None
    stop_requested: Callable[[], bool]
    started: Callable[[dict], None]  # called with the step's Metadata once its job exists
    lookup: Lookup | None = None  # set by the executor: it needs the run for ProcessingJobName
    job_name: str = ""


@dataclass
class StepResult:
    metadata: dict
    properties: dict | None = None  # the Describe answer that Get Steps.X.<path> reads
    outcome: bool | None = None  # a Condition step's


def job_name(execution_id: str, step_name: str) -> str:
    """``pipelines-<execution id>-<step>-<random>`` as SageMaker names a step's job (<= 63)."""
    suffix = "".join(random.choices(string.ascii_letters + string.digits, k=10))
    step = re.sub(r"[^A-Za-z0-9]+", "-", step_name).strip("-")[:30] or "step"
    return f"pipelines-{execution_id}-{step}-{suffix}"


def run_step(step: Step, run: StepRun) -> StepResult:
    run.job_name = job_name(run.execution_id, step.name)
    try:
        return RUNNERS[step.type](step, run)
    except ExpressionError as error:
        raise StepFailed(str(error)) from error
    except SagemakerClientError as error:  # the request the step built was refused
        raise StepFailed(f"{error.code}: {error.message}") from error


def backend_call(method: Callable, request: dict, **extra: Any) -> Any:
    """Call a moto backend method with a CamelCase request as its snake_case keywords."""
    names = [name for name in inspect.signature(method).parameters if name != "self"]
    by_name = {camelcase_to_underscores(key): value for key, value in request.items()}
    return method(**{**{name: by_name.get(name) for name in names}, **extra})


def _processing(step: Step, run: StepRun) -> StepResult:
    request = resolve(step.arguments, run.lookup)
    backend = run.backend
    with processing.request_extras(request.get("Environment"), request.get("ProcessingResources"), run.endpoint_url):
        job = backend_call(backend.create_processing_job, request, processing_job_name=run.job_name)
    metadata = {"ProcessingJob": {"Arn": job.arn}}
    run.started(metadata)
    status = _wait(run, lambda: job.processing_job_status,
                   lambda: backend.stop_processing_job(run.job_name))
    _raise_unless_completed(status, job.failure_reason, metadata)
    return StepResult(metadata, backend.describe_processing_job(run.job_name))


def _training(step: Step, run: StepRun) -> StepResult:
    request = resolve(step.arguments, run.lookup)
    request["HyperParameters"] = {key: to_text(value)
                                  for key, value in (request.get("HyperParameters") or {}).items()}
    backend = run.backend
    job = backend_call(backend.create_training_job, request, training_job_name=run.job_name)
    metadata = {"TrainingJob": {"Arn": job.arn}}
    run.started(metadata)
    # The local backend has no StopTrainingJob: a stopped execution lets the (short) job end.
    status = _wait(run, lambda: job.training_job_status, lambda: None)
    _raise_unless_completed(status, job.failure_reason, metadata)
    if run.stop_requested():
        raise StepStopped()
    return StepResult(metadata, backend.describe_training_job(run.job_name))


def _register_model(step: Step, run: StepRun) -> StepResult:
    request = resolve(step.arguments, run.lookup)
    backend = run.backend
    group = request.get("ModelPackageGroupName")
    if group and group.split("/")[-1] not in backend.model_package_groups:
        # A RegisterModel step creates its model package group when it does not exist yet.
        backend.create_model_package_group(model_package_group_name=group.split("/")[-1],
                                           model_package_group_description=None, tags=None)
    request.pop("SkipModelValidation", None)
    arn = backend_call(backend.create_model_package, request)
    metadata = {"RegisterModel": {"Arn": arn}}
    run.started(metadata)
    return StepResult(metadata, backend.describe_model_package(arn).gen_response_object())


def _model(step: Step, run: StepRun) -> StepResult:
    request = resolve(step.arguments, run.lookup)
    model = backend_call(run.backend.create_model, request, model_name=run.job_name)
    metadata = {"Model": {"Arn": model.arn}}
    run.started(metadata)
    return StepResult(metadata, run.backend.describe_model(model.model_name).response_object)


def _condition(step: Step, run: StepRun) -> StepResult:
    outcome = holds(step.arguments.get("Conditions", []), run.lookup)
    return StepResult({"Condition": {"Outcome": "True" if outcome else "False"}}, outcome=outcome)


def _fail(step: Step, run: StepRun) -> StepResult:
    message = to_text(resolve(step.arguments.get("ErrorMessage", ""), run.lookup))
    raise StepFailed(message, {"Fail": {"ErrorMessage": message}})


RUNNERS = {
    "Processing": _processing,
    "Training": _training,
    "RegisterModel": _register_model,
    "Model": _model,
    "Condition": _condition,
    "Fail": _fail,
}


def _wait(run: StepRun, status: Callable[[], str], stop: Callable[[], None]) -> str:
    """Poll the job (an in-process attribute read) until it ends; stop it once when asked."""
    stop_sent = False
    while status() not in JOB_DONE:
        if run.stop_requested() and not stop_sent:
            stop()
            stop_sent = True
        time.sleep(POLL_SECONDS)
    return status()


def _raise_unless_completed(status: str, failure_reason: str | None, metadata: dict) -> None:
    if status == "Stopped":
        raise StepStopped()
    if status == "Failed":
        raise StepFailed(failure_reason or "The job failed without a FailureReason.", metadata)
