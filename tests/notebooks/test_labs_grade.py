"""Every lab end to end through the grader, with real kernels: the solution scores full
marks, the generated lab scores zero without crashing, and the grader exits as documented."""

import hashlib
import json
from pathlib import Path

import pytest

from mlops_kit.grading import command
from mlops_kit.grading.grader import grade_submission
from mlops_kit.project import solution_notebooks

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = solution_notebooks(ROOT)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda path: path.stem)
def test_the_solution_scores_full_marks_including_hidden_checks(solution):
    before = digest(solution)
    report = grade_submission(solution)
    assert report.status == "passed", report.message or [r.message for r in report.results if not r.passed]
    assert report.total == report.possible > 0
    assert any(result.hidden for result in report.results), "every lab has at least one hidden check"
    assert digest(solution) == before


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda path: path.stem)
def test_the_generated_lab_scores_zero_and_the_grader_exits_1(solution, tmp_path, capsys):
    lab = ROOT / "labs" / solution.name
    before = digest(lab)
    assert command.main([str(lab), "--out", str(tmp_path)]) == 1
    report = json.loads((tmp_path / f"{lab.stem}.json").read_text())
    assert report["status"] == "failed" and report["total"] == 0 < report["possible"]
    assert {result["status"] for result in report["results"]} == {"failed"}, "a check crashed on the unsolved lab"
    assert all(result["message"] for result in report["results"])
    assert lab.stem in (tmp_path / "gradebook.csv").read_text()
    assert digest(lab) == before
