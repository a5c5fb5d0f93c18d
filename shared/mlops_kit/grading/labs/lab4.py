"""Checks for lab 4 (drift monitoring).

They read the notebook's variables and, through boto3, the backend's state (the endpoint,
the capture files, the baseline job, the schedule, each run's report in S3, CloudWatch),
so the same checks grade a run on the local backend and on AWS. Wherever a check can, it
reads the report the monitor wrote rather than the notebook's copy of it.
"""

import json

import pandas as pd
from botocore.exceptions import ClientError

from mlops_kit.data import FEATURES
from mlops_kit.grading import CheckFailed, graded
from mlops_kit.grading.checks import s3_location
from mlops_kit.grading.labs.lab2 import registered_package

LAB = "lab4"
# Exercise -> the earlier exercises whose results it uses (see grading.grader).
BUILDS_ON = {"schedule": ("capture", "baseline"), "normal": ("schedule",), "scenarios": ("schedule",),
             "gradual": ("schedule",), "cleanup": ("capture",)}
HOURLY = "cron(0 * ? * * *)"
SCORE = "score"
DRIFT_METRIC = "feature_baseline_drift_AGE"
# scenario name in the notebook -> (feature, check type) the monitor must report
EXPECTED = {
    "LIMIT_BAL sign flip": ("LIMIT_BAL", "baseline_drift_check"),
    "SEX as floats": ("SEX", "data_type_check"),
    "AGE + 23": ("AGE", "baseline_drift_check"),
}
VIOLATION_COLUMNS = ["feature_name", "constraint_check_type", "description"]


def call(what: str, function, hint: str = "", **arguments) -> dict:
    """A boto3 call whose ClientError becomes a failure naming what was looked for."""
    try:
        return function(**arguments)
    except ClientError as error:
        raise CheckFailed(f"{what} cannot be found: {error.response['Error']['Message']}", hint=hint)


def read_json(ctx, uri: str) -> dict:
    bucket, key = s3_location(uri)
    body = call(uri, ctx.client("s3").get_object, Bucket=bucket, Key=key)["Body"].read()
    return json.loads(body)


def capture_lines(ctx) -> list[dict]:
    """Every capture record of the learner's endpoint, read from S3."""
    s3, endpoint = ctx.client("s3"), ctx.get("endpoint_name")
    bucket, key = s3_location(ctx.get("capture_uri"))
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{key.rstrip('/')}/{endpoint}/")
    keys = sorted(item["Key"] for page in pages for item in page.get("Contents", []))
    records = []
    for name in keys:
        text = s3.get_object(Bucket=bucket, Key=name)["Body"].read().decode()
        records += [json.loads(line) for line in text.splitlines() if line.strip()]
    return records


def report_of(ctx, execution, name: str = "constraint_violations.json") -> dict:
    """A file of a monitoring run's report, found through the run's processing job."""
    if not isinstance(execution, dict) or "MonitoringExecutionStatus" not in execution:
        raise CheckFailed(f"{execution!r:.80} is not a monitoring run (a ListMonitoringExecutions summary).",
                          hint="Keep what session.wait_for_next_monitoring_run(schedule_name) returns.")
    if "ProcessingJobArn" not in execution:
        raise CheckFailed(f"The run scheduled at {execution.get('ScheduledTime')} has no processing job: it is "
                          f"{execution['MonitoringExecutionStatus']}: {execution.get('FailureReason', '')}",
                          hint="'Job inputs had no data' means no traffic was captured in that hour.")
    job_name = execution["ProcessingJobArn"].split("/")[-1]
    job = call(f"Processing job {job_name}", ctx.client("sagemaker").describe_processing_job,
               ProcessingJobName=job_name)
    return read_json(ctx, f"{job['ProcessingOutputConfig']['Outputs'][0]['S3Output']['S3Uri']}/{name}")


def reported_pairs(ctx, execution) -> set[tuple[str, str]]:
    return {(v["feature_name"], v["constraint_check_type"]) for v in report_of(ctx, execution)["violations"]}


@graded(LAB, exercise="capture", points=2, success="The endpoint captures every request and answer, one row per record.")
def capture_files_hold_the_traffic(ctx):
    endpoint = call(f"Endpoint {ctx.get('endpoint_name')}", ctx.client("sagemaker").describe_endpoint,
                    hint="Create the model, the endpoint configuration and the endpoint (Exercise 1).",
                    EndpointName=ctx.get("endpoint_name"))
    capture = endpoint.get("DataCaptureConfig") or {}  # a DataCaptureConfigSummary
    if not capture.get("EnableCapture"):
        raise CheckFailed("The endpoint does not capture data.",
                          hint="Give the endpoint configuration "
                               "data_capture_config=DataCaptureConfig(enable_capture=True, ...).")
    if capture.get("CurrentSamplingPercentage") != 100:
        raise CheckFailed(f"The endpoint captures {capture.get('CurrentSamplingPercentage')} % of requests; the lab "
                          "asks for 100 % (the SDK's default is 20 %).", hint="initial_sampling_percentage=100")
    records, sent = capture_lines(ctx), ctx.get("normal_traffic")
    if not records:
        raise CheckFailed(f"No capture file under {ctx.get('capture_uri')}/{endpoint['EndpointName']}/ yet.",
                          hint="Send the traffic (Exercise 2); on AWS files appear within a few minutes.")
    data = [record.get("captureData", {}) for record in records]
    if not all("endpointInput" in item and "endpointOutput" in item for item in data):
        raise CheckFailed("Capture records lack the request or the answer.",
                          hint='Capture both: capture_options=[CaptureOption(capture_mode="Input"), '
                               'CaptureOption(capture_mode="Output")].')
    if any(item["endpointInput"].get("encoding") != "CSV" for item in data):
        raise CheckFailed("The requests were not captured as CSV (the monitor cannot read them).",
                          hint='capture_content_type_header=CaptureContentTypeHeader(csv_content_types=["text/csv"]) '
                               'and ContentType="text/csv" on each request.')
    rows = [item["endpointInput"]["data"].strip() for item in data]
    if any("\n" in row for row in rows):
        raise CheckFailed("Some requests hold several rows; the lab sends one row per request.",
                          hint="Invoke the endpoint once per row.")
    expected = sent.to_csv(header=False, index=False).splitlines()
    missing = len(set(expected) - set(rows))
    if missing or len(rows) < len(expected):
        raise CheckFailed(f"{missing or len(expected) - len(rows)} of the {len(expected)} normal rows are not in the "
                          "capture files.", hint="Send every row of normal_traffic: 23 values, no header, no index.")


@graded(LAB, exercise="baseline", points=2, success="Baseline of the score and the 23 features, on every training row.")
def baseline_written_and_sensible(ctx):
    monitor = ctx.get("monitor")
    job_name = getattr(getattr(monitor, "latest_baselining_job", None), "job_name", None)
    if not job_name:
        raise CheckFailed("`monitor` has run no baseline job.", hint="monitor.suggest_baseline(...) (Exercise 3).")
    job = call(f"Baseline job {job_name}", ctx.client("sagemaker").describe_processing_job, ProcessingJobName=job_name)
    if job["ProcessingJobStatus"] != "Completed":
        raise CheckFailed(f"The baseline job is {job['ProcessingJobStatus']}: {job.get('FailureReason', '')}")
    output = job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    statistics = read_json(ctx, f"{output}/statistics.json")
    constraints = read_json(ctx, f"{output}/constraints.json")
    names = [feature["name"] for feature in statistics["features"]]
    if names[1:] == FEATURES and names[0] != SCORE or names == ["Label", *FEATURES]:
        raise CheckFailed(f"The baseline's first column is {names[0]!r}, not the model's score.",
                          hint="A captured record is the answer, then the features: put the score first, not the label.")
    if names != [SCORE, *FEATURES]:
        raise CheckFailed(f"The baseline's columns are {names[:4]}...; expected score followed by the 23 features.",
                          hint="baseline_data: a 'score' column, then train_features' columns, written with a header.")
    rows = len(ctx.get("train_features"))
    if statistics["dataset"]["item_count"] != rows:
        raise CheckFailed(f"The baseline has {statistics['dataset']['item_count']:,} rows; the training data has {rows:,}.",
                          hint="Score every training row, and write the CSV with one header row.")
    score = statistics["features"][0]
    if score["inferred_type"] != "Fractional" or not 0 <= score["numerical_statistics"]["min"] <= \
            score["numerical_statistics"]["max"] <= 1:
        raise CheckFailed("The score column is not a probability between 0 and 1.",
                          hint="Score with booster.predict(...) (binary:logistic gives probabilities).")
    if "monitoring_config" not in constraints:
        raise CheckFailed("constraints.json has no monitoring_config.")


@graded(LAB, exercise="schedule", points=1, success="An hourly schedule on the endpoint, with the baseline and metrics.")
def hourly_schedule_on_the_endpoint(ctx):
    sagemaker, name = ctx.client("sagemaker"), ctx.get("schedule_name")
    schedule = call(f"Monitoring schedule {name}", sagemaker.describe_monitoring_schedule,
                    hint="monitor.create_monitoring_schedule(..., monitor_schedule_name=schedule_name) (Exercise 4).",
                    MonitoringScheduleName=name)
    config = schedule["MonitoringScheduleConfig"]
    expression = config["ScheduleConfig"]["ScheduleExpression"]
    if expression != HOURLY:
        raise CheckFailed(f"The schedule runs on {expression!r}, not hourly.",
                          hint="schedule_cron_expression=CronExpressionGenerator.hourly()")
    if schedule.get("EndpointName") != ctx.get("endpoint_name"):
        raise CheckFailed(f"The schedule watches {schedule.get('EndpointName')}, not {ctx.get('endpoint_name')}.")
    definition = call("The schedule's job definition", sagemaker.describe_data_quality_job_definition,
                      JobDefinitionName=config.get("MonitoringJobDefinitionName", ""))
    environment = definition["DataQualityAppSpecification"].get("Environment", {})
    if environment.get("publish_cloudwatch_metrics") != "Enabled":
        raise CheckFailed("The schedule does not publish CloudWatch metrics (the alarm needs them).",
                          hint="enable_cloudwatch_metrics=True")
    if not definition.get("DataQualityBaselineConfig", {}).get("StatisticsResource"):
        raise CheckFailed("The schedule has no baseline statistics to compare with.",
                          hint="statistics=monitor.baseline_statistics(), constraints=monitor.suggested_constraints()")


@graded(LAB, exercise="normal", points=1, success="Normal traffic: the run completed with no violations, and you read it.")
def no_violations_on_normal_traffic(ctx):
    execution, table = ctx.get("normal_execution"), ctx.get("normal_violations")
    reported = report_of(ctx, execution)["violations"]
    if execution["MonitoringExecutionStatus"] != "Completed" or reported:
        pairs = sorted({(v["feature_name"], v["constraint_check_type"]) for v in reported})
        raise CheckFailed(f"The normal hour ended {execution['MonitoringExecutionStatus']} with violations {pairs[:4]}.",
                          hint="Drift on every feature usually means the baseline's columns are not in the capture's "
                               "order (score first).")
    if not isinstance(table, pd.DataFrame) or list(table.columns) != VIOLATION_COLUMNS or len(table):
        raise CheckFailed("`normal_violations` should be an empty DataFrame with the columns "
                          f"{VIOLATION_COLUMNS}.", hint="violations_of: pd.DataFrame(violations, columns=[...]).")


@graded(LAB, exercise="scenarios", points=3, success="Each scenario's run reported the right check on the right feature.")
def each_scenario_reports_its_violation(ctx):
    executions, tables = ctx.get("scenario_executions"), ctx.get("scenario_violations")
    for scenario, (feature, check_type) in EXPECTED.items():
        if scenario not in executions:
            raise CheckFailed(f"No monitoring run recorded for {scenario!r}.",
                              hint="Keep each scenario's run in scenario_executions[name].")
        execution = executions[scenario]
        if execution["MonitoringExecutionStatus"] != "CompletedWithViolations":
            raise CheckFailed(f"The {scenario!r} hour ended {execution['MonitoringExecutionStatus']} "
                              f"{execution.get('FailureReason', '')}".strip() + ".",
                              hint="Send the changed traffic, then wait for the next run.")
        if (feature, check_type) not in reported_pairs(ctx, execution):
            raise CheckFailed(f"The {scenario!r} run did not report {check_type} on {feature}: did that hour's "
                              "traffic carry the change?", hint="Send change(sample), not the unchanged sample.")
        table = tables.get(scenario) if isinstance(tables, dict) else None
        if not isinstance(table, pd.DataFrame) or not ((table.get("feature_name") == feature) &
                                                       (table.get("constraint_check_type") == check_type)).any():
            raise CheckFailed(f"scenario_violations[{scenario!r}] does not show the {check_type} on {feature}.",
                              hint="scenario_violations[name] = violations_of(that run)")


def published_age_drift(ctx, execution) -> float | None:
    from datetime import timedelta

    start = execution["ScheduledTime"]
    points = ctx.client("cloudwatch").get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/data-metrics", MetricName=DRIFT_METRIC,
        Dimensions=[{"Name": "Endpoint", "Value": ctx.get("endpoint_name")},
                    {"Name": "MonitoringSchedule", "Value": ctx.get("schedule_name")}],
        StartTime=start, EndTime=start + timedelta(hours=1), Period=3600, Statistics=["Maximum"])["Datapoints"]
    return max((point["Maximum"] for point in points), default=None)


def gradual_runs(ctx) -> list[dict]:
    gradual = ctx.get("gradual")
    if not isinstance(gradual, list) or len(gradual) < 3:
        raise CheckFailed("`gradual` should hold one entry per simulated hour (at least 3).",
                          hint="Run the gradual-drift loop to its end.")
    return gradual


@graded(LAB, exercise="gradual", points=2, success="AGE's drift distance, read from CloudWatch, rises over the hours.")
def gradual_drift_distances_from_cloudwatch(ctx):
    gradual = gradual_runs(ctx)
    for entry in gradual:
        published = published_age_drift(ctx, entry["execution"])
        if published is None:
            raise CheckFailed(f"Hour {entry['hour']}'s run published no {DRIFT_METRIC}.",
                              hint="enable_cloudwatch_metrics=True on the schedule.")
        if not isinstance(entry["AGE distance"], (int, float)) or abs(entry["AGE distance"] - published) > 1e-9:
            raise CheckFailed(f"Hour {entry['hour']}: age_drift gave {entry['AGE distance']!r}; CloudWatch has "
                              f"{published}.", hint="Read the Maximum of the datapoint in the hour after ScheduledTime.")
    distances = [entry["AGE distance"] for entry in gradual]
    if not distances[-1] > distances[0] or distances[-1] <= ctx.get("drift_threshold"):
        raise CheckFailed(f"The AGE distances {[round(d, 3) for d in distances]} do not rise above the threshold.")


@graded(LAB, exercise="gradual", points=1, hidden=True, success="The first drifting hour is the one the monitor reported.")
def first_drift_hour_matches_the_reports(ctx):
    first = next((entry["hour"] for entry in gradual_runs(ctx)
                  if ("AGE", "baseline_drift_check") in reported_pairs(ctx, entry["execution"])), None)
    if ctx.get("first_drift_hour") != first:
        raise CheckFailed(f"`first_drift_hour` is {ctx.get('first_drift_hour')!r}; the reports first show AGE drift "
                          f"in hour {first}.")


@graded(LAB, exercise="gradual", points=1, success="The CloudWatch alarm on AGE's drift went to ALARM.")
def drift_alarm_fired(ctx):
    name = ctx.get("alarm_name")
    alarms = ctx.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    if not alarms:
        raise CheckFailed(f"There is no alarm {name!r}.", hint="session.cloudwatch.put_metric_alarm(...) (Exercise 7).")
    alarm = alarms[0]
    if alarm.get("MetricName") != DRIFT_METRIC or {d["Name"] for d in alarm.get("Dimensions", [])} != \
            {"Endpoint", "MonitoringSchedule"}:
        raise CheckFailed(f"The alarm watches {alarm.get('MetricName')} with dimensions "
                          f"{[d['Name'] for d in alarm.get('Dimensions', [])]}.",
                          hint=f"MetricName={DRIFT_METRIC!r}, Dimensions=Endpoint and MonitoringSchedule.")
    settings = (alarm.get("Statistic"), alarm.get("Period"), alarm.get("ComparisonOperator"), alarm.get("Threshold"))
    if settings != ("Maximum", 3600, "GreaterThanThreshold", ctx.get("drift_threshold")):
        raise CheckFailed(f"The alarm is set to {settings}; the lab asks for the hourly Maximum above drift_threshold.",
                          hint="Statistic='Maximum', Period=3600, ComparisonOperator='GreaterThanThreshold', "
                               "Threshold=drift_threshold.")
    if alarm["StateValue"] != "ALARM":
        raise CheckFailed(f"The alarm is {alarm['StateValue']} after the drift: {alarm.get('StateReason', '')}",
                          hint="Statistic Maximum, Period 3600, Threshold drift_threshold, GreaterThanThreshold.")


def run_on(ctx, pipeline: str, uri: str) -> dict | None:
    """The newest run of the pipeline whose InputDataUrl was ``uri``."""
    sagemaker = ctx.client("sagemaker")
    runs = call(f"Pipeline {pipeline}", sagemaker.list_pipeline_executions, PipelineName=pipeline,
                hint="Use pipeline_name = prerequisite['pipeline_name'] (approved_credit_model created it).",
                SortBy="CreationTime", SortOrder="Descending")["PipelineExecutionSummaries"]
    for run in runs:
        parameters = sagemaker.list_pipeline_parameters_for_execution(
            PipelineExecutionArn=run["PipelineExecutionArn"])["PipelineParameters"]
        if {"Name": "InputDataUrl", "Value": uri} in parameters:
            return run
    return None


@graded(LAB, exercise="retrain", points=2,
        success="Lab 2's pipeline retrained on the fresh data; the new model awaits approval.")
def retrained_on_fresh_data(ctx):
    sagemaker, pipeline, uri = ctx.client("sagemaker"), ctx.get("pipeline_name"), ctx.get("fresh_data_uri")
    run = run_on(ctx, pipeline, uri)
    if run is None:
        raise CheckFailed(f"No run of {pipeline} read {uri}.",
                          hint="session.sagemaker.start_pipeline_execution(PipelineName=pipeline_name, PipelineParameters="
                               '[{"Name": "InputDataUrl", "Value": fresh_data_uri}])')
    arn = run["PipelineExecutionArn"]
    status = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
    steps = {step["StepName"]: step for step in
             sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"]}
    if status != "Succeeded":
        failed = [f"{name}: {step['FailureReason']}" for name, step in steps.items() if step.get("FailureReason")]
        raise CheckFailed(f"The run on the fresh data {status}: {'; '.join(failed) or 'no step failed yet'}",
                          hint="Upload fresh_data with its header, label first (fresh_data.to_csv(index=False)), "
                               "and wait for the run: wait_for_status(\"Succeeded\").")
    bucket, key = s3_location(uri)
    uploaded = pd.read_csv(ctx.client("s3").get_object(Bucket=bucket, Key=key)["Body"])
    fresh = ctx.get("fresh_data")
    if len(uploaded) != len(fresh) or abs(uploaded["AGE"].mean() - fresh["AGE"].mean()) > 1e-6:
        raise CheckFailed(f"The file at {uri} holds {len(uploaded):,} rows with mean AGE {uploaded['AGE'].mean():.1f}; "
                          f"fresh_data has {len(fresh):,} rows with mean AGE {fresh['AGE'].mean():.1f}.",
                          hint="Upload fresh_data itself: the recent customers, whose AGE drifted.")
    package = registered_package(ctx, steps)
    if package["ModelApprovalStatus"] != "PendingManualApproval":
        raise CheckFailed(f"The retrained model is {package['ModelApprovalStatus']}; it should wait for a person's "
                          "review (PendingManualApproval).",
                          hint="Start the run without changing ModelApprovalStatus; approve after reading its metrics.")


@graded(LAB, exercise="cleanup", points=1, success="Schedule, alarm, endpoint, configuration and model deleted.")
def everything_deleted(ctx):
    sagemaker, name = ctx.client("sagemaker"), ctx.get("endpoint_name")
    if not capture_lines(ctx):
        raise CheckFailed("This lab's endpoint never served traffic: there is nothing of it to clean up yet.",
                          hint="Do the exercises above first.")
    still = []
    for kind, describe, argument in [
        ("monitoring schedule", sagemaker.describe_monitoring_schedule,
         {"MonitoringScheduleName": ctx.get("schedule_name")}),
        ("endpoint", sagemaker.describe_endpoint, {"EndpointName": name}),
        ("endpoint configuration", sagemaker.describe_endpoint_config, {"EndpointConfigName": name}),
        ("model", sagemaker.describe_model, {"ModelName": name}),
    ]:
        try:
            describe(**argument)
            still.append(kind)
        except ClientError:
            pass
    if ctx.client("cloudwatch").describe_alarms(AlarmNames=[ctx.get("alarm_name")])["MetricAlarms"]:
        still.append("alarm")
    if still:
        raise CheckFailed(f"Still there: {', '.join(still)}. On AWS the endpoint and the hourly runs cost money.",
                          hint="Delete the schedule first, then the alarm, the endpoint, its configuration, the model.")
