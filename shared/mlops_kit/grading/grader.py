"""Grading one submission, start to finish, into a `SubmissionReport` (never an exception)."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mlops_kit.grading.checks import Check
from mlops_kit.grading.execution import EXECUTED_FILE, RESULTS_FILE, execute
from mlops_kit.grading.recording import latest_results
from mlops_kit.grading.registry import builds_on, lab_checks
from mlops_kit.grading.results import CheckResult
from mlops_kit.grading.submission import SubmissionError, load_submission

DEFAULT_TIME_LIMIT = 900


@dataclass
class SubmissionReport:
    """Everything the grader found about one submission.

    `status`: "passed" (graded, full marks), "failed" (graded, some check did not pass)
    or "error" (could not be graded; `message` says why and what to do).
    """

    submission: str
    status: str
    lab: str = ""
    message: str = ""
    results: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sha256: str = ""
    seconds: float = 0.0
    executed_notebook: str = ""

    @property
    def total(self) -> float:
        return sum(result.points for result in self.results)

    @property
    def possible(self) -> float:
        return sum(result.possible for result in self.results)

    @property
    def percent(self) -> float:
        return round(100 * self.total / self.possible, 1) if self.possible else 0.0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["results"] = [result.to_dict() for result in self.results]
        return {**data, "total": self.total, "possible": self.possible, "percent": self.percent}


def grade_submission(path: Path, time_limit: float = DEFAULT_TIME_LIMIT,
                     keep_executed: Path | None = None) -> SubmissionReport:
    """Grade `path`; the executed notebook is copied to `keep_executed` when given."""
    started = time.monotonic()
    try:
        submission = load_submission(path)
    except SubmissionError as error:
        return SubmissionReport(str(path), "error", message=str(error), seconds=_since(started))
    report = SubmissionReport(str(path), "error", lab=submission.lab, sha256=submission.sha256)
    with tempfile.TemporaryDirectory(prefix="mlops-kit-grade-") as scratch:
        try:
            execution = execute(submission, Path(scratch), time_limit)
        except Exception as error:  # noqa: BLE001 - whatever stops the run is reported, and the batch goes on
            report.message = f"{path}: the notebook could not be run: {type(error).__name__}: {error}"
            report.seconds = _since(started)
            return report
        recorded = latest_results(Path(scratch) / RESULTS_FILE)
        reason = execution.stopped or "the grader's final checks did not record it"
        results = [recorded.get(check.id) or _not_run(check, reason) for check in lab_checks(submission.lab)]
        report.results, blocked = blocked_by_earlier_exercises(results, builds_on(submission.lab))
        report.notes = [*submission.notes, *([f"stopped: {execution.stopped}"] if execution.stopped else []),
                        *blocked, *execution.cell_errors]
        if keep_executed is not None:
            keep_executed.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(scratch) / EXECUTED_FILE, keep_executed)
            report.executed_notebook = str(keep_executed)
    report.status = "passed" if report.possible and report.total == report.possible else "failed"
    report.seconds = _since(started)
    return report


def blocked_by_earlier_exercises(results: list[CheckResult], depends: dict[str, tuple[str, ...]]
                                 ) -> tuple[list[CheckResult], list[str]]:
    """Failed checks of an exercise that builds on a failed one say which exercise to fix first.

    Their own message (often "`x` is not defined yet") moves to the hint; one note per failed
    exercise says how many later checks it held back, instead of each check repeating it.
    """
    failed = {result.exercise for result in results if not result.passed}
    # Name the exercise to fix first: a failed one that no other failure explains.
    roots = {exercise for exercise in failed if not failed & set(_earlier(exercise, depends))}
    blocked_by: dict[str, list[str]] = {}
    updated = []
    for result in results:
        cause = next((earlier for earlier in _earlier(result.exercise, depends) if earlier in roots), None)
        if result.passed or cause is None:
            updated.append(result)
            continue
        blocked_by.setdefault(cause, []).append(result.check)
        updated.append(dataclasses.replace(
            result, message=f"fix exercise {result.lab}.{cause} first: this check builds on it.",
            hint=f"On its own this check said: {result.message}", note="blocked"))
    notes = [f"exercise {cause} failed, so {len(checks)} later check(s) could not be judged on their own "
             f"({', '.join(checks)}): fix {cause} first." for cause, checks in blocked_by.items()]
    return updated, notes


def _earlier(exercise: str, depends: dict[str, tuple[str, ...]]) -> list[str]:
    """Every exercise `exercise` builds on, directly or through another, nearest first."""
    found, queue = [], list(depends.get(exercise, ()))
    while queue:
        earlier = queue.pop(0)
        if earlier not in found:
            found.append(earlier)
            queue.extend(depends.get(earlier, ()))
    return found


def _not_run(check: Check, reason: str) -> CheckResult:
    return CheckResult(check.id, check.lab, check.exercise, "failed", f"not run: {reason}.", "",
                       0, check.points, check.hidden, "not run")


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)
