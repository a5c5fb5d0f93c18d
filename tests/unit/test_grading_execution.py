"""What the grader copies into a submission's scratch folder before running it."""

from mlops_kit.grading.execution import copy_siblings


def test_the_files_beside_the_notebook_and_its_support_folder_are_copied(tmp_path):
    folder, scratch = tmp_path / "submissions", tmp_path / "scratch"
    (folder / "lab2-pipeline" / "pipelines" / "__pycache__").mkdir(parents=True)
    (folder / "lab2-pipeline" / "pipelines" / "pipeline.py").write_text("STEPS = 5\n")
    (folder / "lab2-pipeline" / "pipelines" / "__pycache__" / "pipeline.cpython-311.pyc").write_bytes(b"\0")
    (folder / "lab2-pipeline" / ".pytest_cache").mkdir()
    (folder / "lab3-project").mkdir()
    (folder / "lab3-project" / "other.py").write_text("")
    (folder / "helper.py").write_text("")
    (folder / "lab2-pipeline.ipynb").write_text("{}")
    (folder / "lab3-project.ipynb").write_text("{}")
    scratch.mkdir()

    copy_siblings(folder, scratch, "lab2-pipeline")

    copied = sorted(path.relative_to(scratch).as_posix() for path in scratch.rglob("*") if path.is_file())
    assert copied == ["helper.py", "lab2-pipeline/pipelines/pipeline.py"]
    assert (scratch / "lab2-pipeline" / "pipelines" / "pipeline.py").read_text() == "STEPS = 5\n"


def test_a_notebook_without_a_support_folder_gets_only_its_sibling_files(tmp_path):
    folder, scratch = tmp_path / "submissions", tmp_path / "scratch"
    folder.mkdir()
    scratch.mkdir()
    (folder / "data.csv").write_text("a\n1\n")
    (folder / "lab1-experimentation.ipynb").write_text("{}")

    copy_siblings(folder, scratch, "lab1-experimentation")

    assert sorted(path.name for path in scratch.iterdir()) == ["data.csv"]
