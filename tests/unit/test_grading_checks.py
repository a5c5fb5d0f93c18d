"""Checks, their context, finding a lab's checks, and the notebook's check() call."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_kit.grading import CheckContext, CheckFailed, ExerciseReport, UnknownCheck, check, graded
from mlops_kit.grading.notebook import MISSING_CELL_NOTE, run_unrecorded
from mlops_kit.grading.recording import read_results
from mlops_kit.grading.registry import exercise_checks, known_labs, lab_checks

FIXTURES = Path(__file__).parents[1] / "fixtures" / "grading"
SOLVED = {"values": [3, 1, 4], "total": 8, "mean": 8 / 3}


@pytest.fixture(autouse=True)
def fixture_lab(monkeypatch, tmp_path):
    """The fixture lab's checks are importable; results go to a fresh file; not grading."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.setenv("MLOPS_KIT_LAB_PACKAGES", "fixture_labs")
    monkeypatch.setenv("MLOPS_KIT_RESULTS", str(tmp_path / "results.jsonl"))
    monkeypatch.delenv("MLOPS_KIT_GRADING", raising=False)


def results_file() -> Path:
    return Path(os.environ["MLOPS_KIT_RESULTS"])


def test_graded_turns_the_function_into_a_check_with_lab_and_name_as_id():
    @graded("demo", exercise="ex", points=2, success="well done")
    def sums_up(ctx):
        pass

    assert sums_up.id == "demo.sums_up"
    assert (sums_up.lab, sums_up.exercise, sums_up.points, sums_up.success, sums_up.hidden) == (
        "demo", "ex", 2, "well done", False)


@pytest.mark.parametrize("lab, exercise, points", [("Lab 0", "ex", 1), ("lab0", "two words", 1), ("lab0", "ex", 0)])
def test_graded_rejects_bad_ids_and_points(lab, exercise, points):
    with pytest.raises(ValueError):
        graded(lab, exercise=exercise, points=points, success="")


def test_a_passing_check_earns_its_points_with_the_success_message():
    result = lab_checks("fixture_lab")[0].run(CheckContext(dict(SOLVED)))
    assert (result.status, result.points, result.possible, result.message) == (
        "passed", 2, 2, "`total` is the sum of `values`.")


def test_a_failing_check_gives_its_message_and_hint_and_no_points():
    result = lab_checks("fixture_lab")[0].run(CheckContext({**SOLVED, "total": 7}))
    assert (result.status, result.points, result.possible) == ("failed", 0, 2)
    assert result.message == "`total` is 7, but the values add up to 8."
    assert result.hint == "Use the built-in sum()."


def test_a_crashing_check_is_an_error_in_the_check_not_an_exception():
    @graded("demo", exercise="ex", points=1, success="")
    def crashes(ctx):
        return 1 / 0

    result = crashes.run(CheckContext({}))
    assert result.status == "error"
    assert result.message == "the check crashed: ZeroDivisionError: division by zero"
    assert "tell your instructor" in result.hint


def test_context_get_of_a_missing_name_fails_saying_which_name_and_what_to_do():
    with pytest.raises(CheckFailed) as failure:
        CheckContext({}).get("y_train")
    assert failure.value.message.startswith("`y_train` is not defined yet: run the exercise cell above")


def test_context_client_uses_the_environment_and_is_reused(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    ctx = CheckContext({})
    client = ctx.client("s3")
    assert client.meta.region_name == "eu-west-1"
    assert ctx.client("s3") is client


def test_lab_checks_come_in_definition_order_with_hidden_ones():
    checks = lab_checks("fixture_lab")
    assert [c.id for c in checks] == [
        "fixture_lab.total_is_sum", "fixture_lab.total_is_int", "fixture_lab.mean_is_average"]
    assert [c.hidden for c in checks] == [False, True, False]


def test_known_labs_include_the_kit_labs_and_the_extra_packages():
    assert {"lab0", "fixture_lab"} <= set(known_labs())


def test_an_unknown_lab_lists_the_known_ones():
    with pytest.raises(UnknownCheck) as error:
        exercise_checks("lab9.split")
    assert str(error.value).startswith("There are no checks for lab 'lab9'. Known labs: ")
    assert "fixture_lab" in str(error.value)


def test_an_unknown_exercise_lists_the_lab_exercises():
    with pytest.raises(UnknownCheck) as error:
        check("fixture_lab.totl", namespace={})
    assert str(error.value) == (
        "Lab 'fixture_lab' has no exercise 'totl'. Its exercises are: fixture_lab.total, fixture_lab.mean.")


def test_an_id_without_exercise_says_how_ids_are_written():
    with pytest.raises(UnknownCheck, match="write '<lab>.<exercise>', e.g. 'lab0.split'"):
        check("fixture_lab", namespace={})


def test_check_runs_visible_checks_only_and_records_them_when_not_grading():
    report = check("fixture_lab.total", namespace=dict(SOLVED))
    assert isinstance(report, ExerciseReport)
    assert [r.check for r in report.results] == ["fixture_lab.total_is_sum"]
    assert [r.check for r in read_results(results_file())] == ["fixture_lab.total_is_sum"]


def test_check_runs_and_records_hidden_checks_when_grading_but_never_returns_them(monkeypatch):
    monkeypatch.setenv("MLOPS_KIT_GRADING", "1")
    report = check("fixture_lab.total", namespace={**SOLVED, "total": 8.0})
    assert [r.check for r in report.results] == ["fixture_lab.total_is_sum"]
    assert "total_is_int" not in repr(report) + report._repr_html_()
    recorded = {r.check: r.status for r in read_results(results_file())}
    assert recorded == {"fixture_lab.total_is_sum": "passed", "fixture_lab.total_is_int": "failed"}


def test_check_records_one_json_object_per_line_appending(monkeypatch):
    check("fixture_lab.total", namespace={**SOLVED, "total": 0})
    check("fixture_lab.total", namespace=dict(SOLVED))
    lines = results_file().read_text().splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["failed", "passed"]


def test_without_the_results_variable_results_go_under_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("MLOPS_KIT_RESULTS")
    monkeypatch.chdir(tmp_path)
    check("fixture_lab.mean", namespace=dict(SOLVED))
    recorded = read_results(tmp_path / ".workshop" / "results" / "fixture_lab.jsonl")
    assert [r.check for r in recorded] == ["fixture_lab.mean_is_average"]


def test_check_outside_a_notebook_without_namespace_says_what_to_do():
    with pytest.raises(RuntimeError, match="call it in a notebook, or pass namespace="):
        check("fixture_lab.total")


def test_run_unrecorded_runs_only_checks_no_cell_recorded_with_a_note(monkeypatch):
    monkeypatch.setenv("MLOPS_KIT_GRADING", "1")
    check("fixture_lab.total", namespace=dict(SOLVED))
    run_unrecorded("fixture_lab", namespace=dict(SOLVED))
    recorded = read_results(results_file())
    assert [(r.check, r.note) for r in recorded] == [
        ("fixture_lab.total_is_sum", ""), ("fixture_lab.total_is_int", ""),
        ("fixture_lab.mean_is_average", MISSING_CELL_NOTE)]


def test_importing_the_kit_and_grading_stays_light():
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, mlops_kit, mlops_kit.grading; "
         "print(sorted({m.split('.')[0] for m in sys.modules} & {'sagemaker', 'boto3', 'pandas', 'papermill', 'IPython'}))"],
        capture_output=True, text=True, check=True,
    )
    assert imported.stdout.strip() == "[]"


def test_a_lab_package_that_cannot_be_imported_says_to_fix_pythonpath(monkeypatch):
    monkeypatch.setenv("MLOPS_KIT_LAB_PACKAGES", "fixture_labs, no_such_labs")
    with pytest.raises(ImportError, match="MLOPS_KIT_LAB_PACKAGES names the lab package 'no_such_labs', which "
                                          r"cannot be imported \(.*\): add the folder holding it to PYTHONPATH."):
        lab_checks("lab42")


def test_results_that_cannot_be_recorded_warn_but_the_check_still_reports(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("MLOPS_KIT_RESULTS", str(blocker / "results.jsonl"))
    with pytest.warns(UserWarning, match="could not record the results .*set MLOPS_KIT_RESULTS to a writable file"):
        report = check("fixture_lab.total", namespace=dict(SOLVED))
    assert report.passed
