"""Lab 4's checks against the backend's state: the mistakes learners make get the message meant for them."""

from datetime import datetime, timezone

import boto3
from test_model_monitor import CAPTURE_URI, baseline_csv, credit_model, suggest_baseline
from test_endpoints import deploy, upload_model
from test_model_monitor_executions import (
    ENDPOINT, SCHEDULE, baseline_job, create_schedule, deploy_with_capture,
)

from mlops_kit.data import COLUMNS
from mlops_kit.data.synthetic import synthetic_credit_data
from mlops_kit.grading.checks import CheckContext
from mlops_kit.grading.labs import lab4


def run(check, **namespace):
    return check.run(CheckContext(namespace))


def test_a_baseline_with_the_score_first_passes():
    monitor, job = suggest_baseline(baseline_csv(rows=500))

    result = run(lab4.baseline_written_and_sensible, monitor=monitor,
                 train_features=synthetic_credit_data(500, seed=1))

    assert result.status == "passed", result.message


def test_a_baseline_with_the_label_first_is_named_as_the_mistake():
    monitor, _ = suggest_baseline(synthetic_credit_data(500, seed=1)[COLUMNS].to_csv(index=False))

    result = run(lab4.baseline_written_and_sensible, monitor=monitor,
                 train_features=synthetic_credit_data(500, seed=1))

    assert result.status == "failed"
    assert result.message == "The baseline's first column is 'Label', not the model's score."
    assert "score first" in result.hint


def test_a_daily_schedule_fails_saying_it_is_not_hourly_and_an_hourly_one_passes():
    assert baseline_job()["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    create_schedule(name="daily", cron="cron(0 12 ? * * *)")
    create_schedule()

    daily = run(lab4.hourly_schedule_on_the_endpoint, schedule_name="daily", endpoint_name=ENDPOINT)
    hourly = run(lab4.hourly_schedule_on_the_endpoint, schedule_name=SCHEDULE, endpoint_name=ENDPOINT)

    assert daily.status == "failed" and "'cron(0 12 ? * * *)', not hourly" in daily.message
    assert "CronExpressionGenerator.hourly()" in daily.hint
    assert hourly.status == "passed", hourly.message


def test_capturing_a_sample_of_the_traffic_fails_with_the_percentage():
    url = upload_model(credit_model(), "models/sampled/model.tar.gz")
    deploy("sampled", model_data_url=url, data_capture={
        "EnableCapture": True, "InitialSamplingPercentage": 20, "DestinationS3Uri": CAPTURE_URI,
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]})

    result = run(lab4.capture_files_hold_the_traffic, endpoint_name="sampled", capture_uri=CAPTURE_URI)

    assert result.status == "failed" and result.message.startswith("The endpoint captures 20 % of requests")


def test_a_run_without_data_points_to_the_missing_traffic():
    execution = {"MonitoringExecutionStatus": "Failed", "FailureReason": "Job inputs had no data",
                 "ScheduledTime": datetime(2026, 1, 1, 10, tzinfo=timezone.utc)}

    result = run(lab4.no_violations_on_normal_traffic, normal_execution=execution, normal_violations=None)

    assert result.status == "failed" and "Failed: Job inputs had no data" in result.message
    assert "no traffic was captured" in result.hint


def test_cleanup_is_not_passed_by_a_lab_that_never_deployed():
    boto3.client("s3").create_bucket(Bucket="monitor-tests")

    result = run(lab4.everything_deleted, endpoint_name="never-created", capture_uri=CAPTURE_URI,
                 schedule_name="none", alarm_name="none")

    assert result.status == "failed" and "never served traffic" in result.message
