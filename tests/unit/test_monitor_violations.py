"""constraint_violations: each check type against a baseline built by the analyzer itself."""

import numpy as np

from mlops_kit.local.model_monitor.analyzer.container import analyse_window
from mlops_kit.local.model_monitor.analyzer.constraints import constraints_json
from mlops_kit.local.model_monitor.analyzer.statistics import profile_columns, statistics_json

NAMES = ["age", "grade", "limit"]


def rows(count: int, seed: int, age_shift: int = 0, grades=("a", "b")):
    rng = np.random.default_rng(seed)
    return [[str(int(rng.integers(20, 60)) + age_shift), str(rng.choice(list(grades))), str(int(rng.integers(1, 50)) * 1000)]
            for _ in range(count)]


def baseline():
    profiles = profile_columns(NAMES, rows(2000, 0))
    return statistics_json(profiles, 2000), constraints_json(profiles)


def descriptions(current_rows) -> dict[tuple[str, str], str]:
    statistics, constraints = baseline()
    report = analyse_window(current_rows, statistics, constraints)
    return {(v["feature_name"], v["constraint_check_type"]): v["description"] for v in report.violations}


def checks(current_rows) -> set[tuple[str, str]]:
    return set(descriptions(current_rows))


def deequ_failure(value: float) -> str:
    """The analyzer's Deequ-form description, as in the SageMaker SDK's own fixture
    (aws/sagemaker-python-sdk tests/data/monitor/constraint_violations.json)."""
    return f"Value: {value!r} does not meet the constraint requirement! "


def test_same_distribution_has_no_violations():
    statistics, constraints = baseline()
    report = analyse_window(rows(500, 1), statistics, constraints)

    assert report.violations == []
    assert report.exit_message == "Completed: Job completed successfully with no violations."
    assert set(report.drift) == set(NAMES) and max(report.drift.values()) < 0.1


def test_shifted_numbers_drift():
    assert checks(rows(500, 1, age_shift=23)) == {("age", "baseline_drift_check")}


def test_fractional_values_in_an_integral_column_and_negatives():
    current = rows(300, 2)
    for row in current:
        row[0] = f"{float(row[0])}"
        row[2] = f"-{row[2]}"

    assert checks(current) == {("age", "data_type_check"), ("limit", "data_type_check"), ("limit", "baseline_drift_check")}


def test_negatives_break_non_negativity_as_a_data_type_check_in_deequ_form():
    current = rows(300, 2)
    for row in current:
        row[2] = f"-{row[2]}"

    assert descriptions(current)[("limit", "data_type_check")] == deequ_failure(0.0)


def test_completeness_is_described_in_deequ_form_with_the_observed_share():
    current = rows(300, 3)
    current[0][1] = None

    assert descriptions(current) == {("grade", "completeness_check"): deequ_failure(299 / 300)}


def test_unknown_categories_are_described_with_the_share_inside_the_baseline_domain():
    current = rows(300, 4, grades=("a", "z"))
    inside = sum(row[1] == "a" for row in current) / len(current)

    assert descriptions(current)[("grade", "categorical_values_check")] == deequ_failure(inside)


def test_missing_values_break_completeness():
    current = rows(300, 3)
    current[0][1] = None

    assert checks(current) == {("grade", "completeness_check")}


def test_unknown_categories_and_categorical_drift():
    assert checks(rows(300, 4, grades=("a", "z"))) == {("grade", "categorical_values_check"),
                                                       ("grade", "baseline_drift_check")}


def test_missing_and_extra_columns():
    assert checks([row[:2] for row in rows(100, 5)]) == {("limit", "missing_column_check")}
    assert checks([row + ["9"] for row in rows(100, 5)]) == {("_c3", "extra_column_check")}


def test_disabled_evaluation_reports_nothing_but_still_measures_drift():
    statistics, constraints = baseline()
    constraints["monitoring_config"]["evaluate_constraints"] = "Disabled"
    report = analyse_window(rows(300, 6, age_shift=23), statistics, constraints)

    assert report.violations == [] and report.drift["age"] > 0.3


def test_without_a_baseline_only_statistics_are_computed():
    report = analyse_window(rows(10, 7), None, None)

    assert report.violations == [] and report.statistics["dataset"] == {"item_count": 10}
    assert [feature["name"] for feature in report.statistics["features"]] == ["_c0", "_c1", "_c2"]
