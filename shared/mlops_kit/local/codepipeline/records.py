"""What an execution did, kept in the shapes GetPipelineState and ListActionExecutions show.

Every attribute is created in ``__init__`` (the server serialises these objects while the
runner thread updates them: see docs/extending-moto.md, "Concurrency").
"""

import threading
import uuid

from moto.core.utils import utcnow

from .artifacts import Artifact


class ActionRun:
    """One execution of one action of one pipeline execution."""

    def __init__(self, execution_id: str, version: int, stage_name: str, declaration: dict, region: str):
        self.execution_id = execution_id
        self.pipeline_version = version
        self.stage_name = stage_name
        self.declaration = declaration
        self.region = region
        self.action_execution_id = str(uuid.uuid4())
        self.status = "InProgress"
        self.summary: str | None = None
        self.external_execution_id: str | None = None
        self.error: dict | None = None
        self.token: str | None = None  # shown while an approval waits
        self.approval_token: str | None = None  # kept after, to tell a used token from a wrong one
        self.updated_by: str | None = None
        self.start_time = utcnow()
        self.last_update_time = self.start_time
        self.input_artifacts: list[Artifact] = []
        self.output_artifacts: list[Artifact] = []
        self.approval = threading.Event()  # set by PutApprovalResult or a stop
        self.approval_result: dict | None = None

    @property
    def name(self) -> str:
        return self.declaration["name"]

    def finish(self, status: str, *, summary: str | None = None, error: str | None = None) -> None:
        if summary is not None:
            self.summary = summary
        if error is not None:
            self.error = {"code": "JobFailed", "message": error}
        self.token = None if status != "InProgress" else self.token
        self.last_update_time = utcnow()
        self.status = status

    def state(self) -> dict:
        """ActionExecution, the latestExecution of an ActionState."""
        state = {"actionExecutionId": self.action_execution_id, "status": self.status,
                 "lastStatusChange": self.last_update_time, "summary": self.summary,
                 "token": self.token, "externalExecutionId": self.external_execution_id,
                 "errorDetails": self.error, "lastUpdatedBy": self.updated_by}
        return {key: value for key, value in state.items() if value is not None}

    def detail(self) -> dict:
        """ActionExecutionDetail, one entry of ListActionExecutions."""
        declaration = self.declaration
        configuration = declaration.get("configuration", {})
        result = {"externalExecutionId": self.external_execution_id,
                  "externalExecutionSummary": self.summary, "errorDetails": self.error}
        action_input = {"actionTypeId": declaration["actionTypeId"], "configuration": configuration,
                        "resolvedConfiguration": configuration, "region": declaration.get("region", self.region),
                        "inputArtifacts": [artifact.detail() for artifact in self.input_artifacts],
                        "roleArn": declaration.get("roleArn"), "namespace": declaration.get("namespace")}
        return {"pipelineExecutionId": self.execution_id, "actionExecutionId": self.action_execution_id,
                "pipelineVersion": self.pipeline_version, "stageName": self.stage_name, "actionName": self.name,
                "startTime": self.start_time, "lastUpdateTime": self.last_update_time, "status": self.status,
                "updatedBy": self.updated_by,
                "input": {k: v for k, v in action_input.items() if v is not None},
                "output": {"outputArtifacts": [artifact.detail() for artifact in self.output_artifacts],
                           "executionResult": {k: v for k, v in result.items() if v is not None}}}
