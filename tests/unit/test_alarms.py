"""The CloudWatch alarm evaluation rules (mlops_kit.local.cloudwatch.alarm_rules), without a server."""

from datetime import datetime, timezone

import pytest

from mlops_kit.local.cloudwatch.alarm_rules import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    AlarmConfig,
    AlarmConfigError,
    Sample,
    datapoints,
    evaluate,
)

HOUR = 3600
NOW = datetime(2026, 11, 28, 17, 20, tzinfo=timezone.utc)  # inside the 17:00 hour


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 28, hour, minute, tzinfo=timezone.utc)


def config(**overrides) -> AlarmConfig:
    settings = dict(period=HOUR, evaluation_periods=1, threshold=0.1, comparison_operator="GreaterThanThreshold",
                    statistic="Average")
    return AlarmConfig(**(settings | overrides))


def values(*points) -> list[Sample]:
    return [Sample.of_value(moment, value) for moment, value in points]


def test_a_value_above_the_threshold_alarms_with_aws_wording():
    result = evaluate(config(), values((at(17), 0.79)), NOW, OK)
    assert result.state == ALARM
    assert result.reason == ("Threshold Crossed: 1 out of the last 1 datapoints [0.79 (28/11/26 17:00:00)] was greater "
                             "than the threshold (0.1) (minimum 1 datapoint for OK -> ALARM transition).")


def test_a_value_below_the_threshold_is_ok_and_says_not():
    result = evaluate(config(), values((at(17, 5), 0.05)), NOW, ALARM)
    assert result.state == OK
    assert result.reason == ("Threshold Crossed: 1 out of the last 1 datapoints [0.05 (28/11/26 17:00:00)] was not "
                             "greater than the threshold (0.1) (minimum 1 datapoint for ALARM -> OK transition).")


@pytest.mark.parametrize("operator, value, expected", [
    ("GreaterThanThreshold", 0.1, OK), ("GreaterThanThreshold", 0.2, ALARM),
    ("GreaterThanOrEqualToThreshold", 0.1, ALARM), ("GreaterThanOrEqualToThreshold", 0.05, OK),
    ("LessThanThreshold", 0.1, OK), ("LessThanThreshold", 0.05, ALARM),
    ("LessThanOrEqualToThreshold", 0.1, ALARM), ("LessThanOrEqualToThreshold", 0.2, OK),
])
def test_each_comparison_operator(operator, value, expected):
    assert evaluate(config(comparison_operator=operator), values((at(17), value)), NOW, OK).state == expected


def test_operator_wording_in_the_reason():
    result = evaluate(config(comparison_operator="LessThanOrEqualToThreshold"), values((at(17), 0.1)), NOW, OK)
    assert "was less than or equal to the threshold (0.1)" in result.reason


@pytest.mark.parametrize("statistic, expected", [
    ("Average", 2.0), ("Sum", 6.0), ("SampleCount", 3.0), ("Minimum", 1.0), ("Maximum", 3.0)])
def test_statistics_over_one_period(statistic, expected):
    samples = values((at(17, 1), 1.0), (at(17, 2), 2.0), (at(17, 3), 3.0), (at(16, 59), 100.0))
    [point] = datapoints(config(statistic=statistic), samples, NOW)[:1]
    assert point.value == expected and point.start == at(17)


def test_statistic_sets_count_with_their_sample_count():
    samples = [Sample(at(17), count=4, total=8.0, minimum=0.5, maximum=5.0)] + values((at(17, 1), 2.0))
    assert datapoints(config(statistic="Average"), samples, NOW)[0].value == 2.0
    assert datapoints(config(statistic="Maximum"), samples, NOW)[0].value == 5.0
    assert datapoints(config(statistic="SampleCount"), samples, NOW)[0].value == 5.0


def test_percentiles_use_nearest_rank_over_raw_values():
    samples = values(*((at(17, minute), float(minute + 1)) for minute in range(10)))  # 1..10
    cfg = config(statistic=None, extended_statistic="p90", threshold=8.5)
    assert datapoints(cfg, samples, NOW)[0].value == 9.0
    assert evaluate(cfg, samples, NOW, OK).state == ALARM
    assert datapoints(config(statistic=None, extended_statistic="p50"), samples, NOW)[0].value == 5.0


def test_periods_are_aligned_and_the_range_is_n_plus_two_newest_first():
    cfg = config(period=300, evaluation_periods=3)
    points = datapoints(cfg, values((at(17, 12), 1.0)), NOW)
    assert [point.start for point in points] == [at(17, 20), at(17, 15), at(17, 10), at(17, 5), at(17, 0)]
    assert [point.value for point in points] == [None, None, 1.0, None, None]


def test_m_out_of_n_needs_m_breaching_datapoints():
    cfg = config(period=300, evaluation_periods=3, datapoints_to_alarm=2, threshold=1.0)
    two = values((at(17, 20), 5.0), (at(17, 15), 0.0), (at(17, 10), 5.0))
    result = evaluate(cfg, two, NOW, OK)
    assert result.state == ALARM
    assert result.reason == ("Threshold Crossed: 2 out of the last 3 datapoints [5.0 (28/11/26 17:20:00), 5.0 "
                             "(28/11/26 17:10:00)] were greater than the threshold (1.0) (minimum 2 datapoints for "
                             "OK -> ALARM transition).")
    one = values((at(17, 20), 5.0), (at(17, 15), 0.0), (at(17, 10), 0.0))
    assert evaluate(cfg, one, NOW, ALARM).state == OK


def test_with_enough_real_datapoints_missing_periods_are_skipped():
    cfg = config(period=300, evaluation_periods=2, treat_missing_data="breaching", threshold=1.0)
    samples = values((at(17, 20), 0.0), (at(17, 5), 0.0))  # 17:15 and 17:10 missing, 17:05 in range
    result = evaluate(cfg, samples, NOW, INSUFFICIENT_DATA)
    assert result.state == OK
    assert result.reason_data["recentDatapoints"] == [0.0, 0.0]


def test_missing_with_no_data_is_insufficient_data():
    cfg = config(period=300, evaluation_periods=3)
    result = evaluate(cfg, [], NOW, OK)
    assert result.state == INSUFFICIENT_DATA
    assert result.reason == "Insufficient Data: 3 datapoints were unknown."


def test_missing_decides_on_the_real_datapoints_alone():
    cfg = config(period=300, evaluation_periods=3, threshold=1.0)
    assert evaluate(cfg, values((at(17, 20), 5.0)), NOW, OK).state == ALARM
    assert evaluate(cfg, values((at(17, 20), 0.0)), NOW, ALARM).state == OK


def test_data_older_than_the_range_ages_out():
    samples = values((at(17), 0.79))
    assert evaluate(config(), samples, at(19, 30), OK).state == ALARM  # 17:00 still in the 3-period range
    assert evaluate(config(), samples, at(20, 0), ALARM).state == INSUFFICIENT_DATA


@pytest.mark.parametrize("treatment, expected", [("breaching", ALARM), ("notBreaching", OK)])
def test_breaching_and_not_breaching_fill_missing_periods(treatment, expected):
    cfg = config(treat_missing_data=treatment)
    result = evaluate(cfg, [], NOW, INSUFFICIENT_DATA)
    assert result.state == expected
    label = "Breaching" if treatment == "breaching" else "NonBreaching"
    assert result.reason == (f"Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
                             f"was treated as [{label}].")


def test_breaching_fill_counts_towards_m():
    cfg = config(period=300, evaluation_periods=3, datapoints_to_alarm=3, threshold=1.0, treat_missing_data="breaching")
    assert evaluate(cfg, values((at(17, 20), 5.0)), NOW, OK).state == ALARM
    assert evaluate(cfg, values((at(17, 20), 0.0)), NOW, ALARM).state == OK


def test_ignore_keeps_the_state_only_when_missing_data_would_decide():
    cfg = config(period=300, evaluation_periods=3, threshold=1.0, treat_missing_data="ignore")
    assert evaluate(cfg, [], NOW, ALARM) is None
    assert evaluate(cfg, values((at(17, 20), 5.0)), NOW, OK) is None  # "- - X": up to the missing ones
    assert evaluate(cfg, values((at(17, 20), 0.0)), NOW, ALARM).state == OK  # "0 - -": never 3 breaching


def test_reason_data_is_aws_shaped():
    result = evaluate(config(), values((at(17), 0.79)), NOW, OK)
    assert result.reason_data == {
        "version": "1.0", "queryDate": "2026-11-28T17:20:00.000+0000", "startDate": "2026-11-28T17:00:00.000+0000",
        "statistic": "Average", "period": 3600, "recentDatapoints": [0.79], "threshold": 0.1,
        "evaluatedDatapoints": [{"timestamp": "2026-11-28T17:00:00.000+0000", "sampleCount": 1.0, "value": 0.79}]}


def test_future_datapoints_are_not_evaluated():
    assert evaluate(config(), values((at(18, 30), 0.79)), NOW, OK).state == INSUFFICIENT_DATA


@pytest.mark.parametrize("overrides, field", [
    ({"comparison_operator": "LessThanLowerOrGreaterThanUpperThreshold"}, "ComparisonOperator"),
    ({"statistic": "Median"}, "Statistic"),
    ({"statistic": None, "extended_statistic": "tm90"}, "ExtendedStatistic"),
    ({"statistic": None}, "Statistic and ExtendedStatistic"),
    ({"treat_missing_data": "skip"}, "TreatMissingData"),
    ({"datapoints_to_alarm": 2}, "DatapointsToAlarm"),
])
def test_settings_it_cannot_evaluate_are_named(overrides, field):
    with pytest.raises(AlarmConfigError, match=field):
        config(**overrides)
