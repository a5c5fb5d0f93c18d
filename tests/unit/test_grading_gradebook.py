"""Gradebook writing that needs no kernel: names, and reports of submissions that cannot be graded."""

import csv
import json
from pathlib import Path

from mlops_kit.grading import CheckResult
from mlops_kit.grading.command import main
from mlops_kit.grading.grader import SubmissionReport
from mlops_kit.grading.gradebook import console_table, report_names, write_gradebook

RESULT = CheckResult("lab0.split_ok", "lab0", "split", "failed", "The split leaks the label.", "Drop it.", 0, 2)
HIDDEN = CheckResult("lab0.generalises", "lab0", "train", "passed", "Good.", "", 1, 1, hidden=True, note="n")


def test_same_named_submissions_get_distinct_report_names():
    paths = [Path("a/lab0.ipynb"), Path("b/lab0.ipynb"), Path("c/other.ipynb"), Path("d/lab0.ipynb")]
    assert report_names(paths) == ["lab0", "lab0-2", "other", "lab0-3"]


def test_rerunning_into_the_same_folder_replaces_the_reports(tmp_path, capsys):
    for _ in range(2):
        assert main([str(tmp_path / "a" / "lab0.ipynb"), str(tmp_path / "b" / "lab0.ipynb"),
                     "--out", str(tmp_path / "out")]) == 2
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["gradebook.csv", "lab0-2.json", "lab0.json"]
    assert json.loads((tmp_path / "out" / "lab0-2.json").read_text())["submission"] == str(tmp_path / "b" / "lab0.ipynb")
    assert "lab0.ipynb  -                  -  ERROR" in capsys.readouterr().out


def test_gradebook_lists_points_per_check_and_totals(tmp_path):
    reports = [SubmissionReport("s/one.ipynb", "failed", "lab0", results=[RESULT, HIDDEN], notes=["cell 2 raised"]),
               SubmissionReport("s/two.txt", "error", message="s/two.txt: is not a notebook")]
    with write_gradebook(reports, tmp_path).open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert rows == [
        {"submission": "s/one.ipynb", "lab": "lab0", "status": "failed", "total": "1", "possible": "3",
         "percent": "33.3", "lab0.split_ok": "0", "lab0.generalises": "1", "message": "cell 2 raised"},
        {"submission": "s/two.txt", "lab": "", "status": "error", "total": "0", "possible": "0",
         "percent": "0.0", "lab0.split_ok": "", "lab0.generalises": "", "message": "s/two.txt: is not a notebook"},
    ]


def test_console_table_shows_a_line_per_check_with_failures_explained():
    table = console_table([SubmissionReport("s/one.ipynb", "failed", "lab0", results=[RESULT, HIDDEN])])
    assert table.splitlines() == [
        "submission  lab            score  status",
        "one.ipynb   lab0             1/3  FAIL",
        "    FAIL  lab0.split_ok 0/2: The split leaks the label.",
        "    PASS  lab0.generalises (hidden) 1/1 [n]",
    ]
