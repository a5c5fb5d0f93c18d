"""The notebook side of grading: a check cell's `check(...)`, and the grader's final sweep."""

from __future__ import annotations

import os
import warnings
from typing import Any

from mlops_kit.grading.checks import CheckContext
from mlops_kit.grading.recording import RESULTS_ENV, latest_results, record, results_path
from mlops_kit.grading.registry import exercise_checks, lab_checks
from mlops_kit.grading.results import ExerciseReport

GRADING_ENV = "MLOPS_KIT_GRADING"
MISSING_CELL_NOTE = "check cell missing: evaluated at the end of the notebook"


def grading() -> bool:
    """True in a kernel started by the grader: hidden checks run (and are never shown)."""
    return os.environ.get(GRADING_ENV) == "1"


def check(exercise_id: str, namespace: dict[str, Any] | None = None) -> ExerciseReport:
    """Run the checks of `'<lab>.<exercise>'` against the notebook, show them inline, and record them."""
    checks = exercise_checks(exercise_id)
    ctx = CheckContext(_kernel_namespace() if namespace is None else namespace)
    results = [graded.run(ctx) for graded in checks if grading() or not graded.hidden]
    try:
        record(results)
    except OSError as error:  # e.g. a read-only folder: the learner still sees the results
        warnings.warn(f"could not record the results ({error}); set {RESULTS_ENV} to a writable file.", stacklevel=2)
    report = ExerciseReport(exercise_id, tuple(result for result in results if not result.hidden))
    if _in_ipython():
        report.show()
    return report


def run_unrecorded(lab: str, namespace: dict[str, Any] | None = None) -> None:
    """Run and record every check of `lab` that no check cell recorded (the grader's last cell)."""
    recorded = latest_results(results_path(lab))
    ctx = CheckContext(_kernel_namespace() if namespace is None else namespace)
    record([graded.run(ctx, MISSING_CELL_NOTE) for graded in lab_checks(lab) if graded.id not in recorded])


def _kernel_namespace() -> dict[str, Any]:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("check() reads the notebook's variables: call it in a notebook, or pass namespace=...")
    return shell.user_ns


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None
