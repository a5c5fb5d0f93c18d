"""Checks of an exercise that builds on a failed one say which exercise to fix first, once."""

from mlops_kit.grading.grader import blocked_by_earlier_exercises
from mlops_kit.grading.results import CheckResult

BUILDS_ON = {"run": ("package", "definition"), "fail_path": ("definition",), "approve": ("run",)}


def result(exercise: str, name: str, passed: bool, message: str = "") -> CheckResult:
    return CheckResult(f"lab2.{name}", "lab2", exercise, "passed" if passed else "failed",
                       message or ("ok" if passed else f"{name} is wrong"), "", 1 if passed else 0, 1)


def test_a_failed_exercise_relabels_the_failures_that_build_on_it_and_notes_it_once():
    results = [result("package", "tests", True), result("definition", "steps", False),
               result("run", "succeeded", False, "`execution` is not defined yet"), result("run", "hidden", False),
               result("fail_path", "fails", False), result("approve", "approved", False)]

    updated, notes = blocked_by_earlier_exercises(results, BUILDS_ON)

    by_check = {r.check: r for r in updated}
    assert by_check["lab2.steps"].message == "steps is wrong"  # the exercise that failed keeps its own message
    assert by_check["lab2.succeeded"].message == "fix exercise lab2.definition first: this check builds on it."
    assert by_check["lab2.succeeded"].hint == "On its own this check said: `execution` is not defined yet"
    assert by_check["lab2.approved"].message == "fix exercise lab2.definition first: this check builds on it."
    assert {r.status for r in updated} == {"passed", "failed"} and sum(r.points for r in updated) == 1
    assert notes == ["exercise definition failed, so 4 later check(s) could not be judged on their own "
                     "(lab2.succeeded, lab2.hidden, lab2.fails, lab2.approved): fix definition first."]


def test_checks_of_independent_exercises_keep_their_results():
    results = [result("package", "tests", False), result("definition", "steps", True), result("fail_path", "fails", False)]

    updated, notes = blocked_by_earlier_exercises(results, BUILDS_ON)

    assert updated == results and notes == []
