"""Monitoring executions on the local backend: the demo's drift scenarios, reports, metrics, failures.

Each test deploys the credit model with Data Capture, creates the baseline and an hourly
schedule (the requests DefaultModelMonitor sends, through boto3), puts the backend clock
at 5 past an hour, sends traffic, and advances the clock one hour: the tick at the top of
the hour analyses the hour of traffic, as on AWS.
"""

import json
from datetime import datetime, timedelta

import boto3
import numpy as np
import pytest
from test_model_monitor import (
    BUCKET, REPORTS_URI, ROLE, SCORE, baseline_csv, deploy_with_capture, make_bucket, read_json,
    scores, wait_for_job,
)

from mlops_kit.data.schema import FEATURES
from mlops_kit.data.synthetic import synthetic_credit_data
from mlops_kit.local import clock

ANALYZER = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
ENDPOINT = "credit-endpoint"
SCHEDULE = "credit-schedule"
HOURLY = "cron(0 * ? * * *)"


def baseline_job(name: str = "baseline-suggestion-job-1", csv_text: str | None = None) -> dict:
    """The processing job suggest_baseline creates (same image, inputs, outputs and Environment)."""
    make_bucket()
    boto3.client("s3").put_object(Bucket=BUCKET, Key="baseline/train.csv", Body=csv_text or baseline_csv())
    boto3.client("sagemaker").create_processing_job(
        ProcessingJobName=name, RoleArn=ROLE,
        AppSpecification={"ImageUri": ANALYZER},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
        ProcessingInputs=[{"InputName": "baseline_dataset_input", "S3Input": {
            "S3Uri": f"s3://{BUCKET}/baseline/train.csv", "LocalPath": "/opt/ml/processing/input/baseline_dataset_input",
            "S3DataType": "S3Prefix", "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}}],
        ProcessingOutputConfig={"Outputs": [{"OutputName": "monitoring_output", "S3Output": {
            "S3Uri": f"s3://{BUCKET}/baseline/results", "LocalPath": "/opt/ml/processing/output",
            "S3UploadMode": "EndOfJob"}}]},
        Environment={"dataset_format": json.dumps({"csv": {"header": True, "output_columns_position": "START"}}),
                     "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
                     "output_path": "/opt/ml/processing/output", "publish_cloudwatch_metrics": "Disabled"},
    )
    return wait_for_job(name)


def create_schedule(name: str = SCHEDULE, endpoint: str = ENDPOINT, cron: str = HOURLY, **schedule_config) -> None:
    """CreateDataQualityJobDefinition + CreateMonitoringSchedule, as DefaultModelMonitor.create_monitoring_schedule."""
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_data_quality_job_definition(
        JobDefinitionName=f"{name}-definition", RoleArn=ROLE,
        DataQualityAppSpecification={"ImageUri": ANALYZER, "Environment": {"publish_cloudwatch_metrics": "Enabled"}},
        DataQualityBaselineConfig={
            "ConstraintsResource": {"S3Uri": f"s3://{BUCKET}/baseline/results/constraints.json"},
            "StatisticsResource": {"S3Uri": f"s3://{BUCKET}/baseline/results/statistics.json"}},
        DataQualityJobInput={"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input/endpoint",
                                               "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}},
        DataQualityJobOutputConfig={"MonitoringOutputs": [{"S3Output": {
            "S3Uri": REPORTS_URI, "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "Continuous"}}]},
        JobResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
    )
    sagemaker.create_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig={
        "ScheduleConfig": {"ScheduleExpression": cron, **schedule_config},
        "MonitoringJobDefinitionName": f"{name}-definition", "MonitoringType": "DataQuality"})


def five_past_next_hour() -> datetime:
    """Put the backend clock at hh:05, so the next tick is 55 simulated minutes away; return that tick."""
    now = clock.server_time()
    target = now.replace(minute=5, second=0, microsecond=0) + timedelta(hours=1)
    clock.advance(to=target)
    return target.replace(minute=0) + timedelta(hours=1)


def monitored_endpoint() -> datetime:
    """Baseline, endpoint with capture, hourly schedule, clock at hh:05; return the next tick."""
    assert baseline_job()["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    tick = five_past_next_hour()
    create_schedule()
    return tick


def traffic(rows: int = 500, seed: int = 7, change=None) -> list[str]:
    data = synthetic_credit_data(rows, seed=seed)[FEATURES]
    lines = [",".join(str(value) for value in row) for row in data.itertuples(index=False)]
    return [change(data.iloc[index], line) for index, line in enumerate(lines)] if change else lines


def send(lines: list[str]) -> None:
    """One request per row, as the demo sends traffic."""
    runtime = boto3.client("sagemaker-runtime")
    for line in lines:
        runtime.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=line)


def with_column(column: str, transform):
    """A change to one column of a traffic row (the row's values as text)."""
    index = FEATURES.index(column)

    def change(_row, line: str) -> str:
        values = line.split(",")
        values[index] = transform(values[index])
        return ",".join(values)

    return change


def executions(name: str = SCHEDULE) -> list[dict]:
    return boto3.client("sagemaker").list_monitoring_executions(MonitoringScheduleName=name)[
        "MonitoringExecutionSummaries"]


def report(tick: datetime, name: str = "constraint_violations.json") -> dict:
    return read_json(f"reports/{ENDPOINT}/{SCHEDULE}/{tick:%Y/%m/%d/%H}/{name}")


def violations_of(tick: datetime) -> set[tuple[str, str]]:
    return {(v["feature_name"], v["constraint_check_type"]) for v in report(tick)["violations"]}


def run_hour_with(lines: list[str]) -> tuple[datetime, dict]:
    tick = monitored_endpoint()
    send(lines)
    answer = clock.advance(hours=1)
    assert [run["scheduled_time"] for run in answer["executions"]] == [tick.isoformat()]
    [execution] = executions()
    return tick, execution


# ---- scenarios ------------------------------------------------------------------------


def test_normal_traffic_completes_without_violations_and_reports_at_the_real_path():
    tick, execution = run_hour_with(traffic())

    assert execution["MonitoringExecutionStatus"] == "Completed", execution.get("FailureReason")
    assert execution["ScheduledTime"] == tick
    assert execution["EndpointName"] == ENDPOINT and execution["MonitoringType"] == "DataQuality"
    job = boto3.client("sagemaker").describe_processing_job(ProcessingJobName=execution["ProcessingJobArn"].split("/")[-1])
    assert job["ProcessingJobStatus"] == "Completed"
    assert job["ExitMessage"] == "Completed: Job completed successfully with no violations."
    assert job["ProcessingJobName"].startswith(f"model-monitoring-{tick:%Y%m%d%H%M}-")
    assert job["Environment"]["start_time"] == f"{tick - timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}"
    assert job["Environment"]["end_time"] == f"{tick:%Y-%m-%dT%H:%M:%SZ}"
    assert job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == \
        f"{REPORTS_URI}/{ENDPOINT}/{SCHEDULE}/{tick:%Y/%m/%d/%H}"
    assert report(tick) == {"violations": []}
    statistics = report(tick, "statistics.json")
    assert statistics["dataset"] == {"item_count": 500}
    assert [feature["name"] for feature in statistics["features"]] == [SCORE, *FEATURES]
    assert report(tick, "constraints.json") == read_json("baseline/results/constraints.json")
    description = boto3.client("sagemaker").describe_monitoring_schedule(MonitoringScheduleName=SCHEDULE)
    assert description["LastMonitoringExecutionSummary"]["MonitoringExecutionStatus"] == "Completed"


def test_limit_bal_sign_flip_is_drift_and_breaks_non_negativity():
    tick, execution = run_hour_with(traffic(change=with_column("LIMIT_BAL", lambda value: f"-{value}")))

    assert execution["MonitoringExecutionStatus"] == "CompletedWithViolations"
    found = report(tick)["violations"]
    on_limit = [v for v in found if v["feature_name"] == "LIMIT_BAL"]
    assert {v["constraint_check_type"] for v in on_limit} == {"baseline_drift_check", "data_type_check"}
    assert {v["feature_name"] for v in found} <= {"LIMIT_BAL", SCORE}  # the model's score moves with its input
    drift = next(v for v in on_limit if v["constraint_check_type"] == "baseline_drift_check")
    assert drift["description"].startswith("Numerical distance: ") and "exceeds numerical threshold: 0.1" in drift["description"]
    assert next(v for v in on_limit if v["constraint_check_type"] == "data_type_check")["description"] == \
        "Value: 0.0 does not meet the constraint requirement! "
    job = boto3.client("sagemaker").describe_processing_job(ProcessingJobName=execution["ProcessingJobArn"].split("/")[-1])
    assert job["ExitMessage"] == f"CompletedWithViolations: Job completed successfully with {len(found)} violations."


def test_sex_sent_as_floats_is_a_data_type_violation():
    tick, execution = run_hour_with(traffic(change=with_column("SEX", lambda value: f"{float(value)}")))

    assert execution["MonitoringExecutionStatus"] == "CompletedWithViolations"
    [violation] = report(tick)["violations"]
    assert violation == {"feature_name": "SEX", "constraint_check_type": "data_type_check",
                         "description": "Data type match requirement is not met. Expected data type: Integral, "
                                        "Expected match: 100.0%. Observed: Only 0.0% of data is Integral."}


def test_age_plus_23_is_baseline_drift_and_its_metric_is_in_cloudwatch():
    tick, execution = run_hour_with(traffic(change=with_column("AGE", lambda value: str(int(value) + 23))))

    assert execution["MonitoringExecutionStatus"] == "CompletedWithViolations"
    assert violations_of(tick) == {("AGE", "baseline_drift_check")}
    distance = float(report(tick)["violations"][0]["description"].split()[2])
    statistics = boto3.client("cloudwatch").get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/data-metrics", MetricName="feature_baseline_drift_AGE",
        Dimensions=[{"Name": "Endpoint", "Value": ENDPOINT}, {"Name": "MonitoringSchedule", "Value": SCHEDULE}],
        StartTime=tick - timedelta(minutes=5), EndTime=tick + timedelta(minutes=5), Period=3600,
        Statistics=["Maximum"])
    assert [point["Maximum"] for point in statistics["Datapoints"]] == [pytest.approx(distance)]
    metrics = boto3.client("cloudwatch").list_metrics(Namespace="aws/sagemaker/Endpoints/data-metrics")["Metrics"]
    names = {metric["MetricName"] for metric in metrics}
    assert {"feature_data_AGE", "feature_non_null_AGE", "feature_baseline_drift_LIMIT_BAL"} <= names


# ---- the analysed window --------------------------------------------------------------


def test_only_the_hour_before_the_tick_is_analysed():
    tick = monitored_endpoint()
    send(traffic(rows=50, seed=3))
    clock.advance(hours=1)  # tick 1: the 50 records
    send(traffic(rows=80, seed=4))
    answer = clock.advance(hours=1)  # tick 2: the next hour's 80 records

    assert [run["status"] for run in answer["executions"]] == ["Completed"]
    second = tick + timedelta(hours=1)
    assert report(tick, "statistics.json")["dataset"]["item_count"] == 50
    assert report(second, "statistics.json")["dataset"]["item_count"] == 80
    capture_hours = {key["Key"].split("/")[-2] for key in
                     boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"datacapture/{ENDPOINT}/")["Contents"]}
    assert capture_hours == {f"{tick - timedelta(hours=1):%H}", f"{tick:%H}"}  # capture used the backend clock


def test_an_empty_window_fails_with_no_data_and_no_processing_job():
    tick = monitored_endpoint()
    clock.advance(hours=1)

    [execution] = executions()
    assert execution["MonitoringExecutionStatus"] == "Failed"
    assert execution["FailureReason"].startswith("Job inputs had no data")
    assert "ProcessingJobArn" not in execution
    assert execution["ScheduledTime"] == tick


def test_every_tick_passed_in_one_advance_runs_in_order():
    tick = monitored_endpoint()
    send(traffic(rows=30))
    answer = clock.advance(hours=3)

    assert [run["scheduled_time"] for run in answer["executions"]] == [
        (tick + timedelta(hours=hours)).isoformat() for hours in range(3)]
    assert [run["status"] for run in answer["executions"]] == ["Completed", "Failed", "Failed"]


# ---- bad captures ---------------------------------------------------------------------


def put_capture(hour: datetime, lines: list[str]) -> None:
    boto3.client("s3").put_object(Bucket=BUCKET, Key=f"datacapture/{ENDPOINT}/AllTraffic/{hour:%Y/%m/%d/%H}/10-00-000-x.jsonl",
                                  Body="\n".join(lines) + "\n")


def capture_line(features: str, when: datetime, output: str = "0.25") -> str:
    return json.dumps({"captureData": {
        "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": features, "encoding": "CSV"},
        "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": output, "encoding": "CSV"}},
        "eventMetadata": {"eventId": "e", "inferenceTime": f"{when:%Y-%m-%dT%H:%M:%SZ}"}, "eventVersion": "0"})


def test_a_malformed_capture_line_fails_the_execution_naming_file_and_line():
    tick = monitored_endpoint()
    hour = tick - timedelta(hours=1)
    put_capture(hour, [capture_line(traffic(rows=1)[0], hour + timedelta(minutes=10)), "{not json"])
    clock.advance(hours=1)

    [execution] = executions()
    assert execution["MonitoringExecutionStatus"] == "Failed"
    assert "10-00-000-x.jsonl line 2 is not a capture record" in execution["FailureReason"]
    job = boto3.client("sagemaker").describe_processing_job(ProcessingJobName=execution["ProcessingJobArn"].split("/")[-1])
    assert job["ProcessingJobStatus"] == "Failed" and job["FailureReason"].startswith("AlgorithmError: ")
    boto3.client("sagemaker").list_endpoints()  # the server keeps serving


def test_mixed_input_and_output_encodings_fail_with_the_analyzers_message():
    tick = monitored_endpoint()
    hour = tick - timedelta(hours=1)
    line = json.loads(capture_line(traffic(rows=1)[0], hour + timedelta(minutes=1)))
    line["captureData"]["endpointOutput"]["encoding"] = "JSON"
    put_capture(hour, [json.dumps(line)])
    clock.advance(hours=1)

    assert "Encoding mismatch: Encoding is CSV for endpointInput, but Encoding is JSON for endpointOutput." in \
        executions()[0]["FailureReason"]


def test_a_capture_missing_a_column_is_reported_as_a_missing_column():
    tick = monitored_endpoint()
    hour = tick - timedelta(hours=1)
    rows = traffic(rows=40)
    answers = scores(np.array([[float(value) for value in row.split(",")] for row in rows]))
    short_rows = [",".join(line.split(",")[:-1]) for line in rows]  # PAY_AMT6 left out
    put_capture(hour, [capture_line(row, hour + timedelta(minutes=2), str(answer))
                       for row, answer in zip(short_rows, answers)])
    clock.advance(hours=1)

    [execution] = executions()
    assert execution["MonitoringExecutionStatus"] == "CompletedWithViolations"
    [violation] = report(tick)["violations"]
    assert violation["feature_name"] == "PAY_AMT6"
    assert violation["constraint_check_type"] == "missing_column_check"
    assert "Number of columns in current dataset: 23, Number of columns in baseline constraints: 24" in \
        violation["description"]


def test_records_outside_the_window_in_the_hour_folder_are_left_out():
    tick = monitored_endpoint()
    hour = tick - timedelta(hours=1)
    rows = traffic(rows=3)
    put_capture(hour, [capture_line(rows[0], hour + timedelta(minutes=1)),
                       capture_line(rows[1], hour - timedelta(minutes=1)),
                       capture_line(rows[2], tick + timedelta(seconds=1))])
    clock.advance(hours=1)

    assert report(tick, "statistics.json")["dataset"]["item_count"] == 1


def test_missing_baseline_files_fail_the_execution_saying_which():
    tick = monitored_endpoint()
    boto3.client("s3").delete_object(Bucket=BUCKET, Key="baseline/results/statistics.json")
    send(traffic(rows=5))
    clock.advance(hours=1)

    reason = executions()[0]["FailureReason"]
    assert f"s3://{BUCKET}/baseline/results/statistics.json does not exist" in reason
    assert executions()[0]["ScheduledTime"] == tick


def test_a_schedule_with_an_inline_job_definition_runs_too():
    assert baseline_job()["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    tick = five_past_next_hour()
    boto3.client("sagemaker").create_monitoring_schedule(MonitoringScheduleName=SCHEDULE, MonitoringScheduleConfig={
        "ScheduleConfig": {"ScheduleExpression": HOURLY},
        "MonitoringJobDefinition": {
            "BaselineConfig": {
                "ConstraintsResource": {"S3Uri": f"s3://{BUCKET}/baseline/results/constraints.json"},
                "StatisticsResource": {"S3Uri": f"s3://{BUCKET}/baseline/results/statistics.json"}},
            "MonitoringInputs": [{"EndpointInput": {"EndpointName": ENDPOINT,
                                                    "LocalPath": "/opt/ml/processing/input/endpoint"}}],
            "MonitoringOutputConfig": {"MonitoringOutputs": [{"S3Output": {
                "S3Uri": REPORTS_URI, "LocalPath": "/opt/ml/processing/output"}}]},
            "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                      "VolumeSizeInGB": 20}},
            "MonitoringAppSpecification": {"ImageUri": ANALYZER},
            "RoleArn": ROLE}})
    send(traffic(rows=60, change=with_column("AGE", lambda value: str(int(value) + 23))))
    clock.advance(hours=1)

    [execution] = executions()
    assert "MonitoringJobDefinitionName" not in execution
    assert execution["MonitoringExecutionStatus"] == "CompletedWithViolations", execution.get("FailureReason")
    assert ("AGE", "baseline_drift_check") in violations_of(tick)
