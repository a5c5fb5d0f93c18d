"""`mlops-kit grade` on real notebooks, run by real papermill kernels.

Kernel runs are few and batched: one grader call grades every broken submission.
The fixture lab's checks (tests/fixtures/grading/fixture_labs) reach the kernels
through PYTHONPATH and MLOPS_KIT_LAB_PACKAGES, which the kernels inherit.
"""

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest

from mlops_kit.grading.command import main
from mlops_kit.grading.notebook import MISSING_CELL_NOTE

FIXTURES = Path(__file__).parents[1] / "fixtures" / "grading"
BROKEN = FIXTURES / "broken"
CHECK_IDS = ["fixture_lab.total_is_sum", "fixture_lab.total_is_int", "fixture_lab.mean_is_average"]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


@pytest.fixture(scope="module")
def grade(tmp_path_factory):
    """Run the grader like the command line does; returns (exit status, console output, out folder)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(FIXTURES))
        patch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(FIXTURES), os.environ.get("PYTHONPATH")])))
        patch.setenv("MLOPS_KIT_LAB_PACKAGES", "fixture_labs")

        def run(*args):
            out = tmp_path_factory.mktemp("gradebook")
            status = main([*map(str, args), "--out", str(out)])
            return status, out

        yield run


@pytest.fixture(scope="module")
def broken(grade):
    before = snapshot(FIXTURES)
    status, out = grade(BROKEN, BROKEN / "not_a_notebook.py", FIXTURES / "missing.ipynb", "--timeout", "5")
    return {"status": status, "out": out, "before": before, "after": snapshot(FIXTURES)}


def report(out: Path, stem: str) -> dict:
    return json.loads((out / f"{stem}.json").read_text())


def gradebook(out: Path) -> dict[str, dict]:
    with (out / "gradebook.csv").open(newline="") as stream:
        return {Path(row["submission"]).name: row for row in csv.DictReader(stream)}


def test_grading_leaves_every_submission_byte_for_byte_unchanged_and_adds_no_file(broken):
    assert broken["after"] == broken["before"]


def test_exit_status_is_2_when_a_submission_cannot_be_graded(broken):
    assert broken["status"] == 2


@pytest.mark.parametrize("stem, message", [
    ("missing", "missing.ipynb: no such file."),
    ("not_a_notebook", "not_a_notebook.py: is not a notebook"),
    ("image", "image.ipynb: is not a notebook but a PNG image."),
    ("truncated", "truncated.ipynb: is a corrupted notebook (invalid JSON at line 44"),
    ("no_metadata", "no_metadata.ipynb: has no workshop lab metadata"),
])
def test_each_unreadable_submission_has_a_report_and_a_gradebook_row_saying_why(broken, stem, message):
    data = report(broken["out"], stem)
    assert (data["status"], data["results"], data["total"], data["possible"]) == ("error", [], 0, 0)
    assert message in data["message"]
    row = next(row for name, row in gradebook(broken["out"]).items() if name.startswith(stem + "."))
    assert row["status"] == "error" and message in row["message"]
    assert [row[check] for check in CHECK_IDS] == ["", "", ""]


def test_a_notebook_raising_in_its_first_cell_is_graded_past_the_error(broken):
    data = report(broken["out"], "first_cell_raises")
    assert (data["status"], data["total"], data["possible"]) == ("passed", 4, 4)
    assert data["notes"] == ["cell 2 (`1 / 0`) raised ZeroDivisionError: division by zero"]
    assert data["lab"] == "fixture_lab" and len(data["sha256"]) == 64


def test_an_endless_loop_stops_at_the_time_limit_naming_the_cell_and_keeps_earlier_checks(broken):
    data = report(broken["out"], "infinite_loop")
    stuck = "the time limit (5 s) ran out in cell 6 (`mean = total / len(values)`)"
    assert data["notes"] == [f"stopped: {stuck}"]
    assert {r["check"]: (r["status"], r["points"]) for r in data["results"]} == {
        "fixture_lab.total_is_sum": ("passed", 2), "fixture_lab.total_is_int": ("passed", 1),
        "fixture_lab.mean_is_average": ("failed", 0)}
    assert data["results"][2]["message"] == f"not run: {stuck}."
    assert (data["status"], data["total"], data["possible"], data["percent"]) == ("failed", 3, 4, 75.0)


def test_a_kernel_that_dies_is_reported_with_the_cell_and_keeps_earlier_checks(broken):
    data = report(broken["out"], "kernel_dies")
    died = "the kernel died in cell 6 (`mean = total / len(values)`) (out of memory, or the code exited Python)"
    assert data["notes"] == [f"stopped: {died}"]
    assert [(r["status"], r["message"]) for r in data["results"]] == [
        ("passed", "`total` is the sum of `values`."), ("passed", "`total` is an int."),
        ("failed", f"not run: {died}.")]


def test_checks_whose_cells_were_deleted_run_at_the_end_with_a_note(broken):
    data = report(broken["out"], "deleted_check_cells")
    assert [(r["check"], r["status"], r["note"]) for r in data["results"]] == [
        (check, "passed", MISSING_CELL_NOTE) for check in CHECK_IDS]
    assert data["status"] == "passed"


def test_the_gradebook_has_a_row_per_submission_and_a_column_per_check(broken):
    with (broken["out"] / "gradebook.csv").open(newline="") as stream:
        header = next(csv.reader(stream))
    assert header == ["submission", "lab", "status", "total", "possible", "percent", *CHECK_IDS, "message"]
    rows = gradebook(broken["out"])
    assert sorted(rows) == sorted(["deleted_check_cells.ipynb", "first_cell_raises.ipynb", "image.ipynb",
                                   "infinite_loop.ipynb", "kernel_dies.ipynb", "no_metadata.ipynb", "truncated.ipynb",
                                   "not_a_notebook.py", "missing.ipynb"])
    loop = rows["infinite_loop.ipynb"]
    assert [loop[key] for key in ("lab", "status", "total", "possible", "percent", *CHECK_IDS)] == [
        "fixture_lab", "failed", "3", "4", "75.0", "2", "1", "0"]


def test_the_executed_notebook_shows_each_check_once_and_never_a_hidden_one(broken):
    executed = json.loads((broken["out"] / "executed" / "first_cell_raises.ipynb").read_text())
    shown = ["".join(output["data"]["text/html"]) for cell in executed["cells"] if cell["cell_type"] == "code"
             for output in cell["outputs"] if "text/html" in output.get("data", {})]
    assert len(shown) == 2
    assert "fixture_lab.total_is_sum" in shown[0] and "fixture_lab.mean_is_average" in shown[1]
    assert "total_is_int" not in json.dumps(executed)


def test_the_solution_scores_full_marks_and_exits_0(grade, capsys):
    status, out = grade(FIXTURES / "solutions" / "fixture_lab.ipynb")
    console = capsys.readouterr().out
    assert status == 0
    assert "fixture_lab.ipynb  fixture_lab       4/4  PASS" in console
    assert "    PASS  fixture_lab.total_is_int (hidden) 1/1" in console
    assert report(out, "fixture_lab")["percent"] == 100.0


def test_the_unsolved_lab_scores_zero_and_exits_1(grade, capsys):
    status, out = grade(FIXTURES / "labs")
    console = capsys.readouterr().out
    assert status == 1
    assert "    FAIL  fixture_lab.total_is_sum 0/2: `total` is Ellipsis, but the values add up to 31." in console
    data = report(out, "fixture_lab")
    assert (data["status"], data["total"], data["possible"]) == ("failed", 0, 4)
    assert {r["status"] for r in data["results"]} == {"failed"}


def test_help_documents_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert "0  every submission was graded and scored full marks" in help_text
    assert "1  every submission was graded, and at least one check failed" in help_text
    assert "2  at least one submission could not be graded" in help_text


def test_two_at_a_time_the_gradebook_still_has_a_row_per_submission_in_order(grade, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("alice", "bob", "carol"):
        (folder / f"{name}.ipynb").write_bytes((FIXTURES / "solutions" / "fixture_lab.ipynb").read_bytes())

    status, out = grade(folder, "--jobs", "2")

    with open(out / "gradebook.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert status == 0
    assert [row["submission"].rsplit("/", 1)[-1] for row in rows] == ["alice.ipynb", "bob.ipynb", "carol.ipynb"]
