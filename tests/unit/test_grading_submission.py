"""Reading a submission: every kind of unreadable file gets a specific message, before any kernel starts."""

import json
from pathlib import Path

import pytest

from mlops_kit.grading.submission import SubmissionError, load_submission

FIXTURES = Path(__file__).parents[1] / "fixtures" / "grading"
BROKEN = FIXTURES / "broken"


@pytest.fixture(autouse=True)
def fixture_lab(monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.setenv("MLOPS_KIT_LAB_PACKAGES", "fixture_labs")


def error_for(path: Path) -> str:
    with pytest.raises(SubmissionError) as error:
        load_submission(path)
    return str(error.value)


def test_a_lab_notebook_is_read_with_its_lab_and_exact_bytes():
    path = FIXTURES / "solutions" / "fixture_lab.ipynb"
    submission = load_submission(path)
    assert submission.lab == "fixture_lab"
    assert submission.content == path.read_bytes()
    assert len(submission.sha256) == 64


@pytest.mark.parametrize("name, expected", [
    ("missing.ipynb", "missing.ipynb: no such file. Check the path"),
    ("not_a_notebook.py", "not_a_notebook.py: is not a notebook (a .ipynb file is JSON starting with '{'; "
                          "this looks like a Python script). Submit the lab's .ipynb file."),
    ("image.ipynb", "image.ipynb: is not a notebook but a PNG image. Submit the lab's .ipynb file."),
    ("truncated.ipynb", "truncated.ipynb: is a corrupted notebook (invalid JSON at line 44, column 4: "
                        "Unterminated string starting at; the file may be truncated)."),
    ("no_metadata.ipynb", "no_metadata.ipynb: has no workshop lab metadata, so the grader cannot tell which "
                          'lab it is. Add "workshop": {"lab": "lab0", "kind": "lab", "title": "..."} '
                          "to the notebook's metadata"),
])
def test_bad_files_say_what_is_wrong_and_what_to_do(name, expected):
    path = BROKEN / name
    assert f"{path}: " in error_for(path)
    assert expected in error_for(path)


def test_an_empty_folder_says_it_has_no_notebooks(tmp_path):
    assert error_for(tmp_path) == f"{tmp_path}: is a folder with no notebooks (*.ipynb) in it."


def test_binary_that_is_not_utf8_is_not_a_notebook(tmp_path):
    path = tmp_path / "random.ipynb"
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert error_for(path) == f"{path}: is not a notebook (not UTF-8 text). Submit the lab's .ipynb file."


def test_json_that_is_not_a_notebook_says_so(tmp_path):
    path = tmp_path / "data.ipynb"
    path.write_text(json.dumps({"rows": [1, 2]}))
    assert "is JSON but not a Jupyter notebook (no 'cells'/'nbformat')" in error_for(path)


def test_a_notebook_failing_the_schema_says_so(tmp_path):
    path = tmp_path / "schema.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert "is not a valid notebook (" in error_for(path)


def test_a_lab_the_grader_does_not_know_lists_the_known_labs(tmp_path):
    notebook = json.loads((FIXTURES / "solutions" / "fixture_lab.ipynb").read_text())
    notebook["metadata"]["workshop"]["lab"] = "lab42"
    path = tmp_path / "lab42.ipynb"
    path.write_text(json.dumps(notebook))
    message = error_for(path)
    assert "metadata names lab 'lab42', which the grader does not know." in message
    assert "Known labs: " in message and "fixture_lab" in message
