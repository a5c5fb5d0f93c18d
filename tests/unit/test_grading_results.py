"""Check results as JSON, and their inline display (HTML and plain text)."""

import json

import pytest

from mlops_kit.grading import CheckResult, ExerciseReport

PASSED = CheckResult("lab0.split_is_stratified", "lab0", "split", "passed",
                     "Train and test keep the same default rate.", "", 2, 2)
FAILED = CheckResult("lab0.auc_on_test", "lab0", "split", "failed",
                     "`auc` was computed on <train> data", "Use `y_test` & the test probabilities.", 0, 1.5)


def test_results_round_trip_through_json():
    for result in (PASSED, FAILED):
        assert CheckResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_a_result_dict_holds_every_field_under_its_name():
    assert FAILED.to_dict() == {
        "check": "lab0.auc_on_test", "lab": "lab0", "exercise": "split", "status": "failed",
        "message": "`auc` was computed on <train> data", "hint": "Use `y_test` & the test probabilities.",
        "points": 0, "possible": 1.5, "hidden": False, "note": ""}


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="status must be one of passed, failed, error"):
        CheckResult("a.b", "a", "b", "skipped", "", "", 0, 1)


def test_report_totals_points():
    report = ExerciseReport("lab0.split", (PASSED, FAILED))
    assert (report.points, report.possible, report.passed) == (2, 3.5, False)


def test_plain_text_shows_score_status_message_and_hint():
    text = repr(ExerciseReport("lab0.split", (PASSED, FAILED)))
    assert text.splitlines() == [
        "lab0.split: 2/3.5 points",
        "  ✔ lab0.split_is_stratified passed (2/2): Train and test keep the same default rate.",
        "  ✘ lab0.auc_on_test failed (0/1.5): `auc` was computed on <train> data",
        "      hint: Use `y_test` & the test probabilities.",
    ]


def test_html_shows_each_result_escaped_with_code_for_backticked_names():
    html = ExerciseReport("lab0.split", (PASSED, FAILED))._repr_html_()
    assert "✔ passed</span> <code>lab0.split_is_stratified</code> (2/2 points)" in html
    assert "✘ failed</span> <code>lab0.auc_on_test</code> (0/1.5 points)" in html
    assert "<div><code>auc</code> was computed on &lt;train&gt; data</div>" in html
    assert "<em>Hint:</em> Use <code>y_test</code> &amp; the test probabilities." in html
    assert "<strong>lab0.split</strong>: 2/3.5 points" in html


def test_show_displays_once_even_when_the_cell_also_echoes_the_report(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))
    report = ExerciseReport("lab0.split", (PASSED,))
    report.show()
    report._ipython_display_()  # IPython's echo of check()'s return value, at the end of the cell
    assert len(shown) == 1
    assert shown[0] == {"text/html": report._repr_html_(), "text/plain": repr(report)}
    report._ipython_display_()  # shown again on request in a later cell
    assert len(shown) == 2


def test_colour_codes_quoted_from_a_tool_are_stripped_from_messages_and_hints():
    from mlops_kit.grading.results import CheckResult

    result = CheckResult("lab2.tests", "lab2", "package", "failed",
                         "The package's tests do not pass: \x1b[31m1 failed\x1b[0m", "\x1b[1mread\x1b[0m", 0, 2)

    assert (result.message, result.hint) == ("The package's tests do not pass: 1 failed", "read")
