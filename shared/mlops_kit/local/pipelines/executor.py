"""One pipeline execution: steps in dependency order, statuses over time, stop.

A scheduler thread starts every step whose dependencies succeeded (up to
ParallelismConfiguration's MaxParallelExecutionSteps at once, each in its own thread),
skips the steps of a Condition's branch that was not taken (and what depends on them),
starts nothing new once a step failed or a stop was asked, and ends the execution
Succeeded, Failed (FailureReason names the failed step and carries its error) or Stopped.
"""

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.s3.models import s3_backends

from ..jobs.runner import clip, start_job, utcnow
from ...s3_uri import split_s3_uri
from .definition import Definition, Step, dependencies
from .expressions import ExpressionError, format_path
from .steps import StepFailed, StepRun, StepStopped, run_step

DEFAULT_PARALLELISM = 50
STEP_REASON_LIMIT = 1024  # FailureReason of a step, as the API bounds it
EXECUTION_REASON_LIMIT = 1300  # PipelineExecutionFailureReason
WAKE_SECONDS = 0.5
logger = logging.getLogger(__name__)


@dataclass
class StepRecord:
    """A step as ListPipelineExecutionSteps shows it."""

    step: Step
    status: str = "Starting"
    start_time: datetime = field(default_factory=utcnow)
    end_time: datetime | None = None
    failure_reason: str | None = None
    metadata: dict = field(default_factory=dict)

    def summary(self) -> dict:
        item = {"StepName": self.step.name, "StepDisplayName": self.step.display_name,
                "StepDescription": self.step.description, "StartTime": self.start_time,
                "EndTime": self.end_time, "StepStatus": self.status,
                "FailureReason": self.failure_reason, "Metadata": dict(self.metadata),
                "AttemptCount": 1}
        return {key: value for key, value in item.items() if value is not None}


class PipelineExecutionRun:
    """Runs one FakePipelineExecution's definition against the server's own backends."""

    def __init__(self, backend, pipeline, execution, definition: Definition,
                 parameter_values: dict, endpoint_url: str | None):
        self.backend = backend
        self.pipeline = pipeline
        self.execution = execution
        self.definition = definition
        self.parameter_values = parameter_values
        self.endpoint_url = endpoint_url
        self.execution_id = execution.arn.rsplit("/", 1)[-1]
        self.records: dict[str, StepRecord] = {}
        self.properties: dict[str, dict] = {}
        self.outcomes: dict[str, bool] = {}
        self.finished: dict[str, str] = {}  # step name -> Succeeded/Failed/Stopped/Skipped
        self.stopping = threading.Event()
        self.changed = threading.Condition()
        self.limit = (execution.parallelism_configuration or {}).get(
            "MaxParallelExecutionSteps") or DEFAULT_PARALLELISM

    # --- what the API handlers call

    def start(self) -> None:
        self._set_status("Executing")
        start_job(f"pipeline-{self.execution_id}", self._schedule, self._crash)

    def stop(self) -> str:
        """Ask the running steps to stop; returns the status the execution had."""
        with self.changed:
            status = self.execution.pipeline_execution_status
            if status == "Executing":
                self._set_status("Stopping")
                self.stopping.set()
                self.changed.notify_all()
            return status

    def steps(self) -> list[dict]:
        """Newest first, as the service lists them by default."""
        with self.changed:
            records = list(self.records.values())
        return [record.summary() for record in sorted(records, key=lambda r: r.start_time, reverse=True)]

    # --- scheduling

    def _schedule(self) -> None:
        running: set[str] = set()
        with self.changed:
            while True:
                running -= set(self.finished)
                if not self.stopping.is_set() and "Failed" not in self.finished.values():
                    for step in self._ready(running):
                        if len(running) >= self.limit:
                            break
                        running.add(step.name)
                        self._launch(step)
                if not running:
                    break
                self.changed.wait(WAKE_SECONDS)
            self._finish()

    def _ready(self, running: set) -> list[Step]:
        """Steps that may start now; marks Skipped those that never will (branch not taken)."""
        ready, queued, progress = [], set(), True
        while progress:
            progress = False
            for name in self.definition.order:
                if name in self.finished or name in running or name in self.records:
                    continue
                step = self.definition.steps[name]
                needed = dependencies(step, self.definition.steps)
                if any(self.finished.get(d) in ("Skipped", "Failed", "Stopped") for d in needed) or (
                        step.branch and step.branch[0] in self.outcomes
                        and self.outcomes[step.branch[0]] != step.branch[1]):
                    self.finished[name] = "Skipped"
                    progress = True
                elif all(self.finished.get(d) == "Succeeded" for d in needed) and name not in queued:
                    ready.append(step)
                    queued.add(name)
        return ready

    def _launch(self, step: Step) -> None:
        record = StepRecord(step)
        self.records[step.name] = record
        thread = threading.Thread(target=self._run_step, args=(record,), daemon=True,
                                  name=f"mlops-kit-pipeline-{self.execution_id}-{step.name}")
        thread.start()

    def _run_step(self, record: StepRecord) -> None:
        step = record.step

        def started(metadata: dict) -> None:
            record.metadata = metadata
            record.status = "Executing"

        run = StepRun(self.backend, self.execution_id, self.endpoint_url, self.stopping.is_set, started)
        run.lookup = _StepLookup(self, run)
        status, reason = "Succeeded", None
        try:
            result = run_step(step, run)
            record.metadata = result.metadata
            if result.properties is not None:
                self.properties[step.name] = result.properties
            if result.outcome is not None:
                self.outcomes[step.name] = result.outcome
        except StepStopped:
            status = "Stopped"
        except StepFailed as failure:
            status, reason = "Failed", clip(failure.reason, STEP_REASON_LIMIT)
            record.metadata = failure.metadata or record.metadata
        except Exception as error:  # noqa: BLE001 - a kit bug must still end the step
            logger.exception("local backend pipeline step %s crashed", step.name)
            status = "Failed"
            reason = (f"InternalServerError: the local backend could not run step {step.name} "
                      f"({type(error).__name__}: {error}). This is a bug of the kit: see "
                      "`mlops-kit server log` and report it.")
        with self.changed:
            record.failure_reason = reason
            record.end_time = utcnow()
            record.status = status
            self.finished[step.name] = status
            self.changed.notify_all()

    def _finish(self) -> None:
        failed = [r for r in self.records.values() if r.status == "Failed"]
        if failed:
            reason = "; ".join(f"Step {r.step.name} failed: {r.failure_reason}" for r in failed)
            self._set_status("Failed", clip(reason, EXECUTION_REASON_LIMIT))
        elif self.stopping.is_set():
            self._set_status("Stopped")
        else:
            self._set_status("Succeeded")

    def _crash(self, reason: str) -> None:
        self._set_status("Failed", reason)

    def _set_status(self, status: str, reason: str | None = None) -> None:
        self.execution.pipeline_execution_failure_reason = reason
        self.execution.last_modified_time = utcnow()
        self.execution.pipeline_execution_status = status

    # --- values the steps read

    def execution_variable(self, name: str, run: StepRun) -> Any:
        values = {
            "PipelineExecutionId": self.execution_id,
            "PipelineExecutionArn": self.execution.arn,
            "StartDateTime": _iso(self.execution.start_time),
            "CurrentDateTime": _iso(utcnow()),
            "PipelineName": self.pipeline.pipeline_name,
            "PipelineArn": self.pipeline.arn,
            "TrainingJobName": run.job_name,
            "ProcessingJobName": run.job_name,
        }
        return values[name]

    def step_property(self, step: str, path: tuple) -> Any:
        if step not in self.properties:
            raise ExpressionError(f"Step {step} has no properties yet (it has not succeeded).")
        value = self.properties[step]
        for position, token in enumerate(path):
            value = _select(value, token)
            if value is None:
                raise ExpressionError(f"Step {step} has no property {format_path(path[:position + 1])} "
                                      f"in its job's description.")
        return value

    def property_file(self, step: str, name: str) -> Any:
        spec = self.definition.steps[step].property_files[name]
        outputs = self.step_property(step, ("ProcessingOutputConfig", "Outputs"))
        output = next((o for o in outputs if o.get("OutputName") == spec.get("OutputName")), None)
        if output is None:
            raise ExpressionError(f"Property file {name} of step {step} names output "
                                  f"{spec.get('OutputName')!r}, which the step does not have.")
        uri = f"{output['S3Output']['S3Uri'].rstrip('/')}/{spec.get('FilePath', '').lstrip('/')}"
        return self.s3_json(uri, f"property file {name} of step {step}")

    def s3_json(self, uri: str, what: str | None = None) -> Any:
        what = what or uri
        try:
            bucket, key = split_s3_uri(uri)
            body = s3_backends[self.backend.account_id]["aws"].get_object(bucket, key).value
        except Exception as error:  # noqa: BLE001 - missing bucket/key, bad URI: all say the same
            raise ExpressionError(f"Cannot read {what}: no object at {uri}. Check that the step's "
                                  "script writes that file into the output folder.") from error
        try:
            return json.loads(body)
        except ValueError as error:
            raise ExpressionError(f"Cannot read {what} at {uri}: it is not JSON ({error}).") from error


class _StepLookup:
    """The executor's values, seen from one step (for the job-name execution variables)."""

    def __init__(self, execution: PipelineExecutionRun, run: StepRun):
        self.execution, self.run = execution, run

    def parameter(self, name: str) -> Any:
        return self.execution.parameter_values[name]

    def execution_variable(self, name: str) -> Any:
        return self.execution.execution_variable(name, self.run)

    def step_property(self, step: str, path: tuple) -> Any:
        return self.execution.step_property(step, path)

    def property_file(self, step: str, name: str) -> Any:
        return self.execution.property_file(step, name)

    def s3_json(self, uri: str) -> Any:
        return self.execution.s3_json(uri)


def _select(value: Any, token: Any) -> Any:
    """One step of a property path: a field, a list index, or a list item by its name."""
    if isinstance(token, str):
        return value.get(token) if isinstance(value, dict) else None
    if isinstance(token, int):
        return value[token] if isinstance(value, list) and -len(value) <= token < len(value) else None
    key = token[0]
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list):
        return next((item for item in value if isinstance(item, dict) and any(
            field_name.endswith("Name") and field_value == key
            for field_name, field_value in item.items())), None)
    return None


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
