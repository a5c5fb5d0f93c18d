"""Installs the codepipeline room into moto: executions that run, and pipelines as EventBridge targets."""

from moto.codepipeline.models import CodePipelineBackend, PipelineExecution
from moto.codepipeline.responses import CodePipelineResponse
from moto.events.models import Rule

from ..seams import add_action, install_once
from . import api, eventbridge, runs

SEAMS: list[tuple] = [
    ("moto.codepipeline.models.codepipeline_backends", "attribute"),
    ("moto.codepipeline.models.CodePipelineBackend.create_pipeline", "callable", ("pipeline", "tags")),
    ("moto.codepipeline.models.CodePipelineBackend.start_pipeline_execution", "callable", ("name", "variables")),
    ("moto.codepipeline.models.CodePipelineBackend.delete_pipeline", "callable", ("name",)),
    ("moto.codepipeline.models.CodePipelineBackend.pipelines", "backend_attribute"),
    ("moto.codepipeline.models.CodePipeline.metadata", "attribute"),
    ("moto.codepipeline.models.PipelineExecution.to_dict", "callable"),
    ("moto.codepipeline.models.PipelineExecution.to_summary_dict", "callable"),
    ("moto.codepipeline.responses.CodePipelineResponse.create_pipeline", "callable"),
    ("moto.codepipeline.responses.CodePipelineResponse.start_pipeline_execution", "callable"),
    ("moto.codepipeline.exceptions.PipelineNotFoundException", "class"),
    ("moto.codepipeline.exceptions.PipelineExecutionNotFoundException", "class"),
    ("moto.core.exceptions.JsonRESTError", "class"),
    ("moto.events.models.Rule.send_to_targets", "callable", ("original_event", "transform_input")),
    ("moto.events.models.Rule.arn", "attribute"),
    ("moto.utilities.arns.parse_arn", "callable", ("arn",)),
    *((f"moto.codepipeline.responses.CodePipelineResponse.{name}", "kit_action") for name in api.ACTIONS),
]


def install() -> None:
    """Run pipeline executions; make pipelines EventBridge targets."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    CodePipelineBackend.create_pipeline = runs.wrap(CodePipelineBackend.create_pipeline, runs.create_pipeline)
    CodePipelineBackend.start_pipeline_execution = runs.wrap(CodePipelineBackend.start_pipeline_execution,
                                                             runs.start_pipeline_execution)
    CodePipelineBackend.delete_pipeline = runs.wrap(CodePipelineBackend.delete_pipeline, runs.delete_pipeline)
    PipelineExecution.to_dict = runs.wrap(PipelineExecution.to_dict, runs.execution_dict)
    PipelineExecution.to_summary_dict = runs.wrap(PipelineExecution.to_summary_dict, runs.execution_summary_dict)
    for name in ("create_pipeline", "start_pipeline_execution"):
        setattr(CodePipelineResponse, name, runs.remember_request(getattr(CodePipelineResponse, name)))
    Rule.send_to_targets = eventbridge.send_to_targets(Rule.send_to_targets)
    for name, function in api.ACTIONS.items():
        add_action(CodePipelineResponse, name, function)
