"""Every lab end to end through the grader, with real kernels, as an instructor grades: the
submission the kit's submit step makes, copied into a folder outside the repository. The
solution's scores full marks, the generated lab's scores zero without crashing, and the
grader exits as documented."""

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from mlops_kit.grading import command
from mlops_kit.grading.grader import grade_submission
from mlops_kit.grading.handin import write_submission
from mlops_kit.project import solution_notebooks

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = solution_notebooks(ROOT)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def handed_in(notebook: Path, tmp_path: Path) -> Path:
    """The notebook's submission, made by the kit's submit step, in a submissions/ folder outside the repository."""
    lab = nbformat.read(notebook, as_version=4).metadata["workshop"]["lab"]
    made, _ = write_submission(notebook, lab, tmp_path / "made" / f"{notebook.stem}-submission.zip")
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    assert ROOT not in submissions.resolve().parents
    return Path(shutil.copy2(made, submissions / made.name))


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda path: path.stem)
def test_the_solution_scores_full_marks_including_hidden_checks(solution, tmp_path):
    before = digest(solution)
    report = grade_submission(handed_in(solution, tmp_path))
    assert report.status == "passed", report.message or [r.message for r in report.results if not r.passed]
    assert report.total == report.possible > 0
    assert any(result.hidden for result in report.results), "every lab has at least one hidden check"
    assert digest(solution) == before


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda path: path.stem)
def test_the_generated_lab_scores_zero_and_the_grader_exits_1(solution, tmp_path, capsys):
    lab = ROOT / "labs" / solution.name
    before = digest(lab)
    submission = handed_in(lab, tmp_path)
    assert command.main([str(submission.parent), "--out", str(tmp_path / "out")]) == 1
    report = json.loads((tmp_path / "out" / f"{submission.stem}.json").read_text())
    assert report["status"] == "failed" and report["total"] == 0 < report["possible"]
    assert {result["status"] for result in report["results"]} == {"failed"}, "a check crashed on the unsolved lab"
    assert all(result["message"] for result in report["results"])
    assert submission.stem in (tmp_path / "out" / "gradebook.csv").read_text()
    assert digest(lab) == before


def test_a_lab2_notebook_handed_in_without_its_package_says_what_to_hand_in(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    notebook = Path(shutil.copy2(ROOT / "solutions" / "lab2-pipeline.ipynb", submissions))

    report = grade_submission(notebook)

    assert report.notes[0].startswith("this lab's submission must include lab2-pipeline/pipelines/credit/*.py, "
                                       "lab2-pipeline/tests/*.py")
    assert "./workshop submit lab2" in report.notes[0]
    package = next(result for result in report.results if result.exercise == "package")
    assert package.message == ("Some of the package's functions or tests are still TODO (NotImplementedError).")
    later = {result.message for result in report.results if result.exercise != "package"}
    assert later == {"fix exercise lab2.package first: this check builds on it."}, "one cause, named once"
    assert sum("fix package first" in note for note in report.notes) == 1
