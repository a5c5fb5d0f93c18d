"""Handing in: one zip per lab with the notebook, the files the learner edits and checksums,
read back by the grader wherever it lies; the kit's own copies for everything else."""

import hashlib
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from mlops_kit.grading.execution import prepare_lab_folder
from mlops_kit.grading.handin import MANIFEST, kit_lab_folder, lab_hand_in, write_submission
from mlops_kit.grading.submission import SubmissionError, load_submission
from mlops_kit.grading.submit import submit

ROOT = Path(__file__).resolve().parents[2]


def lab2_folder(tmp_path: Path) -> Path:
    """A learner's copy of lab 2: the notebook beside its project folder, with caches and a changed conftest."""
    folder = tmp_path / "work"
    project = folder / "lab2-pipeline"
    for relative in ("pipelines/__init__.py", "pipelines/credit/__init__.py", "pipelines/credit/pipeline.py",
                     "tests/test_credit_package.py", "conftest.py", "pytest.ini"):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(f"# learner's {relative}\n")
    (project / "pipelines/credit/__pycache__").mkdir()
    (project / "pipelines/credit/__pycache__/pipeline.cpython-311.pyc").write_bytes(b"\0")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    notebook.metadata["workshop"] = {"lab": "lab2", "kind": "lab", "title": "Lab 2"}
    nbformat.write(notebook, folder / "lab2-pipeline.ipynb")
    return folder


def test_the_zip_holds_the_notebook_the_edited_files_and_their_checksums(tmp_path):
    folder = lab2_folder(tmp_path)

    zipped, members = write_submission(folder / "lab2-pipeline.ipynb", "lab2")

    assert zipped == folder / "lab2-pipeline-submission.zip"
    assert members == ["lab2-pipeline.ipynb", "lab2-pipeline/pipelines/credit/__init__.py",
                       "lab2-pipeline/pipelines/credit/pipeline.py", "lab2-pipeline/tests/test_credit_package.py"]
    with zipfile.ZipFile(zipped) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        assert sorted(archive.namelist()) == sorted([MANIFEST, *members])
    assert manifest["lab"] == "lab2" and manifest["notebook"] == "lab2-pipeline.ipynb"
    assert set(manifest["files"]) == set(members) and all(len(digest) == 64 for digest in manifest["files"].values())


def test_the_grader_reads_the_zip_from_anywhere_and_keeps_only_hand_in_files(tmp_path):
    folder = lab2_folder(tmp_path)
    zipped, _ = write_submission(folder / "lab2-pipeline.ipynb", "lab2", tmp_path / "elsewhere" / "alice.zip")

    submission = load_submission(zipped)

    assert submission.lab == "lab2"
    assert submission.files["lab2-pipeline/pipelines/credit/pipeline.py"] == b"# learner's pipelines/credit/pipeline.py\n"
    assert "lab2-pipeline/conftest.py" not in submission.files
    assert submission.notes == ()


def test_files_the_learner_must_not_change_come_from_the_kit(tmp_path):
    folder = lab2_folder(tmp_path)
    zipped, _ = write_submission(folder / "lab2-pipeline.ipynb", "lab2")
    conftest = b"collect_ignore_glob = ['*']\n"  # would switch the package's tests off
    rebuilt = tmp_path / "rebuilt.zip"
    with zipfile.ZipFile(zipped) as source, zipfile.ZipFile(rebuilt, "w") as target:
        manifest = json.loads(source.read(MANIFEST))
        for name in source.namelist():
            if name != MANIFEST:
                target.writestr(name, source.read(name))
        target.writestr("lab2-pipeline/conftest.py", conftest)
        manifest["files"]["lab2-pipeline/conftest.py"] = hashlib.sha256(conftest).hexdigest()
        target.writestr(MANIFEST, json.dumps(manifest))
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    submission = load_submission(rebuilt)
    prepare_lab_folder(submission, scratch)

    kit = kit_lab_folder(lab_hand_in("lab2"))
    assert (scratch / "lab2-pipeline/conftest.py").read_text() == (kit / "conftest.py").read_text()
    assert (scratch / "lab2-pipeline/pipelines/credit/pipeline.py").read_text() == \
        "# learner's pipelines/credit/pipeline.py\n"
    assert submission.notes == ("ignored lab2-pipeline/conftest.py: not files this lab hands in "
                                "(the kit's own copies are used)",)


def test_a_changed_file_fails_its_checksum_with_what_to_do(tmp_path):
    folder = lab2_folder(tmp_path)
    zipped, _ = write_submission(folder / "lab2-pipeline.ipynb", "lab2")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(zipped) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, b"# changed\n" if name.endswith("pipeline.py") else data)

    with pytest.raises(SubmissionError) as error:
        load_submission(tampered)

    assert "lab2-pipeline/pipelines/credit/pipeline.py does not match its checksum in manifest.json" in str(error.value)
    assert "./workshop submit" in str(error.value)


def test_a_zip_that_is_not_a_submission_says_how_to_make_one(tmp_path):
    stray = tmp_path / "homework.zip"
    with zipfile.ZipFile(stray, "w") as archive:
        archive.writestr("lab2-pipeline.ipynb", "{}")

    with pytest.raises(SubmissionError) as error:
        load_submission(stray)

    assert str(error.value) == (f"{stray}: is a zip but not a workshop submission (it has no manifest.json). "
                                "Make it again with `./workshop submit <lab>` (or the lab's last cell) and hand in "
                                "that file.")


def test_a_lab2_notebook_alone_says_what_its_submission_must_include(tmp_path):
    folder = lab2_folder(tmp_path)

    submission = load_submission(folder / "lab2-pipeline.ipynb")

    assert submission.files == {}
    assert submission.notes[0].startswith(
        "this lab's submission must include lab2-pipeline/pipelines/credit/*.py, lab2-pipeline/tests/*.py")
    assert "./workshop submit lab2" in submission.notes[0]


def test_submit_finds_the_lab_notebook_in_the_working_folder_and_prints_the_hand_in(tmp_path, monkeypatch, capsys):
    folder = lab2_folder(tmp_path)
    monkeypatch.chdir(folder)

    submit("lab2")

    assert load_submission(folder / "lab2-pipeline-submission.zip").lab == "lab2"
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == "Wrote lab2-pipeline-submission.zip: lab2-pipeline.ipynb and 3 files of lab2-pipeline/."
    assert "  lab2-pipeline/tests/test_credit_package.py" in printed


def test_a_lab_whose_work_is_its_notebook_is_zipped_alone(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["workshop"] = {"lab": "lab0", "kind": "lab", "title": "Lab 0"}
    nbformat.write(notebook, tmp_path / "lab0-getting-started.ipynb")

    zipped, members = write_submission(tmp_path / "lab0-getting-started.ipynb", "lab0")

    assert members == ["lab0-getting-started.ipynb"]
    assert load_submission(zipped).lab == "lab0"


def test_the_submit_command_writes_the_zip_where_asked_and_refuses_an_unknown_lab(tmp_path, capsys):
    from mlops_kit.grading.submit import main

    folder = lab2_folder(tmp_path)
    assert main(["lab2", "--notebook", str(folder / "lab2-pipeline.ipynb"), "--out", str(tmp_path / "alice.zip")]) == 0
    assert load_submission(tmp_path / "alice.zip").files
    assert main(["lab9", "--notebook", str(folder / "lab2-pipeline.ipynb")]) == 2
    assert "There are no checks for lab 'lab9'" in capsys.readouterr().err
