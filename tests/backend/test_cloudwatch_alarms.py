"""CloudWatch metric alarms evaluate on the local backend: boto3 over HTTP against the test server."""

import json
from datetime import datetime, timedelta

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from test_model_monitor_executions import ENDPOINT, SCHEDULE, monitored_endpoint, send, traffic, with_column

from mlops_kit.local import clock
from mlops_kit.local.model_monitor import metrics as monitor_metrics

REGION = "us-east-1"
NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
METRIC = "feature_baseline_drift_PAY_0"
DIMENSIONS = [{"Name": "Endpoint", "Value": "credit-ep"}, {"Name": "MonitoringSchedule", "Value": "credit-ms"}]


@pytest.fixture
def cw():
    return boto3.client("cloudwatch", region_name=REGION)


def hour_start(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def put_alarm(cw, name="drift", **overrides):
    settings = dict(AlarmName=name, Namespace=NAMESPACE, MetricName=METRIC, Dimensions=DIMENSIONS,
                    Statistic="Maximum", Period=3600, EvaluationPeriods=1, Threshold=0.1,
                    ComparisonOperator="GreaterThanThreshold")
    cw.put_metric_alarm(**(settings | overrides))


def put_value(cw, value, when=None, dimensions=DIMENSIONS):
    datum = {"MetricName": METRIC, "Dimensions": dimensions, "Value": value}
    if when is not None:
        datum["Timestamp"] = when
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[datum])


def alarm(cw, name="drift") -> dict:
    return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def test_a_new_alarm_without_data_stays_insufficient_data(cw):
    put_alarm(cw)
    found = alarm(cw)
    assert found["StateValue"] == "INSUFFICIENT_DATA"
    assert found["StateReason"] == "Unchecked: Initial alarm creation"
    clock.advance(hours=2)
    assert alarm(cw)["StateValue"] == "INSUFFICIENT_DATA"


def test_data_above_the_threshold_alarms_then_below_is_ok_with_history(cw, server_url):
    put_alarm(cw)
    hour = hour_start(clock.server_time(server_url))
    put_value(cw, 0.79, hour)
    found = alarm(cw)
    assert found["StateValue"] == "ALARM"
    assert found["StateReason"] == (
        f"Threshold Crossed: 1 out of the last 1 datapoints [0.79 ({hour:%d/%m/%y %H:%M:%S})] was greater than the "
        "threshold (0.1) (minimum 1 datapoint for INSUFFICIENT_DATA -> ALARM transition).")
    reason_data = json.loads(found["StateReasonData"])
    assert reason_data["recentDatapoints"] == [0.79] and reason_data["statistic"] == "Maximum"
    assert abs(found["StateUpdatedTimestamp"] - clock.server_time(server_url)) < timedelta(seconds=30)

    clock.advance(hours=1)  # the 0.79 is still in the evaluation range: no change
    assert alarm(cw)["StateValue"] == "ALARM"
    put_value(cw, 0.05, hour + timedelta(hours=1))
    assert alarm(cw)["StateValue"] == "OK"
    assert "was not greater than the threshold (0.1)" in alarm(cw)["StateReason"]

    items = cw.describe_alarm_history(AlarmName="drift", HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [item["HistorySummary"] for item in items] == [
        "Alarm updated from ALARM to OK", "Alarm updated from INSUFFICIENT_DATA to ALARM"]
    data = json.loads(items[0]["HistoryData"])
    assert data["oldState"]["stateValue"] == "ALARM" and data["newState"]["stateValue"] == "OK"
    everything = cw.describe_alarm_history(AlarmName="drift", ScanBy="TimestampAscending")["AlarmHistoryItems"]
    assert everything[0]["HistorySummary"] == 'Alarm "drift" created'


def test_advancing_the_clock_ages_data_out_to_insufficient_data(cw, server_url):
    put_alarm(cw)
    put_value(cw, 0.79, hour_start(clock.server_time(server_url)))
    assert alarm(cw)["StateValue"] == "ALARM"
    clock.advance(hours=3)
    found = alarm(cw)
    assert found["StateValue"] == "INSUFFICIENT_DATA"
    assert found["StateReason"] == "Insufficient Data: 1 datapoint was unknown."


def test_not_breaching_missing_data_turns_ok_when_the_clock_moves(cw, server_url):
    put_alarm(cw, TreatMissingData="notBreaching")
    assert alarm(cw)["StateValue"] == "OK"  # no data, treated as not breaching
    put_value(cw, 0.79, hour_start(clock.server_time(server_url)))
    assert alarm(cw)["StateValue"] == "ALARM"
    clock.advance(hours=1)  # N=1 real datapoint still in range: the 0.79 decides
    assert alarm(cw)["StateValue"] == "ALARM"
    clock.advance(hours=2)
    assert alarm(cw)["StateValue"] == "OK"


def test_m_out_of_n_over_hours_of_data(cw, server_url):
    put_alarm(cw, EvaluationPeriods=3, DatapointsToAlarm=2, Statistic="Average")
    hour = hour_start(clock.server_time(server_url))
    put_value(cw, 0.5, hour - timedelta(hours=2))
    put_value(cw, 0.0, hour - timedelta(hours=1))
    assert alarm(cw)["StateValue"] == "OK"  # missing: 1 of the 2 real datapoints breaches, 2 needed
    put_value(cw, 0.3, hour)
    found = alarm(cw)
    assert found["StateValue"] == "ALARM"
    assert "2 out of the last 3 datapoints" in found["StateReason"]
    assert "(minimum 2 datapoints for OK -> ALARM transition)" in found["StateReason"]


def test_untimed_data_are_stamped_with_the_backend_clock(cw):
    put_alarm(cw)
    clock.advance(hours=5)
    put_value(cw, 0.79)  # no Timestamp: received "now" on the backend's clock, so in the current period
    assert alarm(cw)["StateValue"] == "ALARM"


def test_other_dimensions_do_not_count(cw, server_url):
    put_alarm(cw)
    other = [{"Name": "Endpoint", "Value": "another-ep"}, {"Name": "MonitoringSchedule", "Value": "credit-ms"}]
    put_value(cw, 0.79, hour_start(clock.server_time(server_url)), dimensions=other)
    put_value(cw, 0.79, hour_start(clock.server_time(server_url)), dimensions=DIMENSIONS[:1])
    assert alarm(cw)["StateValue"] == "INSUFFICIENT_DATA"


def test_data_written_inside_the_server_evaluate_too(cw, server_url):
    """The Model Monitor writes through moto's backend in-process, not PutMetricData over HTTP."""
    put_alarm(cw)
    when = hour_start(clock.server_time(server_url))
    data = [{"MetricName": METRIC, "Dimensions": DIMENSIONS, "Value": 0.42, "Timestamp": when.replace(tzinfo=None)}]
    monitor_metrics.publish(DEFAULT_ACCOUNT_ID, REGION, data)
    assert alarm(cw)["StateValue"] == "ALARM"


def test_updating_an_alarm_keeps_its_state_and_reevaluates(cw, server_url):
    put_alarm(cw)
    put_value(cw, 0.79, hour_start(clock.server_time(server_url)))
    put_alarm(cw, Threshold=1.0)
    found = alarm(cw)
    assert found["StateValue"] == "OK" and found["Threshold"] == 1.0
    summaries = [item["HistorySummary"] for item in cw.describe_alarm_history(AlarmName="drift")["AlarmHistoryItems"]]
    assert summaries[:2] == ["Alarm updated from ALARM to OK", 'Alarm "drift" updated']


def test_set_alarm_state_sticks_until_the_next_evaluation(cw, server_url):
    put_alarm(cw)
    cw.set_alarm_state(AlarmName="drift", StateValue="ALARM", StateReason="testing the pager")
    found = alarm(cw)
    assert (found["StateValue"], found["StateReason"]) == ("ALARM", "testing the pager")
    [item] = cw.describe_alarm_history(AlarmName="drift", HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert item["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"
    put_value(cw, 0.01, hour_start(clock.server_time(server_url)))
    assert alarm(cw)["StateValue"] == "OK"


def test_set_alarm_state_on_an_unknown_alarm_is_refused(cw):
    with pytest.raises(cw.exceptions.ResourceNotFound):
        cw.set_alarm_state(AlarmName="nope", StateValue="ALARM", StateReason="x")


def test_metric_math_alarms_say_they_are_not_evaluated(cw):
    cw.put_metric_alarm(
        AlarmName="math", EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
        Metrics=[{"Id": "m1", "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": METRIC,
                                                        "Dimensions": DIMENSIONS}, "Period": 3600, "Stat": "Maximum"},
                  "ReturnData": True}])
    found = alarm(cw, "math")
    assert found["StateValue"] == "INSUFFICIENT_DATA"
    assert "does not evaluate this alarm" in found["StateReason"]


def test_sns_alarm_and_ok_actions_reach_an_sqs_subscriber(cw, server_url):
    sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="drift-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="drift-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    put_alarm(cw, AlarmActions=[topic], OKActions=[topic], AlarmDescription="PAY_0 drifted")
    hour = hour_start(clock.server_time(server_url))
    put_value(cw, 0.79, hour)
    put_value(cw, 0.02, hour + timedelta(hours=1))
    clock.advance(hours=1)

    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    envelopes = [json.loads(message["Body"]) for message in received]
    assert [envelope["Subject"] for envelope in envelopes] == [
        'ALARM: "drift" in US East (N. Virginia)', 'OK: "drift" in US East (N. Virginia)']
    first = json.loads(envelopes[0]["Message"])
    assert first["NewStateValue"] == "ALARM" and first["OldStateValue"] == "INSUFFICIENT_DATA"
    assert first["AlarmDescription"] == "PAY_0 drifted" and first["AWSAccountId"] == DEFAULT_ACCOUNT_ID
    assert first["Trigger"]["MetricName"] == METRIC and first["Trigger"]["Statistic"] == "MAXIMUM"
    assert first["Trigger"]["Dimensions"] == [{"value": "credit-ep", "name": "Endpoint"},
                                             {"value": "credit-ms", "name": "MonitoringSchedule"}]
    actions = cw.describe_alarm_history(AlarmName="drift", HistoryItemType="Action")["AlarmHistoryItems"]
    assert [item["HistorySummary"] for item in actions] == [f"Successfully executed action {topic}"] * 2


def test_disabled_actions_and_missing_topics_do_not_publish(cw, server_url):
    missing_topic = f"arn:aws:sns:{REGION}:{DEFAULT_ACCOUNT_ID}:no-such-topic"
    put_alarm(cw, AlarmActions=[missing_topic])
    put_value(cw, 0.79, hour_start(clock.server_time(server_url)))
    assert alarm(cw)["StateValue"] == "ALARM"
    [item] = cw.describe_alarm_history(AlarmName="drift", HistoryItemType="Action")["AlarmHistoryItems"]
    assert item["HistorySummary"] == f"Failed to execute action {missing_topic}"

    put_alarm(cw, "quiet", AlarmActions=[missing_topic], ActionsEnabled=False)
    assert alarm(cw, "quiet")["StateValue"] == "ALARM"
    assert cw.describe_alarm_history(AlarmName="quiet", HistoryItemType="Action")["AlarmHistoryItems"] == []


def test_a_drift_alarm_fires_when_a_monitoring_execution_reports_drift(cw):
    """Lab 4's moment: the hourly execution publishes the drift metric and the alarm crosses its threshold."""
    tick = monitored_endpoint()
    put_alarm(cw, MetricName="feature_baseline_drift_AGE", Dimensions=[
        {"Name": "Endpoint", "Value": ENDPOINT}, {"Name": "MonitoringSchedule", "Value": SCHEDULE}])
    send(traffic(change=with_column("AGE", lambda value: str(int(value) + 23))))
    assert alarm(cw)["StateValue"] == "INSUFFICIENT_DATA"
    clock.advance(hours=1)
    found = alarm(cw)
    assert found["StateValue"] == "ALARM"
    assert f"({tick:%d/%m/%y %H:%M:%S})] was greater than the threshold (0.1)" in found["StateReason"]


@pytest.mark.parametrize("overrides, error, field", [
    ({"Statistic": "Median"}, "ValidationError", "'statistic'"),
    ({"ExtendedStatistic": "p90"}, "InvalidParameterCombination", "Statistic and ExtendedStatistic"),
    ({"TreatMissingData": "skip"}, "ValidationError", "TreatMissingData 'skip'"),
    ({"EvaluationPeriods": 2, "DatapointsToAlarm": 3}, "ValidationError", "DatapointsToAlarm (3)"),
])
def test_settings_aws_refuses_are_refused_naming_the_parameter(cw, overrides, error, field):
    with pytest.raises(cw.exceptions.ClientError) as refused:
        put_alarm(cw, **overrides)
    assert refused.value.response["Error"]["Code"] == error
    assert field in refused.value.response["Error"]["Message"]
    assert cw.describe_alarms()["MetricAlarms"] == []


def test_history_filters_by_date_and_pages(cw, server_url):
    put_alarm(cw)
    put_value(cw, 0.79, hour_start(clock.server_time(server_url)))
    clock.advance(hours=3)
    now = clock.server_time(server_url)
    recent = cw.describe_alarm_history(AlarmName="drift", StartDate=now - timedelta(hours=1))["AlarmHistoryItems"]
    assert [item["HistorySummary"] for item in recent] == ["Alarm updated from ALARM to INSUFFICIENT_DATA"]
    first = cw.describe_alarm_history(AlarmName="drift", MaxRecords=2)
    second = cw.describe_alarm_history(AlarmName="drift", MaxRecords=2, NextToken=first["NextToken"])
    assert len(first["AlarmHistoryItems"]) == 2 and len(second["AlarmHistoryItems"]) == 1
    assert "NextToken" not in second


def test_percentile_alarms_evaluate_values_lists(cw, server_url):
    cw.put_metric_alarm(
        AlarmName="p90", Namespace=NAMESPACE, MetricName=METRIC, Dimensions=DIMENSIONS, ExtendedStatistic="p90",
        Period=3600, EvaluationPeriods=1, Threshold=8.5, ComparisonOperator="GreaterThanThreshold")
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[{
        "MetricName": METRIC, "Dimensions": DIMENSIONS, "Timestamp": hour_start(clock.server_time(server_url)),
        "Values": [float(value) for value in range(1, 11)]}])
    found = alarm(cw, "p90")
    assert found["StateValue"] == "ALARM"
    assert "[9.0 (" in found["StateReason"]
