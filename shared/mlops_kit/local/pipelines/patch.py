"""Pipeline executions really execute on the local backend.

moto stores pipelines and marks every execution Succeeded at once without running a
step. This module checks a definition at CreatePipeline/UpdatePipeline as SageMaker does
(``pipelines.definition``), and on StartPipelineExecution checks the parameters and
starts an ``PipelineExecutionRun`` (``pipelines.executor``) that creates each step's real job
through the same backend methods the API calls reach. It adds the actions moto lacks
(ListPipelineExecutionSteps, StopPipelineExecution) and fixes DescribePipelineExecution's
and ListPipelineExecutions' FailureReason.

The runs live on the SageMaker backend instance (``_mlops_kit_pipeline_runs``), so a
server reset forgets them with the pipelines they belong to.
"""

import contextvars
import functools

from moto.sagemaker.exceptions import ConflictException, ValidationError
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import get_pipeline_execution_from_arn, get_pipeline_from_name
from moto.core.responses import ActionResult

from ..seams import add_action, install_once
from . import definition
from .executor import PipelineExecutionRun
from .parameters import ParameterError, parameter_values

SEAMS: list[tuple] = [  # Definitions checked, executions that run steps.
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

RUNS_ATTRIBUTE = "_mlops_kit_pipeline_runs"
_endpoint_url: contextvars.ContextVar[str | None] = contextvars.ContextVar("pipeline_endpoint_url",
                                                                           default=None)


def install() -> None:
    """Check pipeline definitions and run executions step by step."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    for name, wrapper in (("create_pipeline", _create_pipeline), ("update_pipeline", _update_pipeline),
                          ("start_pipeline_execution", _start_pipeline_execution),
                          ("describe_pipeline_execution", _describe_pipeline_execution),
                          ("list_pipeline_executions", _list_pipeline_executions)):
        setattr(SageMakerModelBackend, name, _wrap(getattr(SageMakerModelBackend, name), wrapper))
    SageMakerResponse.start_pipeline_execution = _remember_endpoint(SageMakerResponse.start_pipeline_execution)
    add_action(SageMakerResponse, "list_pipeline_execution_steps", list_pipeline_execution_steps)
    add_action(SageMakerResponse, "stop_pipeline_execution", stop_pipeline_execution)


def _wrap(original, wrapper):
    """moto's method, now calling ``wrapper(original, self, ...)`` (moto's signature kept)."""
    @functools.wraps(original)
    def method(self, *args, **kwargs):
        return wrapper(original, self, *args, **kwargs)

    return method


def _remember_endpoint(original):
    """Keep the server's own URL for scripts that call boto3 from a pipeline's processing step."""
    @functools.wraps(original)
    def action(self):
        host = self.headers.get("Host")
        token = _endpoint_url.set(f"http://{host}" if host else None)
        try:
            return original(self)
        finally:
            _endpoint_url.reset(token)

    return action


def _parse(source) -> definition.Definition:
    try:
        return definition.parse(source)
    except definition.DefinitionError as error:
        raise ValidationError(message=f"Invalid pipeline definition: {error}") from None


def _create_pipeline(original, self, *args, **kwargs):
    if kwargs.get("pipeline_definition"):
        _parse(kwargs["pipeline_definition"])
    pipeline = original(self, *args, **kwargs)
    if not kwargs.get("pipeline_definition"):  # loaded from PipelineDefinitionS3Location
        try:
            _parse(pipeline.pipeline_definition)
        except ValidationError:
            del self.pipelines[pipeline.pipeline_name]
            raise
    return pipeline


def _update_pipeline(original, self, pipeline_name, **kwargs):
    if kwargs.get("pipeline_definition"):
        _parse(kwargs["pipeline_definition"])
    return original(self, pipeline_name, **kwargs)


def _start_pipeline_execution(original, self, pipeline_name, pipeline_execution_display_name,
                              pipeline_parameters, *args, **kwargs):
    pipeline = get_pipeline_from_name(self.pipelines, pipeline_name)
    parsed = _parse(pipeline.pipeline_definition)
    try:
        values = parameter_values(parsed.parameters, pipeline_parameters)
    except ParameterError as error:
        raise ValidationError(message=str(error)) from None
    response = original(self, pipeline_name, pipeline_execution_display_name, pipeline_parameters,
                        *args, **kwargs)
    arn = response["PipelineExecutionArn"]
    execution = pipeline.pipeline_executions[arn]
    run = PipelineExecutionRun(self, pipeline, execution, parsed, values, _endpoint_url.get())
    _runs(self)[arn] = run
    run.start()
    return response


def _describe_pipeline_execution(original, self, pipeline_execution_arn):
    response = original(self, pipeline_execution_arn)
    reason = get_pipeline_execution_from_arn(self.pipelines, pipeline_execution_arn) \
        .pipeline_execution_failure_reason
    response.pop("FailureReason", None)
    if reason:
        response["FailureReason"] = reason
    return response


def _list_pipeline_executions(original, self, pipeline_name):
    response = original(self, pipeline_name)
    summaries = []
    for summary in response["PipelineExecutionSummaries"]:
        summary = {k: v for k, v in summary.items() if v is not None}
        if summary.get("PipelineExecutionFailureReason") in ("None", ""):
            del summary["PipelineExecutionFailureReason"]
        summaries.append(summary)
    summaries.sort(key=lambda s: s["StartTime"], reverse=True)
    return {**response, "PipelineExecutionSummaries": summaries}


def _runs(backend) -> dict:
    return backend.__dict__.setdefault(RUNS_ATTRIBUTE, {})


def _run_of(backend, arn: str) -> PipelineExecutionRun | None:
    get_pipeline_execution_from_arn(backend.pipelines, arn)  # ValidationException if unknown
    return _runs(backend).get(arn)


def list_pipeline_execution_steps(self):
    arn = self._get_param("PipelineExecutionArn")
    run = _run_of(self.sagemaker_backend, arn)
    steps = run.steps() if run else []
    if self._get_param("SortOrder") == "Ascending":
        steps.reverse()
    return ActionResult({"PipelineExecutionSteps": steps})


def stop_pipeline_execution(self):
    arn = self._get_param("PipelineExecutionArn")
    run = _run_of(self.sagemaker_backend, arn)
    status = run.stop() if run else "Succeeded"
    if status != "Executing":
        raise ConflictException(f"Pipeline execution {arn} is {status}: only an Executing "
                                "execution can be stopped.")
    return ActionResult({"PipelineExecutionArn": arn})
