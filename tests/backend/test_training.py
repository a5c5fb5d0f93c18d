"""Training jobs of the built-in XGBoost algorithm really train: SDK v3 and boto3 over HTTP."""

import io
import tarfile

import boto3
import numpy as np
import pytest
import xgboost as xgb
from sagemaker.core import image_uris
from sagemaker.core.resources import TrainingJob
from sagemaker.train import ModelTrainer
from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig

from polling import wait_until

REGION = "us-east-1"
BUCKET = "training-tests"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
HYPERPARAMETERS = {"max_depth": "3", "eta": "0.2", "objective": "binary:logistic",
                   "eval_metric": "auc", "num_round": "5"}


def rows_csv(rows=200, seed=0, header=False):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, 4))
    label = (features[:, 0] + 0.5 * rng.normal(size=rows) > 0).astype(int)
    buffer = io.StringIO()
    if header:
        buffer.write("default,f1,f2,f3,f4\n")
    np.savetxt(buffer, np.column_stack([label, features]), delimiter=",", fmt="%.6g")
    return buffer.getvalue()


@pytest.fixture
def s3():
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="data/train/part-1.csv", Body=rows_csv(120, seed=1))
    client.put_object(Bucket=BUCKET, Key="data/train/part-2.csv", Body=rows_csv(80, seed=2))
    client.put_object(Bucket=BUCKET, Key="data/validation/validation.csv", Body=rows_csv(100, seed=3))
    return client


def channel(name, prefix, content_type="text/csv"):
    spec = {"ChannelName": name,
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                            "S3Uri": f"s3://{BUCKET}/{prefix}",
                                            "S3DataDistributionType": "FullyReplicated"}}}
    return {**spec, "ContentType": content_type} if content_type else spec


def create_job(name, image=None, hyperparameters=None, channels=None):
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    sagemaker.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": image or image_uris.retrieve("xgboost", REGION, "1.7-1"),
                                "TrainingInputMode": "File"},
        RoleArn=ROLE,
        HyperParameters=HYPERPARAMETERS if hyperparameters is None else hyperparameters,
        InputDataConfig=channels if channels is not None else [channel("train", "data/train"),
                                                               channel("validation", "data/validation")],
        OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    return sagemaker


def wait_for(name, timeout=30):
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    return wait_until(lambda: sagemaker.describe_training_job(TrainingJobName=name), "TrainingJobStatus",
                      lambda status: status in ("Completed", "Failed", "Stopped"), timeout, f"training job {name}")


def load_model(s3, uri):
    key = uri.removeprefix(f"s3://{BUCKET}/")
    archive = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert tar.getnames() == ["xgboost-model"]
        raw = tar.extractfile("xgboost-model").read()
    booster = xgb.Booster()
    booster.load_model(bytearray(raw))
    return booster


def test_model_trainer_trains_the_xgboost_algorithm_end_to_end(s3, caplog):
    trainer = ModelTrainer(
        training_image=image_uris.retrieve("xgboost", REGION, "1.7-1"), role=ROLE,
        compute=Compute(instance_type="ml.m5.large", instance_count=1),
        hyperparameters={"max_depth": 3, "eta": 0.2, "gamma": 4, "min_child_weight": 6,
                         "subsample": 0.8, "objective": "binary:logistic",
                         "eval_metric": "auc,logloss", "num_round": 8},
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{BUCKET}/models"),
        base_job_name="credit-xgb",
    )
    with caplog.at_level("INFO", logger="sagemaker"):
        trainer.train(input_data_config=[
            InputData(channel_name="train", data_source=f"s3://{BUCKET}/data/train", content_type="text/csv"),
            InputData(channel_name="validation", data_source=f"s3://{BUCKET}/data/validation",
                      content_type="text/csv"),
        ], wait=True, logs=True)
    name = trainer._latest_training_job.training_job_name

    job = TrainingJob.get(name)  # sagemaker-core parses the whole describe (pydantic)
    assert job.training_job_status == "Completed"
    assert job.model_artifacts.s3_model_artifacts == f"s3://{BUCKET}/models/{name}/output/model.tar.gz"
    metrics = {metric.metric_name: metric.value for metric in job.final_metric_data_list}
    assert set(metrics) == {"train:auc", "train:logloss", "validation:auc", "validation:logloss"}
    assert 0.7 < metrics["validation:auc"] <= 1.0
    assert [step.status for step in job.secondary_status_transitions] == [
        "Starting", "Downloading", "Training", "Uploading", "Completed"]
    assert "[7]#011train-auc:" in caplog.text  # the SDK streamed the per-round lines

    booster = load_model(s3, job.model_artifacts.s3_model_artifacts)
    assert booster.num_boosted_rounds() == 8
    assert booster.num_features() == 4


@pytest.mark.parametrize("version", ["3.0-5", "3.2-0"])
def test_every_supported_version_trains(s3, version):
    create_job(f"xgb-{version.replace('.', '-')}", image=image_uris.retrieve("xgboost", REGION, version))
    description = wait_for(f"xgb-{version.replace('.', '-')}")
    assert description["TrainingJobStatus"] == "Completed", description.get("FailureReason")


def test_job_is_in_progress_then_completed_with_logs_in_cloudwatch(s3):
    create_job("progress", hyperparameters={**HYPERPARAMETERS, "num_round": "150"})
    first = boto3.client("sagemaker").describe_training_job(TrainingJobName="progress")
    assert first["TrainingJobStatus"] == "InProgress"
    assert "ModelArtifacts" not in first and "TrainingEndTime" not in first
    final = wait_for("progress")
    assert final["TrainingJobStatus"] == "Completed"
    assert final["TrainingEndTime"] >= final["TrainingStartTime"]
    definitions = {d["Name"]: d["Regex"] for d in final["AlgorithmSpecification"]["MetricDefinitions"]}
    assert "#011validation-auc:" in definitions["validation:auc"]

    logs = boto3.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                        logStreamNamePrefix="progress/")["logStreams"]
    assert len(streams) == 1 and streams[0]["logStreamName"].startswith("progress/algo-1-")
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs",
                                 logStreamName=streams[0]["logStreamName"], startFromHead=True)["events"]
    rounds = [event["message"] for event in events if event["message"].startswith("[")]
    assert len(rounds) == 150
    assert rounds[0].startswith("[0]#011train-auc:") and "#011validation-auc:" in rounds[0]


def test_libsvm_channel_with_key_prefix_of_several_files(s3):
    s3.put_object(Bucket=BUCKET, Key="svm/train-a", Body="1 0:1.5 1:2\n0 0:-1 2:1\n1 0:2 1:0.5\n")
    s3.put_object(Bucket=BUCKET, Key="svm/train-b", Body="0 0:-2 1:1\n1 0:1 2:3\n0 0:-0.5\n")
    create_job("libsvm", hyperparameters={"num_round": "3", "objective": "binary:logistic"},
               channels=[channel("train", "svm/train", "text/libsvm")])
    description = wait_for("libsvm")
    assert description["TrainingJobStatus"] == "Completed", description.get("FailureReason")
    booster = load_model(s3, description["ModelArtifacts"]["S3ModelArtifacts"])
    assert booster.num_features() == 3
    assert {m["MetricName"] for m in description["FinalMetricDataList"]} == {"train:logloss"}


def test_early_stopping_stops_on_the_validation_metric(s3):
    create_job("early", hyperparameters={**HYPERPARAMETERS, "num_round": "300", "eta": "1",
                                         "early_stopping_rounds": "3"})
    description = wait_for("early")
    assert description["TrainingJobStatus"] == "Completed"
    booster = load_model(s3, description["ModelArtifacts"]["S3ModelArtifacts"])
    assert booster.num_boosted_rounds() < 300
