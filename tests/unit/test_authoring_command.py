"""The generate-labs command: exit statuses, messages, and finding the repository from the current folder."""

import shutil
from pathlib import Path

import pytest

from mlops_kit.authoring.command import EXIT_AUTHORING_ERROR, EXIT_CURRENT, EXIT_STALE, main

FIXTURE_SOLUTIONS = Path(__file__).resolve().parents[1] / "fixtures" / "authoring" / "solutions"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    shutil.copytree(FIXTURE_SOLUTIONS, tmp_path / "solutions")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_generates_into_the_repository_labs_from_a_subfolder(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo / "solutions" / "lab9-fixture" / "credit_model")
    assert main([]) == EXIT_CURRENT
    assert (repo / "labs" / "lab9-fixture.ipynb").is_file()
    out = capsys.readouterr().out
    assert "wrote " in out and out.rstrip().endswith("is up to date with " + str(repo / "solutions"))


def test_check_fails_on_stale_labs_and_writes_nothing(repo, capsys):
    assert main(["--check"]) == EXIT_STALE
    assert not (repo / "labs").exists()
    assert "labs/lab9-fixture.ipynb is missing; it is generated from solutions/lab9-fixture.ipynb" in capsys.readouterr().out


def test_check_passes_after_generation_and_fails_after_a_hand_edit(repo, capsys):
    assert main([]) == EXIT_CURRENT
    assert main(["--check"]) == EXIT_CURRENT
    assert capsys.readouterr().out.endswith("labs is up to date with solutions\n")
    (repo / "labs" / "lab9-fixture" / "thresholds.json").write_text('{"auc_threshold": 0.5}\n')
    assert main(["--check"]) == EXIT_STALE
    assert capsys.readouterr().out == (
        "labs/lab9-fixture/thresholds.json is out of date with solutions/lab9-fixture/thresholds.json"
        " — run `./workshop generate-labs`\n"
    )


def test_generation_reports_removed_orphans(repo, capsys):
    (repo / "labs").mkdir()
    (repo / "labs" / "lab3-retired.ipynb").write_text("{}")
    assert main([]) == EXIT_CURRENT
    assert "removed labs/lab3-retired.ipynb" in capsys.readouterr().out
    assert not (repo / "labs" / "lab3-retired.ipynb").exists()


def test_explicit_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--solutions", str(FIXTURE_SOLUTIONS), "--labs", "out"]) == EXIT_CURRENT
    assert (tmp_path / "out" / "lab9-fixture" / "credit_model" / "features.py").is_file()
    assert main(["--check", "--solutions", str(FIXTURE_SOLUTIONS), "--labs", "out"]) == EXIT_CURRENT


def test_authoring_error_exits_2_with_the_location_on_stderr(repo, capsys):
    (repo / "solutions" / "lab9-fixture" / "credit_model" / "broken.py").write_text("x = 1\n### END SOLUTION\n")
    assert main([]) == EXIT_AUTHORING_ERROR
    assert not (repo / "labs").exists()
    err = capsys.readouterr().err
    assert err.startswith("authoring error: solutions/lab9-fixture/credit_model/broken.py, line 2: `### END SOLUTION`")


def test_outside_a_repository_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["--check"])
    assert exited.value.code == 2
    assert "no solutions/ folder in" in capsys.readouterr().err


def test_missing_solutions_folder_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--solutions", "nowhere", "--labs", "labs"]) == EXIT_AUTHORING_ERROR
    assert "authoring error: nowhere: is not a folder" in capsys.readouterr().err
