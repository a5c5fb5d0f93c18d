"""approved_credit_model: lab 4's stand-alone start, through boto3 over HTTP against the local server."""

import io
import tarfile

import boto3
import numpy as np
import pandas as pd
import xgboost

from mlops_kit.data import COLUMNS, FEATURES
from mlops_kit.prerequisites import approved_credit_model
from mlops_kit.session import WorkshopSession

BUCKET = "prerequisite-tests"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def local_session(server_url: str) -> WorkshopSession:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return WorkshopSession(backend="local", region="us-east-1", bucket=BUCKET, role_arn=ROLE,
                           sagemaker_session=None, boto_session=boto3.Session(), endpoint_url=server_url)


def read_csv(uri: str, header) -> pd.DataFrame:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return pd.read_csv(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"], header=header)


def booster_of(model_data: str) -> xgboost.Booster:
    bucket, _, key = model_data.removeprefix("s3://").partition("/")
    archive = tarfile.open(fileobj=io.BytesIO(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()))
    booster = xgboost.Booster()
    booster.load_model(bytearray(archive.extractfile("xgboost-model").read()))
    return booster


def test_an_approved_package_of_a_really_trained_model_with_its_data(server_url, capsys):
    made = approved_credit_model(local_session(server_url), rows=2000)

    sagemaker = boto3.client("sagemaker")
    package = sagemaker.describe_model_package(ModelPackageName=made["model_package_arn"])
    assert package["ModelApprovalStatus"] == "Approved"
    assert package["ModelPackageGroupName"] == made["model_package_group"] == "CreditModels"
    [container] = package["InferenceSpecification"]["Containers"]
    assert container["ModelDataUrl"] == made["model_data"] and "sagemaker-xgboost:1.7-1" in container["Image"]
    job = sagemaker.describe_training_job(TrainingJobName=made["training_job_name"])
    assert job["TrainingJobStatus"] == "Completed"
    assert {channel["ChannelName"] for channel in job["InputDataConfig"]} == {"train", "validation"}

    with_header = read_csv(made["train_with_header_uri"], header=0)
    assert list(with_header.columns) == COLUMNS and len(with_header) == 1400  # 70 % of 2,000
    assert len(read_csv(made["train_uri"], header=None)) == 1400
    assert list(made["test_features"].columns) == FEATURES and len(made["test_features"]) == 400
    assert made["train_features"].equals(with_header[FEATURES])
    scores = booster_of(made["model_data"]).predict(xgboost.DMatrix(made["test_features"].to_numpy(float)))
    assert scores.shape == (400,) and 0 < scores.min() < scores.max() < 1 and np.std(scores) > 0.05

    printed = capsys.readouterr().out
    assert made["training_job_name"] in printed and made["model_package_arn"] in printed and "Approved" in printed


def test_running_it_again_adds_a_version_to_the_same_group(server_url):
    session = local_session(server_url)
    first = approved_credit_model(session, rows=600)
    second = approved_credit_model(session, rows=600, seed=1)

    assert first["model_package_arn"].endswith("/1") and second["model_package_arn"].endswith("/2")
    packages = boto3.client("sagemaker").list_model_packages(ModelPackageGroupName="CreditModels",
                                                             ModelApprovalStatus="Approved")
    assert len(packages["ModelPackageSummaryList"]) == 2
