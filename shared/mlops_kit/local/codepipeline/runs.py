"""Starting executions: the kit's wrappers around moto's CodePipeline backend.

moto records an execution as Succeeded at once; the kit keeps moto's record (so moto's
GetPipelineExecution / ListPipelineExecutions answer) and runs it (``CodePipelineExecutionRun``).
CreatePipeline starts a first execution (trigger CreatePipeline), as AWS does.
"""

import contextvars
import functools

from moto.codepipeline.exceptions import PipelineNotFoundException
from moto.core.utils import iso_8601_datetime_with_milliseconds
from moto.utilities.utils import get_partition

from .execution import CodePipelineExecutionRun, PipelineRuns

# Set by the response wrappers (request-scoped) and by the EventBridge target.
endpoint_url: contextvars.ContextVar[str | None] = contextvars.ContextVar("codepipeline_endpoint", default=None)
trigger: contextvars.ContextVar[dict | None] = contextvars.ContextVar("codepipeline_trigger", default=None)
request_token: contextvars.ContextVar[str | None] = contextvars.ContextVar("codepipeline_token", default=None)


def registry(backend) -> dict[str, PipelineRuns]:
    """The kit's runs, kept on the backend so that a reset clears them."""
    return backend.__dict__.setdefault("_mlops_kit_runs", {})


def pipeline_runs(backend, name: str) -> PipelineRuns:
    runs = registry(backend).get(name)
    if runs is None or name not in backend.pipelines:
        raise PipelineNotFoundException(f"Account '{backend.account_id}' does not have a pipeline with name '{name}'")
    return runs


def caller(backend) -> str:
    return f"arn:{get_partition(backend.region_name)}:sts::{backend.account_id}:user/moto"


def create_pipeline(original, self, pipeline, tags):
    result = original(self, pipeline, tags)
    registry(self)[pipeline["name"]] = PipelineRuns(endpoint_url.get())
    token = trigger.set({"triggerType": "CreatePipeline", "triggerDetail": caller(self)})
    try:
        self.start_pipeline_execution(pipeline["name"], None)
    finally:
        trigger.reset(token)
    return result


def start_pipeline_execution(original, self, name, variables):
    runs = pipeline_runs(self, name) if name in self.pipelines else None
    client_token = request_token.get()
    if runs and client_token and client_token in runs.request_tokens:
        return runs.request_tokens[client_token]
    execution_id = original(self, name, variables)
    runs = pipeline_runs(self, name)
    pipeline = self.pipelines[name]
    execution = pipeline.executions[execution_id]
    run = CodePipelineExecutionRun(runs, execution, pipeline.pipeline, self.account_id, self.region_name,
                       trigger.get() or {"triggerType": "StartPipelineExecution", "triggerDetail": caller(self)})
    execution._mlops_kit_run = run
    with runs.condition:
        runs.executions.append(run)
        if client_token:
            runs.request_tokens[client_token] = execution_id
    run.start()
    return execution_id


def delete_pipeline(original, self, name):
    original(self, name)
    for run in registry(self).pop(name, PipelineRuns(None)).executions:
        if run.execution.status == "InProgress":
            run.request_stop(abandon=True, reason="The pipeline was deleted")


def execution_dict(original, self):
    """GetPipelineExecution's PipelineExecution with the run's trigger and revisions."""
    answer = original(self)
    run = getattr(self, "_mlops_kit_run", None)
    if run:
        answer.update(trigger=run.trigger, executionMode="SUPERSEDED", executionType="STANDARD",
                      artifactRevisions=[{**r, "created": iso_8601_datetime_with_milliseconds(r["created"])}
                                         for r in run.artifact_revisions])
        answer["statusSummary"] = self.status_summary
    return answer


def execution_summary_dict(original, self):
    """ListPipelineExecutions' summary with the run's trigger and source revisions."""
    answer = original(self)
    run = getattr(self, "_mlops_kit_run", None)
    if run:
        answer.update(trigger=run.trigger, sourceRevisions=list(run.source_revisions),
                      executionMode="SUPERSEDED", executionType="STANDARD")
        if run.stop_requested:
            answer["stopTrigger"] = {"reason": run.stop_reason or ""}
    return answer


def remember_request(original):
    """Keep the server's own URL and the clientRequestToken for the backend wrappers."""
    @functools.wraps(original)
    def action(self):
        host = self.headers.get("Host")
        tokens = [endpoint_url.set(f"http://{host}" if host else None),
                  request_token.set(self._get_param("clientRequestToken"))]
        try:
            return original(self)
        finally:
            request_token.reset(tokens[1])
            endpoint_url.reset(tokens[0])

    return action


def wrap(original, wrapper):
    """moto's method calling ``wrapper(original, self, ...)``, moto's signature kept."""
    @functools.wraps(original)
    def method(self, *args, **kwargs):
        return wrapper(original, self, *args, **kwargs)

    return method
