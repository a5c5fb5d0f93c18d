"""lab4.retrain: starting lab 2's pipeline on the fresh data, graded against real pipeline runs on the local server."""

import boto3
from polling import wait_until
from test_prerequisites import BUCKET, local_session

from mlops_kit.data import synthetic_credit_data
from mlops_kit.grading.checks import CheckContext
from mlops_kit.grading.labs import lab4
from mlops_kit.prerequisites import approved_credit_model

FRESH_KEY = "lab4/fresh/credit.csv"
FRESH_URI = f"s3://{BUCKET}/{FRESH_KEY}"


def grade(**namespace):
    return lab4.retrained_on_fresh_data.run(CheckContext(namespace))


def start_on_fresh_data(pipeline_name: str) -> None:
    sagemaker = boto3.client("sagemaker")
    arn = sagemaker.start_pipeline_execution(
        PipelineName=pipeline_name, PipelineParameters=[{"Name": "InputDataUrl", "Value": FRESH_URI}])[
        "PipelineExecutionArn"]
    wait_until(lambda: sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn), "PipelineExecutionStatus",
               lambda status: status != "Executing", timeout=120, what="the run on the fresh data")


def test_the_check_follows_the_learner_from_no_run_to_a_bad_upload_to_a_retrained_model(server_url):
    made = approved_credit_model(local_session(server_url), rows=2000)
    fresh = synthetic_credit_data(2000, seed=7).assign(AGE=lambda frame: frame["AGE"] + 20)
    namespace = {"pipeline_name": made["pipeline_name"], "fresh_data_uri": FRESH_URI, "fresh_data": fresh}
    s3 = boto3.client("s3")

    not_started = grade(**namespace)
    assert not_started.status == "failed"
    assert not_started.message == f"No run of CreditPipeline read {FRESH_URI}."
    assert "start_pipeline_execution" in not_started.hint

    s3.put_object(Bucket=BUCKET, Key=FRESH_KEY, Body=fresh.to_csv(index=False, header=False))
    start_on_fresh_data(made["pipeline_name"])
    without_header = grade(**namespace)
    assert without_header.status == "failed"
    assert without_header.message.startswith("The run on the fresh data Failed: PreprocessCreditData")
    assert "with its header" in without_header.hint

    s3.put_object(Bucket=BUCKET, Key=FRESH_KEY, Body=fresh.to_csv(index=False))
    start_on_fresh_data(made["pipeline_name"])
    retrained = grade(**namespace)
    assert retrained.status == "passed", retrained.message


def test_uploading_other_data_than_fresh_data_is_named(server_url):
    made = approved_credit_model(local_session(server_url), rows=2000)
    old_customers = synthetic_credit_data(2000, seed=7)
    boto3.client("s3").put_object(Bucket=BUCKET, Key=FRESH_KEY, Body=old_customers.to_csv(index=False))
    start_on_fresh_data(made["pipeline_name"])

    result = grade(pipeline_name=made["pipeline_name"], fresh_data_uri=FRESH_URI,
                   fresh_data=old_customers.assign(AGE=lambda frame: frame["AGE"] + 20))

    assert result.status == "failed"
    assert "mean AGE" in result.message and "fresh_data" in result.hint
