"""Unit tests of the pure pieces behind Search and metric summaries (no HTTP needed)."""

from datetime import datetime, timedelta, timezone

import pytest
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeTrialComponent

from mlops_kit.local.events.service_events import event_time
from mlops_kit.local.experiments.records import metric_summaries
from mlops_kit.local.experiments.search_expressions import matches_expression, property_values

RECORD = {
    "TrialComponentName": "exp-run-1",
    "Parameters": {"max_depth": {"NumberValue": 5.0}, "objective": {"StringValue": "binary:logistic"}},
    "Metrics": [{"MetricName": "validation:auc", "Max": 0.77, "Last": 0.75}],
    "Tags": [{"Key": "sagemaker:trial-component-source", "Value": "run"}],
    "Parents": [{"TrialName": "t1", "ExperimentName": "exp"}, {"TrialName": "t2", "ExperimentName": "other"}],
}


def matches(*filters, operator=None) -> bool:
    expression = {"Filters": list(filters), **({"Operator": operator} if operator else {})}
    return matches_expression(RECORD, expression)


def test_property_paths_reach_parameters_metrics_tags_and_parents():
    assert property_values(RECORD, "Parameters.max_depth") == [5.0]
    assert property_values(RECORD, "Metrics.validation:auc.Max") == [0.77]
    assert property_values(RECORD, "Tags.sagemaker:trial-component-source") == ["run"]
    assert property_values(RECORD, "Parents.ExperimentName") == ["exp", "other"]
    assert property_values(RECORD, "Parameters.eta") == []


def test_filters_compare_numbers_as_numbers_and_match_any_parent():
    assert matches({"Name": "Parameters.max_depth", "Operator": "GreaterThan", "Value": "10"}) is False
    assert matches({"Name": "Parameters.max_depth", "Operator": "GreaterThanOrEqualTo", "Value": "5"})
    assert matches({"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": "other"})
    assert not matches({"Name": "Parents.ExperimentName", "Operator": "NotEquals", "Value": "other"})
    assert matches({"Name": "Parameters.eta", "Operator": "NotExists"})
    assert matches({"Name": "TrialComponentName", "Operator": "Contains", "Value": "run"})


def test_and_is_the_default_and_or_is_honoured():
    true, false = {"Name": "TrialComponentName", "Value": "exp-run-1"}, {"Name": "TrialComponentName", "Value": "x"}
    assert not matches(true, false)
    assert matches(true, false, operator="Or")


def test_an_unknown_operator_is_named_in_the_error():
    with pytest.raises(ValidationError, match="'Like'"):
        matches({"Name": "TrialComponentName", "Operator": "Like", "Value": "x"})


def test_metric_summary_last_is_the_latest_point_even_when_logged_out_of_order():
    component = FakeTrialComponent(
        account_id="123456789012", region_name="us-east-1", trial_component_name="tc", display_name=None,
        start_time=None, end_time=None, parameters=None, input_artifacts=None, output_artifacts=None,
        metadata_properties=None, status=None, trial_name=None, tags=[],
    )
    now = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    component.metrics = {
        "auc": [
            {"Value": 0.8, "Timestamp": now + timedelta(seconds=5), "Step": 1},
            {"Value": 0.6, "Timestamp": now, "Step": 0},
        ]
    }

    (summary,) = metric_summaries(component)

    assert summary["Last"] == 0.8 and summary["TimeStamp"] == now + timedelta(seconds=5)
    assert (summary["Count"], summary["Min"], summary["Max"]) == (2, 0.6, 0.8)
    assert summary["Avg"] == pytest.approx(0.7) and summary["StdDev"] == pytest.approx(0.1)


def test_event_times_are_iso_utc_seconds():
    assert event_time(datetime(2021, 2, 24, 17, 0, 14, 488000)) == "2021-02-24T17:00:14Z"
    plus_two = timezone(timedelta(hours=2))
    assert event_time(datetime(2021, 2, 24, 19, 0, 14, tzinfo=plus_two)) == "2021-02-24T17:00:14Z"
