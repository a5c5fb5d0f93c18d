"""Validation: every solution scores full marks, every generated lab scores zero."""

import os
from pathlib import Path

import pytest

from mlops_kit.grading import CheckResult
from mlops_kit.grading.grader import SubmissionReport
from mlops_kit.grading.validate import main, problems

FIXTURES = Path(__file__).parents[1] / "fixtures" / "grading"


def result(check: str, status: str) -> CheckResult:
    return CheckResult(check, "lab0", "split", status, f"{check} {status}", "", 1 if status == "passed" else 0, 1)


def graded(path: str, *statuses: str, status: str = "failed", message: str = "") -> SubmissionReport:
    results = [result(f"lab0.check{number}", value) for number, value in enumerate(statuses)]
    return SubmissionReport(path, status, "lab0", message, results)


def test_full_marks_solutions_and_zero_labs_have_no_problems():
    assert problems([graded("solutions/lab0.ipynb", "passed", "passed", status="passed")],
                    [graded("labs/lab0.ipynb", "failed", "error")]) == []


def test_each_failing_solution_check_and_each_passing_lab_check_is_a_problem():
    found = problems([graded("solutions/lab0.ipynb", "passed", "failed")],
                     [graded("labs/lab0.ipynb", "failed", "passed")])
    assert found == [
        "solution solutions/lab0.ipynb: check lab0.check1 failed: lab0.check1 failed",
        "lab labs/lab0.ipynb: check lab0.check1 passes on the unsolved lab "
        "(the stub gives the answer away, or the check is too lax)",
    ]


def test_ungradable_notebooks_and_unpaired_notebooks_are_problems():
    found = problems([graded("solutions/lab1.ipynb", status="error", message="it broke")],
                     [graded("labs/lab2.ipynb", status="error", message="it broke too")])
    assert found == [
        "solution solutions/lab1.ipynb could not be graded: it broke",
        "lab labs/lab2.ipynb could not be graded: it broke too",
        "solution lab1.ipynb has no generated lab: regenerate labs/",
        "lab lab2.ipynb has no solution: labs/ is generated from solutions/",
    ]


def test_no_solutions_at_all_is_a_problem():
    assert problems([], []) == ["no solution notebooks found"]


def test_the_fixture_lab_validates_with_real_kernels(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(FIXTURES), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MLOPS_KIT_LAB_PACKAGES", "fixture_labs")
    status = main(["--solutions", str(FIXTURES / "solutions"), "--labs", str(FIXTURES / "labs")])
    assert capsys.readouterr().out.splitlines() == [
        f"{FIXTURES / 'solutions' / 'fixture_lab.ipynb'}: 4/4 (passed)",
        f"{FIXTURES / 'labs' / 'fixture_lab.ipynb'}: 0/4 (failed)",
        "",
        "valid: every solution scores full marks, every lab zero",
    ]
    assert status == 0
