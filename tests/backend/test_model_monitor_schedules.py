"""Monitoring schedules on the local backend: the SDK's lifecycle, SageMaker's cron rules, the clock."""

import time
from datetime import timedelta

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from test_model_monitor import REPORTS_URI, deploy_with_capture, session, suggest_baseline
from test_model_monitor_executions import (
    ENDPOINT, HOURLY, SCHEDULE, baseline_job, create_schedule, executions, five_past_next_hour, send, traffic,
)

from mlops_kit.local import clock


def schedule_error(config: dict, name: str = SCHEDULE) -> dict:
    with pytest.raises(ClientError) as raised:
        boto3.client("sagemaker").create_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig=config)
    return raised.value.response["Error"]


def describe(name: str = SCHEDULE) -> dict:
    return boto3.client("sagemaker").describe_monitoring_schedule(MonitoringScheduleName=name)


# ---- the SDK's lifecycle --------------------------------------------------------------


def test_default_model_monitor_schedule_lifecycle_end_to_end():
    from sagemaker.core.model_monitor import CronExpressionGenerator

    default_monitor, baseline = suggest_baseline()
    assert baseline["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    tick = five_past_next_hour()
    default_monitor.create_monitoring_schedule(
        endpoint_input=ENDPOINT, output_s3_uri=REPORTS_URI, monitor_schedule_name=SCHEDULE,
        statistics=default_monitor.baseline_statistics(), constraints=default_monitor.suggested_constraints(),
        schedule_cron_expression=CronExpressionGenerator.hourly(), enable_cloudwatch_metrics=True)

    description = default_monitor.describe_schedule()
    assert description["MonitoringScheduleStatus"] == "Scheduled"
    assert description["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"] == "cron(0 * ? * * *)"
    assert description["EndpointName"] == ENDPOINT
    assert "LastMonitoringExecutionSummary" not in description
    assert default_monitor.list_executions() == []

    send(traffic(rows=100))
    clock.advance(hours=1)
    [execution] = default_monitor.list_executions()  # MonitoringExecution objects, from DescribeProcessingJob
    assert execution.describe()["ProcessingJobStatus"] == "Completed"
    assert default_monitor.latest_monitoring_constraint_violations().body_dict == {"violations": []}
    assert default_monitor.latest_monitoring_statistics().body_dict["dataset"]["item_count"] == 100
    assert default_monitor.describe_schedule()["LastMonitoringExecutionSummary"]["ScheduledTime"] == tick

    default_monitor.stop_monitoring_schedule()
    assert default_monitor.describe_schedule()["MonitoringScheduleStatus"] == "Stopped"
    assert clock.advance(hours=2)["executions"] == []  # a stopped schedule does not run
    default_monitor.start_monitoring_schedule()
    assert default_monitor.describe_schedule()["MonitoringScheduleStatus"] == "Scheduled"
    assert [run["status"] for run in clock.advance(hours=1)["executions"]] == ["Failed"]  # no traffic: no data

    from sagemaker.core.model_monitor import DefaultModelMonitor

    attached = DefaultModelMonitor.attach(SCHEDULE, sagemaker_session=session())  # lists the schedule's tags
    assert attached.describe_schedule()["MonitoringScheduleArn"] == description["MonitoringScheduleArn"]

    definition = description["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"]
    default_monitor.delete_monitoring_schedule()
    with pytest.raises(ClientError, match="ResourceNotFound"):
        describe()
    with pytest.raises(ClientError, match="ResourceNotFound"):
        boto3.client("sagemaker").describe_data_quality_job_definition(JobDefinitionName=definition)


def test_a_baselining_job_name_is_enough_for_the_service_to_find_the_baseline():
    default_monitor, _ = suggest_baseline()
    deploy_with_capture(ENDPOINT)
    five_past_next_hour()
    default_monitor.create_monitoring_schedule(endpoint_input=ENDPOINT, output_s3_uri=REPORTS_URI,
                                               monitor_schedule_name=SCHEDULE, schedule_cron_expression=HOURLY)
    baseline_config = boto3.client("sagemaker").describe_data_quality_job_definition(
        JobDefinitionName=describe()["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"])["DataQualityBaselineConfig"]
    send(traffic(rows=20))
    clock.advance(hours=1)

    assert set(baseline_config) == {"BaseliningJobName"}
    assert executions()[0]["MonitoringExecutionStatus"] == "Completed", executions()[0].get("FailureReason")


# ---- SageMaker's rules ----------------------------------------------------------------


@pytest.mark.parametrize("expression, complaint", [
    ("cron(5 * ? * * *)", "Minutes must be 0"),
    ("cron(0 * * * * *)", "Day-of-month, Month, Day-of-week and Year must be '? * * *'"),
    ("cron(0 24 ? * * *)", "the Hours field '24' must be *, an hour 0-23"),
    ("cron(0 0/25 ? * * *)", "the interval in '0/25' must be 1-24 hours"),
    ("cron(0 * ? * *)", "a cron expression has 6 fields"),
    ("rate(1 hour)", "it must be cron(...) or NOW"),
])
def test_invalid_cron_expressions_are_refused_with_a_validation_exception(expression, complaint):
    error = schedule_error({"ScheduleConfig": {"ScheduleExpression": expression},
                            "MonitoringJobDefinitionName": "any", "MonitoringType": "DataQuality"})

    assert error["Code"] == "ValidationException"
    assert f"Invalid ScheduleExpression '{expression}'" in error["Message"] and complaint in error["Message"]
    assert "cron(0 * ? * * *) (hourly)" in error["Message"]


def test_now_needs_the_analysis_window():
    error = schedule_error({"ScheduleConfig": {"ScheduleExpression": "NOW"}, "MonitoringJobDefinitionName": "any"})

    assert error["Code"] == "ValidationException"
    assert "needs DataAnalysisStartTime and DataAnalysisEndTime" in error["Message"]


def test_an_unknown_job_definition_or_endpoint_is_refused():
    missing_definition = schedule_error({"ScheduleConfig": {"ScheduleExpression": HOURLY},
                                         "MonitoringJobDefinitionName": "nowhere"})
    assert "Could not find data quality job definition 'nowhere'" in missing_definition["Message"]
    with pytest.raises(ClientError, match="Could not find endpoint"):
        create_schedule(endpoint="no-such-endpoint")


def test_a_now_schedule_runs_once_at_once_on_the_window_it_names():
    assert baseline_job()["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    send(traffic(rows=30))
    create_schedule(cron="NOW", DataAnalysisStartTime="-PT1H", DataAnalysisEndTime="-PT0H")

    for _ in range(200):  # it starts in the background, as on AWS
        found = executions()
        if found and found[0]["MonitoringExecutionStatus"] not in ("Pending", "InProgress"):
            break
        time.sleep(0.05)
    [execution] = found
    assert execution["MonitoringExecutionStatus"] == "Completed", execution.get("FailureReason")
    assert clock.advance(hours=5)["executions"] == []  # one time only


def test_every_x_hours_ticks_at_its_hours_and_update_changes_the_cron():
    assert baseline_job()["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    start = clock.server_time().replace(hour=0, minute=5, second=0, microsecond=0) + timedelta(days=1)
    clock.advance(to=start)
    create_schedule(cron="cron(0 0/6 ? * * *)")
    ran = clock.advance(hours=24)["executions"]
    assert [run["scheduled_time"][11:16] for run in ran] == ["06:00", "12:00", "18:00", "00:00"]

    config = describe()["MonitoringScheduleConfig"]
    config["ScheduleConfig"]["ScheduleExpression"] = "cron(0 13 ? * * *)"
    boto3.client("sagemaker").update_monitoring_schedule(MonitoringScheduleName=SCHEDULE, MonitoringScheduleConfig=config)
    assert [run["scheduled_time"][11:16] for run in clock.advance(hours=24)["executions"]] == ["13:00"]
    assert describe()["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"] == "cron(0 13 ? * * *)"


def test_list_schedules_filters_and_duplicates_are_refused():
    assert baseline_job()["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    create_schedule()
    with pytest.raises(ClientError, match="ResourceInUse"):
        boto3.client("sagemaker").create_monitoring_schedule(MonitoringScheduleName=SCHEDULE, MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": HOURLY}, "MonitoringJobDefinitionName": f"{SCHEDULE}-definition"})
    sagemaker = boto3.client("sagemaker")

    [summary] = sagemaker.list_monitoring_schedules(EndpointName=ENDPOINT)["MonitoringScheduleSummaries"]
    assert summary["MonitoringScheduleName"] == SCHEDULE and summary["MonitoringScheduleStatus"] == "Scheduled"
    assert sagemaker.list_monitoring_schedules(EndpointName="other")["MonitoringScheduleSummaries"] == []
    assert sagemaker.list_monitoring_schedules(StatusEquals="Stopped")["MonitoringScheduleSummaries"] == []
    with pytest.raises(ClientError, match="ResourceNotFound"):
        sagemaker.stop_monitoring_schedule(MonitoringScheduleName="nope")


def test_an_endpoint_with_a_schedule_attached_is_not_deleted_until_the_schedule_is():
    deploy_with_capture(ENDPOINT)
    create_schedule()
    sagemaker = boto3.client("sagemaker")

    with pytest.raises(ClientError) as refused:
        sagemaker.delete_endpoint(EndpointName=ENDPOINT)

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["Error"]["Message"] == (
        f"Cannot delete endpoint {ENDPOINT}: monitoring schedule(s) {SCHEDULE} are attached to it. "
        "Delete the monitoring schedule(s) first with DeleteMonitoringSchedule.")
    assert sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointStatus"] == "InService"
    sagemaker.delete_monitoring_schedule(MonitoringScheduleName=SCHEDULE)
    sagemaker.delete_endpoint(EndpointName=ENDPOINT)
    assert sagemaker.list_endpoints()["Endpoints"] == []


# ---- the clock ------------------------------------------------------------------------


def test_the_clock_moves_forward_only_and_a_reset_puts_it_back(server_url):
    before = clock.server_time()
    after = clock.advance(hours=2)

    assert after["offset_seconds"] == pytest.approx(7200)
    assert clock.server_time() - before >= timedelta(hours=2)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(hours=-1)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(to=before)
    requests.post(f"{server_url}/moto-api/reset", timeout=10)
    assert clock.server_time() - before < timedelta(hours=1)


def test_a_tick_reached_by_waiting_runs_too():
    assert baseline_job()["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    tick = five_past_next_hour()
    create_schedule()
    clock.advance(to=tick - timedelta(seconds=0.3))  # just before the top of the hour: nothing runs yet
    assert executions() == []

    deadline = time.monotonic() + 5 * clock.TICK_SECONDS
    while not executions() and time.monotonic() < deadline:
        time.sleep(0.1)
    [execution] = executions()
    assert execution["ScheduledTime"] == tick
    assert execution["FailureReason"].startswith("Job inputs had no data")


def test_advance_without_waiting_runs_the_due_executions_in_the_background():
    assert baseline_job()["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    tick = five_past_next_hour()
    create_schedule()

    assert clock.advance(hours=1, wait=False)["executions"] == []
    deadline = time.monotonic() + 5
    while not executions() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [execution["ScheduledTime"] for execution in executions()] == [tick]
