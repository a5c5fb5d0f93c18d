"""statistics.json and constraints.json shapes, from the analyzer's column profiles."""

import json

import pytest

from mlops_kit.local.model_monitor.analyzer.constraints import constraints_json
from mlops_kit.local.model_monitor.analyzer.statistics import profile_columns, statistics_json

ROWS = [["1", "10.5", "a"], ["2", "-3", "b"], ["3", None, "a"], ["4", "7e1", None]]
NAMES = ["count", "amount", "grade"]


@pytest.fixture
def profiles():
    return profile_columns(NAMES, ROWS)


def test_numeric_feature_shape(profiles):
    document = json.loads(json.dumps(statistics_json(profiles, len(ROWS))))
    count = document["features"][0]

    assert document["version"] == 0.0 and document["dataset"] == {"item_count": 4}
    assert count["inferred_type"] == "Integral"
    statistics = count["numerical_statistics"]
    assert statistics["common"] == {"num_present": 4, "num_missing": 0}
    assert (statistics["mean"], statistics["sum"], statistics["min"], statistics["max"]) == (2.5, 10.0, 1.0, 4.0)
    assert statistics["std_dev"] == pytest.approx(1.118033988749895)  # population standard deviation
    assert statistics["distribution"]["kll"]["sketch"] == {"parameters": {"c": 0.64, "k": 2048.0},
                                                           "data": [[1.0, 2.0, 3.0, 4.0]]}
    assert len(statistics["distribution"]["kll"]["buckets"]) == 10


def test_fractional_and_string_features(profiles):
    amount, grade = statistics_json(profiles, len(ROWS))["features"][1:]

    assert amount["inferred_type"] == "Fractional"
    assert amount["numerical_statistics"]["common"] == {"num_present": 3, "num_missing": 1}
    assert amount["numerical_statistics"]["min"] == -3.0
    assert grade == {"name": "grade", "inferred_type": "String", "string_statistics": {
        "common": {"num_present": 3, "num_missing": 1}, "distinct_count": 2.0,
        "distribution": {"categorical": {"buckets": [{"value": "a", "count": 2}, {"value": "b", "count": 1}]}}}}


def test_suggested_constraints(profiles):
    document = constraints_json(profiles)

    assert document["features"] == [
        {"name": "count", "inferred_type": "Integral", "completeness": 1.0, "num_constraints": {"is_non_negative": True}},
        {"name": "amount", "inferred_type": "Fractional", "completeness": 0.75,
         "num_constraints": {"is_non_negative": False}},
        {"name": "grade", "inferred_type": "String", "completeness": 0.75, "string_constraints": {"domains": ["a", "b"]}},
    ]
    assert document["monitoring_config"]["distribution_constraints"]["categorical_drift_method"] == "LInfinity"


def test_the_categorical_drift_method_override_is_written():
    document = constraints_json(profile_columns(["x"], [["1"]]), categorical_drift_method="ChiSquared")

    assert document["monitoring_config"]["distribution_constraints"]["categorical_drift_method"] == "ChiSquared"


def test_high_cardinality_strings_get_no_domain():
    profiles = profile_columns(["id"], [[f"id-{index}"] for index in range(121)])

    assert "string_constraints" not in constraints_json(profiles)["features"][0]
