"""One pipeline execution, run stage by stage in a daemon thread of the server process.

Order: stages in declaration order; in a stage, actions grouped by ``runOrder`` (lowest
first), the actions of one group in parallel, the next group only when all of a group
succeeded. A failed action fails its stage and the execution (later stages do not run).

Concurrency (SUPERSEDED mode, the default of V1 and V2 pipelines): one execution at a
time in each stage. An execution that finished a stage leaves it, then waits at the
next stage's entry while another execution is in that stage; if a newer execution arrives at the same
entry, the waiting older one stops there with status Superseded.
"""

import logging
import threading

import boto3
from moto.core.utils import utcnow

from . import actions
from .errors import ActionFailed
from .records import ActionRun

logger = logging.getLogger(__name__)


class PipelineRuns:
    """Every execution of one pipeline, and which execution holds or waits for each stage."""

    def __init__(self, endpoint_url: str | None):
        self.endpoint_url = endpoint_url
        self.condition = threading.Condition()
        self.executions: list["CodePipelineExecutionRun"] = []  # oldest first
        self.occupant: dict[str, str] = {}
        self.waiting: dict[str, "CodePipelineExecutionRun"] = {}
        self.request_tokens: dict[str, str] = {}

    def enter(self, run: "CodePipelineExecutionRun", stage: str) -> bool:
        """Wait until ``run`` may enter ``stage``; False when it was superseded or stopped meanwhile."""
        with self.condition:
            older = self.waiting.get(stage)
            if older is not None:
                older.superseded = True
            self.waiting[stage] = run
            self.condition.notify_all()
            while self.occupant.get(stage) and not (run.superseded or run.stop_requested):
                self.condition.wait(0.5)
            if self.waiting.get(stage) is run:
                del self.waiting[stage]
            if run.superseded or run.stop_requested:
                return False
            self.occupant[stage] = run.execution_id
            return True

    def leave(self, run: "CodePipelineExecutionRun", stage: str) -> None:
        with self.condition:
            if self.occupant.get(stage) == run.execution_id:
                del self.occupant[stage]
            self.condition.notify_all()

    def find(self, execution_id: str) -> "CodePipelineExecutionRun | None":
        return next((run for run in self.executions if run.execution_id == execution_id), None)


class CodePipelineExecutionRun:
    """The kit's record of a moto ``PipelineExecution`` (whose status it keeps up to date)."""

    def __init__(self, runs: PipelineRuns, execution, pipeline: dict, account_id: str, region: str,
                 trigger: dict):
        self.runs = runs
        self.execution = execution
        self.execution_id = execution.pipeline_execution_id
        self.pipeline = pipeline
        self.account_id = account_id
        self.region = region
        self.trigger = trigger
        self.stage_status: dict[str, str] = {}
        self.actions: list[ActionRun] = []
        self.artifacts: dict = {}
        self.source_revisions: list[dict] = []
        self.artifact_revisions: list[dict] = []
        self.superseded = False
        self.stop_requested = False
        self.abandon = False
        self.stop_reason: str | None = None
        self._session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                              region_name=region)
        self._client_lock = threading.Lock()

    def start(self) -> None:
        self._set_status("InProgress")
        threading.Thread(target=self._run, name=f"mlops-kit-codepipeline-{self.execution_id}",
                         daemon=True).start()

    def request_stop(self, abandon: bool, reason: str | None) -> None:
        self.stop_requested, self.abandon, self.stop_reason = True, abandon, reason
        self._set_status("Stopping")
        for action in list(self.actions):
            if action.status == "InProgress" and action.token:
                action.approval.set()
        with self.runs.condition:
            self.runs.condition.notify_all()

    def _run(self) -> None:
        try:
            status = self._run_stages()
        except Exception as error:  # noqa: BLE001 - a bug of the kit must still end the execution
            logger.exception("pipeline execution %s crashed", self.execution_id)
            self.execution.status_summary = (f"The local backend could not run this execution "
                                             f"({type(error).__name__}: {error}); this is a bug of the kit.")
            status = "Failed"
        self._set_status(status)

    def _run_stages(self) -> str:
        for stage in self.pipeline["stages"]:
            if not self.runs.enter(self, stage["name"]):
                return "Superseded" if self.superseded else "Stopped"
            try:
                status = self._run_stage(stage)
            finally:
                self.runs.leave(self, stage["name"])
            if status != "Succeeded":
                return status
        return "Stopped" if self.stop_requested else "Succeeded"

    def _run_stage(self, stage: dict) -> str:
        name = stage["name"]
        self.stage_status[name] = "InProgress"
        for run_order in sorted({action.get("runOrder", 1) for action in stage["actions"]}):
            if self.stop_requested:
                break
            group = [self._new_action(name, action) for action in stage["actions"]
                     if action.get("runOrder", 1) == run_order]
            threads = [threading.Thread(target=self._run_action, args=(action,), daemon=True) for action in group]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            failed = [action for action in group if action.status == "Failed"]
            if failed:
                self.stage_status[name] = "Failed"
                return "Failed"
        status = "Stopped" if self.stop_requested else "Succeeded"
        self.stage_status[name] = status
        return status

    def _new_action(self, stage_name: str, declaration: dict) -> ActionRun:
        action = ActionRun(self.execution_id, self.pipeline.get("version", 1), stage_name, declaration, self.region)
        self.actions.append(action)
        return action

    def _run_action(self, action: ActionRun) -> None:
        try:
            actions.run(self, action)
        except ActionFailed as failure:
            action.finish("Failed", error=str(failure))
        except Exception as error:  # noqa: BLE001 - never leave an action InProgress
            logger.exception("action %s of %s crashed", action.name, self.execution_id)
            action.finish("Failed", error=f"The local backend could not run this action "
                                          f"({type(error).__name__}: {error}); this is a bug of the kit.")
        else:
            if action.status == "InProgress":
                action.finish("Abandoned" if self.stop_requested else "Succeeded")

    def client(self, service: str):
        """A boto3 client of this server, as the pipeline's role would call the service on AWS."""
        with self._client_lock:  # a boto3 session is not thread-safe; parallel actions share it
            return self._session.client(service, endpoint_url=self.runs.endpoint_url)

    def should_stop(self) -> bool:
        """True when a stop with abandon asks in-progress actions to let go."""
        return self.stop_requested and self.abandon

    def _set_status(self, status: str) -> None:
        self.execution.last_update_time = utcnow()
        self.execution.status = status
        if status == "Stopped" and self.stop_reason:
            self.execution.status_summary = self.stop_reason

