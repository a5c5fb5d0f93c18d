"""Grading: checks declared per lab, shown inline in the notebook, recorded, and graded in batch.

Writing checks: `@graded(lab, exercise=..., points=..., success=...)` and `CheckFailed`
(see `checks`). In a notebook: `check("lab0.split")` (see `notebook`). Grading
submissions: `mlops-kit grade` (see `command`); validating labs: `validate`.
"""

from mlops_kit.grading.checks import Check, CheckContext, CheckFailed, graded
from mlops_kit.grading.notebook import check
from mlops_kit.grading.registry import UnknownCheck
from mlops_kit.grading.results import CheckResult, ExerciseReport

__all__ = ["Check", "CheckContext", "CheckFailed", "CheckResult", "ExerciseReport", "UnknownCheck", "check", "graded"]
