"""The CodePipeline actions moto 5.2.5 lacks, answered from the kit's runs."""

from moto.codepipeline.exceptions import PipelineExecutionNotFoundException
from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from .errors import (ActionNotFoundException, ApprovalAlreadyCompletedException, DuplicatedStopRequestException,
                     InvalidApprovalTokenException, PipelineExecutionNotStoppableException, StageNotFoundException,
                     ValidationException)
from .runs import caller, pipeline_runs


def _runs(response, name: str):
    return pipeline_runs(response.codepipeline_backend, name)


def _execution(response, name: str, execution_id: str):
    run = _runs(response, name).find(execution_id)
    if run is None:
        backend = response.codepipeline_backend
        raise PipelineExecutionNotFoundException(
            f"Account '{backend.account_id}' does not have an execution with id '{execution_id}' "
            f"for pipeline '{name}'")
    return run


def get_pipeline_state(self):
    name = self._get_param("name")
    runs = _runs(self, name)
    pipeline = self.codepipeline_backend.pipelines[name]
    executions = list(reversed(runs.executions))  # newest first
    stages = []
    for index, stage in enumerate(pipeline.pipeline["stages"]):
        state = {"stageName": stage["name"], "actionStates": []}
        if index:
            state["inboundTransitionState"] = {"enabled": True}
        latest = next((run for run in executions if stage["name"] in run.stage_status), None)
        if latest:
            state["latestExecution"] = {"pipelineExecutionId": latest.execution_id,
                                        "status": latest.stage_status[stage["name"]], "type": "STANDARD"}
        for action in stage["actions"]:
            action_state = {"actionName": action["name"]}
            record = next((a for run in executions for a in reversed(run.actions)
                           if a.stage_name == stage["name"] and a.name == action["name"]), None)
            if record:
                action_state["latestExecution"] = record.state()
            state["actionStates"].append(action_state)
        stages.append(state)
    return ActionResult({"pipelineName": name, "pipelineVersion": pipeline.pipeline["version"],
                         "stageStates": stages, "created": pipeline._created, "updated": pipeline._updated})


def list_action_executions(self):
    name = self._get_param("pipelineName")
    runs = _runs(self, name)
    execution_id = (self._get_param("filter") or {}).get("pipelineExecutionId")
    executions = [_execution(self, name, execution_id)] if execution_id else list(runs.executions)
    details = [action.detail() for run in executions for action in run.actions]
    details.sort(key=lambda detail: detail["startTime"], reverse=True)
    max_results = self._get_param("maxResults")
    return ActionResult({"actionExecutionDetails": details[:max_results] if max_results else details})


def put_approval_result(self):
    name, stage_name, action_name = (self._get_param(k) for k in ("pipelineName", "stageName", "actionName"))
    result, token = self._get_param("result") or {}, self._get_param("token")
    runs = _runs(self, name)
    stage = next((s for s in self.codepipeline_backend.pipelines[name].pipeline["stages"]
                  if s["name"] == stage_name), None)
    if stage is None:
        raise StageNotFoundException(f"Stage {stage_name} not found in pipeline {name}")
    if not any(a["name"] == action_name for a in stage["actions"]):
        raise ActionNotFoundException(f"Action {action_name} not found in stage {stage_name} of pipeline {name}")
    if result.get("status") not in ("Approved", "Rejected"):
        raise ValidationException("1 validation error detected: Value at 'result.status' failed to satisfy "
                                  "constraint: Member must satisfy enum value set: [Approved, Rejected]")
    records = [a for run in runs.executions for a in run.actions
               if a.stage_name == stage_name and a.name == action_name]
    issued = next((a for a in records if a.approval_token and a.approval_token == token), None)
    if issued is None:
        raise InvalidApprovalTokenException(f"The token {token} is not valid for action {action_name} "
                                            f"in stage {stage_name} of pipeline {name}")
    if issued.approval_result is not None or issued.status != "InProgress":
        raise ApprovalAlreadyCompletedException(f"Approval for action {action_name} has already been completed")
    pending = issued
    approved_at = utcnow()
    pending.approval_result = {"status": result["status"], "summary": result.get("summary"),
                               "updatedBy": caller(self.codepipeline_backend)}
    pending.token = None
    pending.approval.set()
    return ActionResult({"approvedAt": approved_at})


def stop_pipeline_execution(self):
    name, execution_id = self._get_param("pipelineName"), self._get_param("pipelineExecutionId")
    run = _execution(self, name, execution_id)
    status = run.execution.status
    if status == "Stopping":
        raise DuplicatedStopRequestException(f"Pipeline execution {execution_id} is already being stopped")
    if status != "InProgress":
        raise PipelineExecutionNotStoppableException(
            f"Unable to stop pipeline execution {execution_id} because it is in {status} state")
    run.request_stop(abandon=bool(self._get_param("abandon")), reason=self._get_param("reason"))
    return ActionResult({"pipelineExecutionId": execution_id})


ACTIONS = {
    "get_pipeline_state": get_pipeline_state,
    "list_action_executions": list_action_executions,
    "put_approval_result": put_approval_result,
    "stop_pipeline_execution": stop_pipeline_execution,
}
