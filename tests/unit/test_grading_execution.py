"""What the grader lays out in a submission's scratch folder before running it, and the
environment its kernel, server and jobs inherit."""

import os

import nbformat

from mlops_kit.grading.execution import grading_environment, prepare_lab_folder
from mlops_kit.grading.handin import kit_lab_folder, lab_hand_in
from mlops_kit.grading.submission import Submission


def submission_of(lab: str, files: dict[str, bytes], tmp_path) -> Submission:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["workshop"] = {"lab": lab, "kind": "lab", "title": lab}
    return Submission(tmp_path / "anywhere.zip", b"", notebook, lab, files)


def test_the_kit_s_support_folder_is_laid_out_with_the_learner_s_files_over_it(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    learner = b"def get_pipeline(**kwargs):\n    return 'mine'\n"

    prepare_lab_folder(submission_of("lab2", {"lab2-pipeline/pipelines/credit/pipeline.py": learner}, tmp_path),
                       scratch)

    kit = kit_lab_folder(lab_hand_in("lab2"))
    expected = sorted(path.relative_to(kit).as_posix() for path in kit.rglob("*")
                      if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith("."))
    laid_out = sorted(path.relative_to(scratch / "lab2-pipeline").as_posix()
                      for path in (scratch / "lab2-pipeline").rglob("*") if path.is_file())
    assert laid_out == expected
    assert (scratch / "lab2-pipeline/pipelines/credit/pipeline.py").read_bytes() == learner
    assert (scratch / "lab2-pipeline/conftest.py").read_bytes() == (kit / "conftest.py").read_bytes()


def test_a_lab_whose_work_is_its_notebook_gets_nothing_but_the_notebook(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    prepare_lab_folder(submission_of("lab1", {}, tmp_path), scratch)

    assert list(scratch.iterdir()) == []


def test_a_submission_s_native_thread_pools_get_one_thread_each_and_the_setting_is_restored(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with grading_environment(tmp_path / "results.jsonl"):
        assert os.environ["OMP_NUM_THREADS"] == "1"
    assert "OMP_NUM_THREADS" not in os.environ


def test_an_instructor_s_own_thread_setting_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    with grading_environment(tmp_path / "results.jsonl"):
        assert os.environ["OMP_NUM_THREADS"] == "4"
    assert os.environ["OMP_NUM_THREADS"] == "4"
