"""The credit pipeline built with SDK v3 really executes on the local backend.

preprocess (ScriptProcessor) -> train (ModelTrainer, built-in XGBoost) -> evaluate
(ScriptProcessor writing evaluation.json, a PropertyFile) -> condition on its AUC ->
register (ModelStep of ModelBuilder.register) or fail (FailStep). Driven by the SDK's own
``upsert``, ``start``, ``wait``, ``list_steps`` and ``describe``.
"""

import functools
import io
import textwrap

import boto3
import pytest
from botocore.exceptions import WaiterError

from mlops_kit.data import synthetic_credit_data

REGION = "us-east-1"
BUCKET = "pipeline-tests"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
GROUP = "credit-models"
DATA_URL = f"s3://{BUCKET}/raw/credit.csv"
WAIT = {"delay": 1, "max_attempts": 60}

PREPROCESS = """\
    import pathlib
    import pandas as pd
    frame = pd.read_csv("/opt/ml/processing/input/credit.csv")
    frame = frame.sample(frac=1.0, random_state=0)
    n = len(frame)
    parts = {"train": frame[: int(0.7 * n)], "validation": frame[int(0.7 * n): int(0.85 * n)],
             "test": frame[int(0.85 * n):]}
    for name, part in parts.items():
        folder = pathlib.Path("/opt/ml/processing") / name
        folder.mkdir(parents=True, exist_ok=True)
        part.to_csv(folder / f"{name}.csv", header=False, index=False)
    print(f"rows: {n}")
"""

EVALUATE = """\
    import json, pathlib, tarfile
    import pandas as pd
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score
    with tarfile.open("/opt/ml/processing/model/model.tar.gz") as archive:
        archive.extractall("/opt/ml/processing/model")
    booster = xgb.Booster()
    booster.load_model("/opt/ml/processing/model/xgboost-model")
    test = pd.read_csv("/opt/ml/processing/test/test.csv", header=None)
    scores = booster.predict(xgb.DMatrix(test.iloc[:, 1:].values))
    auc = roc_auc_score(test.iloc[:, 0], scores)
    out = pathlib.Path("/opt/ml/processing/evaluation")
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(
        {"binary_classification_metrics": {"auc": {"value": auc, "standard_deviation": "NaN"}}}))
"""


@pytest.fixture
def s3():
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET)
    buffer = io.StringIO()
    synthetic_credit_data(n_rows=2000).to_csv(buffer, index=False)
    client.put_object(Bucket=BUCKET, Key="raw/credit.csv", Body=buffer.getvalue())
    return client


@pytest.fixture
def sm():
    return boto3.client("sagemaker", region_name=REGION)


@functools.cache
def workflow():
    """The SDK's pipeline classes (imported once a region is set: sagemaker.mlops needs one)."""
    from sagemaker.core import image_uris
    from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
    from sagemaker.core.processing import ScriptProcessor
    from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output
    from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig
    from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.core.workflow.functions import Join, JsonGet
    from sagemaker.core.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
    from sagemaker.core.workflow.pipeline_context import PipelineSession
    from sagemaker.core.workflow.properties import PropertyFile
    from sagemaker.mlops.workflow.condition_step import ConditionStep
    from sagemaker.mlops.workflow.fail_step import FailStep
    from sagemaker.mlops.workflow.model_step import ModelStep
    from sagemaker.mlops.workflow.pipeline import Pipeline
    from sagemaker.mlops.workflow.steps import ProcessingStep, TrainingStep
    from sagemaker.serve.model_builder import ModelBuilder
    from sagemaker.train import ModelTrainer
    return {name: value for name, value in locals().items()}


def session():
    return workflow()["PipelineSession"](boto_session=boto3.Session(region_name=REGION),
                                         default_bucket=BUCKET)


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def processor(sess, name):
    w = workflow()
    return w["ScriptProcessor"](role=ROLE, image_uri=w["image_uris"].retrieve("sklearn", REGION, "1.2-1"),
                                command=["python3"], instance_count=1, instance_type="ml.m5.large",
                                base_job_name=name, sagemaker_session=sess)


def s3_input(name, uri, path):
    w = workflow()
    return w["ProcessingInput"](input_name=name, s3_input=w["ProcessingS3Input"](
        s3_uri=uri, local_path=path, s3_data_type="S3Prefix", s3_input_mode="File"))


def s3_output(name, uri, path):
    w = workflow()
    return w["ProcessingOutput"](output_name=name, s3_output=w["ProcessingS3Output"](
        s3_uri=uri, local_path=path, s3_upload_mode="EndOfJob"))


def credit_pipeline(tmp_path, name="credit", evaluate=EVALUATE, hyperparameters=None,
                    json_path="binary_classification_metrics.auc.value"):
    """The issue's credit pipeline, on the SDK v3 classes a learner uses."""
    w = workflow()
    sess = session()
    input_data = w["ParameterString"]("InputData", default_value=DATA_URL)
    threshold = w["ParameterFloat"]("AucThreshold", default_value=0.6)
    rounds = w["ParameterInteger"]("NumRound", default_value=20)
    run_folder = w["Join"](on="/", values=[f"s3://{BUCKET}/runs", w["ExecutionVariables"].PIPELINE_EXECUTION_ID])

    prep = processor(sess, "prep").run(
        code=write(tmp_path, "preprocess.py", PREPROCESS),
        inputs=[s3_input("raw", input_data, "/opt/ml/processing/input")],
        outputs=[s3_output(part, w["Join"](on="/", values=[run_folder, part]), f"/opt/ml/processing/{part}")
                 for part in ("train", "validation", "test")])
    preprocess = w["ProcessingStep"](name="Preprocess", step_args=prep)
    outputs = preprocess.properties.ProcessingOutputConfig.Outputs

    xgboost_image = w["image_uris"].retrieve("xgboost", REGION, "1.7-1")
    trainer = w["ModelTrainer"](
        training_image=xgboost_image, role=ROLE, base_job_name="credit", sagemaker_session=sess,
        compute=w["Compute"](instance_type="ml.m5.large", instance_count=1),
        hyperparameters=hyperparameters or {"objective": "binary:logistic", "eval_metric": "auc",
                                            "max_depth": "3", "num_round": rounds},
        input_data_config=[
            w["InputData"](channel_name="train", data_source=outputs["train"].S3Output.S3Uri,
                           content_type="text/csv"),
            w["InputData"](channel_name="validation", data_source=outputs["validation"].S3Output.S3Uri,
                           content_type="text/csv")],
        output_data_config=w["OutputDataConfig"](s3_output_path=f"s3://{BUCKET}/models"))
    train = w["TrainingStep"](name="Train", step_args=trainer.train())
    model_data = train.properties.ModelArtifacts.S3ModelArtifacts

    evaluation = w["PropertyFile"](name="Evaluation", output_name="evaluation", path="evaluation.json")
    evaluation_uri = w["Join"](on="/", values=[run_folder, "evaluation"])
    evaluate_step = w["ProcessingStep"](
        name="Evaluate", property_files=[evaluation],
        step_args=processor(sess, "eval").run(
            code=write(tmp_path, "evaluate.py", evaluate),
            inputs=[s3_input("model", model_data, "/opt/ml/processing/model"),
                    s3_input("test", outputs["test"].S3Output.S3Uri, "/opt/ml/processing/test")],
            outputs=[s3_output("evaluation", evaluation_uri, "/opt/ml/processing/evaluation")]))

    register = w["ModelStep"](name="Register", step_args=w["ModelBuilder"](
        s3_model_data_url=model_data, image_uri=xgboost_image, role_arn=ROLE, sagemaker_session=sess,
    ).register(
        model_package_group_name=GROUP, content_types=["text/csv"], response_types=["text/csv"],
        inference_instances=["ml.m5.large"], transform_instances=["ml.m5.large"],
        approval_status="PendingManualApproval",
        model_metrics=w["ModelMetrics"](model_statistics=w["MetricsSource"](
            content_type="application/json",
            s3_uri=w["Join"](on="/", values=[evaluation_uri, "evaluation.json"])))))
    validation_auc = train.properties.FinalMetricDataList["validation:auc"].Value
    fail = w["FailStep"](name="AucTooLow", error_message=w["Join"](
        on=" ", values=["AUC is below the threshold", threshold, "(validation:auc", validation_auc, "in training)"]))
    auc = w["JsonGet"](step_name="Evaluate", property_file=evaluation, json_path=json_path)
    check = w["ConditionStep"](
        name="CheckAuc", conditions=[w["ConditionGreaterThanOrEqualTo"](left=auc, right=threshold)],
        if_steps=[register], else_steps=[fail])
    return w["Pipeline"](name=name, parameters=[input_data, threshold, rounds],
                         steps=[preprocess, train, evaluate_step, check], sagemaker_session=sess)


def wait_succeeded(execution):
    """The SDK's own wait; on failure, the assertion shows why."""
    try:
        execution.wait(**WAIT)
    except WaiterError:
        pass
    described = execution.describe()
    assert described["PipelineExecutionStatus"] == "Succeeded", described.get("FailureReason")
    return described


def steps_by_name(execution):
    return {step["StepName"]: step for step in execution.list_steps()}


def test_credit_pipeline_trains_evaluates_and_registers(tmp_path, s3, sm):
    other_url = f"s3://{BUCKET}/other/credit.csv"
    s3.copy_object(Bucket=BUCKET, Key="other/credit.csv", CopySource={"Bucket": BUCKET, "Key": "raw/credit.csv"})
    s3.delete_object(Bucket=BUCKET, Key="raw/credit.csv")  # only the override has data
    pipeline = credit_pipeline(tmp_path)
    pipeline.upsert(role_arn=ROLE)

    execution = pipeline.start(parameters={"InputData": other_url, "NumRound": 15})
    assert execution.describe()["PipelineExecutionStatus"] == "Executing"
    described = wait_succeeded(execution)
    assert "FailureReason" not in described
    steps = steps_by_name(execution)
    assert set(steps) == {"Preprocess", "Train", "Evaluate", "CheckAuc", "Register"}
    assert {step["StepStatus"] for step in steps.values()} == {"Succeeded"}
    assert steps["CheckAuc"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    assert steps["Preprocess"]["StartTime"] <= steps["Preprocess"]["EndTime"] <= steps["Train"]["StartTime"]

    preprocess_job = sm.describe_processing_job(
        ProcessingJobName=steps["Preprocess"]["Metadata"]["ProcessingJob"]["Arn"].split("/")[-1])
    assert preprocess_job["ProcessingJobStatus"] == "Completed"
    assert preprocess_job["ProcessingInputs"][0]["S3Input"]["S3Uri"] == other_url
    execution_id = execution.arn.split("/")[-1]
    assert preprocess_job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == \
        f"s3://{BUCKET}/runs/{execution_id}/train"

    training_job = sm.describe_training_job(
        TrainingJobName=steps["Train"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1])
    assert training_job["HyperParameters"]["num_round"] == "15"
    model_url = training_job["ModelArtifacts"]["S3ModelArtifacts"]
    assert model_url.endswith("/output/model.tar.gz")
    assert steps["Train"]["Metadata"]["TrainingJob"]["Arn"] in [
        job["TrainingJobArn"] for job in sm.list_training_jobs()["TrainingJobSummaries"]]

    package_arn = steps["Register"]["Metadata"]["RegisterModel"]["Arn"]
    packages = sm.list_model_packages(ModelPackageGroupName=GROUP)["ModelPackageSummaryList"]
    assert [p["ModelPackageArn"] for p in packages] == [package_arn]
    package = sm.describe_model_package(ModelPackageName=package_arn)
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    assert package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == model_url
    metrics_url = package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
    assert metrics_url == f"s3://{BUCKET}/runs/{execution_id}/evaluation/evaluation.json"
    metrics = s3.get_object(Bucket=BUCKET, Key=metrics_url.split(f"{BUCKET}/")[1])["Body"].read()
    assert b'"auc"' in metrics


def test_a_threshold_the_model_cannot_meet_ends_at_the_fail_step(tmp_path, s3, sm):
    pipeline = credit_pipeline(tmp_path)
    pipeline.upsert(role_arn=ROLE)

    execution = pipeline.start(parameters={"AucThreshold": 0.999})
    with pytest.raises(WaiterError, match="terminal failure state"):
        execution.wait(**WAIT)

    described = execution.describe()
    assert described["PipelineExecutionStatus"] == "Failed"
    steps = steps_by_name(execution)
    training_job = sm.describe_training_job(
        TrainingJobName=steps["Train"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1])
    [validation_auc] = [m["Value"] for m in training_job["FinalMetricDataList"] if m["MetricName"] == "validation:auc"]
    message = f"AUC is below the threshold 0.999 (validation:auc {validation_auc} in training)"
    assert described["FailureReason"] == f"Step AucTooLow failed: {message}"
    assert "Register" not in steps
    assert steps["CheckAuc"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert steps["AucTooLow"]["StepStatus"] == "Failed"
    assert steps["AucTooLow"]["Metadata"] == {"Fail": {"ErrorMessage": message}}
    assert sm.list_model_packages()["ModelPackageSummaryList"] == []

    summaries = sm.list_pipeline_executions(PipelineName="credit")["PipelineExecutionSummaries"]
    assert [(s["PipelineExecutionArn"], s["PipelineExecutionStatus"]) for s in summaries] == [
        (execution.arn, "Failed")]
