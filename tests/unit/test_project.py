import pytest

from mlops_kit.project import NotInWorkshopError, repo_root, solution_notebooks


def test_repo_root_is_found_from_a_subfolder(tmp_path):
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "solutions").mkdir()
    nested = tmp_path / "book" / "deep"
    nested.mkdir(parents=True)
    assert repo_root(nested) == tmp_path.resolve()


def test_outside_the_repository_the_message_says_what_to_do(tmp_path):
    with pytest.raises(NotInWorkshopError, match="run the command from the repository"):
        repo_root(tmp_path)


def test_solutions_come_in_lab_order(tmp_path):
    (tmp_path / "solutions").mkdir()
    for name in ["lab2-pipeline.ipynb", "lab0-getting-started.ipynb", "lab1-experiment.ipynb", "notes.ipynb"]:
        (tmp_path / "solutions" / name).write_text("{}")
    assert [path.name for path in solution_notebooks(tmp_path)] == [
        "lab0-getting-started.ipynb", "lab1-experiment.ipynb", "lab2-pipeline.ipynb"]
