"""approved_credit_model: lab 4's stand-alone start, run through lab 2's pipeline against the local server."""

import io
import tarfile

import boto3
import numpy as np
import xgboost

from mlops_kit.data import FEATURES
from mlops_kit.prerequisites import approved_credit_model
from mlops_kit.session import WorkshopSession

BUCKET = "prerequisite-tests"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
BILLS = [name for name in FEATURES if name.startswith("BILL_AMT")]


def local_session(server_url: str) -> WorkshopSession:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return WorkshopSession(backend="local", region="us-east-1", bucket=BUCKET, role_arn=ROLE,
                           sagemaker_session=None, boto_session=boto3.Session(), endpoint_url=server_url)


def booster_of(model_data: str) -> xgboost.Booster:
    bucket, _, key = model_data.removeprefix("s3://").partition("/")
    archive = tarfile.open(fileobj=io.BytesIO(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()))
    booster = xgboost.Booster()
    booster.load_model(bytearray(archive.extractfile("xgboost-model").read()))
    return booster


def test_lab_2s_pipeline_registers_the_model_and_it_is_approved(server_url, capsys, caplog):
    made = approved_credit_model(local_session(server_url), rows=2000)

    sagemaker = boto3.client("sagemaker")
    execution = sagemaker.describe_pipeline_execution(PipelineExecutionArn=made["pipeline_execution_arn"])
    assert execution["PipelineExecutionStatus"] == "Succeeded"
    assert made["pipeline_name"] == "CreditPipeline"
    assert execution["PipelineArn"] == sagemaker.describe_pipeline(PipelineName="CreditPipeline")["PipelineArn"]
    steps = {step["StepName"]: step for step in sagemaker.list_pipeline_execution_steps(
        PipelineExecutionArn=made["pipeline_execution_arn"])["PipelineExecutionSteps"]}
    assert steps["RegisterCreditModel"]["Metadata"]["RegisterModel"]["Arn"] == made["model_package_arn"]
    parameters = sagemaker.list_pipeline_parameters_for_execution(
        PipelineExecutionArn=made["pipeline_execution_arn"])["PipelineParameters"]
    assert {"Name": "InputDataUrl", "Value": made["input_data_url"]} in parameters

    package = sagemaker.describe_model_package(ModelPackageName=made["model_package_arn"])
    assert package["ModelApprovalStatus"] == "Approved"
    assert package["ModelPackageGroupName"] == made["model_package_group"] == "CreditModels"
    [container] = package["InferenceSpecification"]["Containers"]
    assert container["ModelDataUrl"] == made["model_data"] and "sagemaker-xgboost:1.7-1" in container["Image"]

    train, test = made["train_features"], made["test_features"]
    assert list(train.columns) == FEATURES and list(test.columns) == FEATURES
    assert (len(train), len(test)) == (1400, 400)  # the pipeline's 70 / 10 / 20 split of 2,000 rows
    assert np.allclose(train[BILLS].min(), 0) and np.allclose(train[BILLS].max(), 1)  # scaled as the pipeline does
    scores = booster_of(made["model_data"]).predict(xgboost.DMatrix(test.to_numpy(float)))
    assert scores.shape == (400,) and 0 < scores.min() < scores.max() < 1 and np.std(scores) > 0.05

    printed = capsys.readouterr().out
    assert "CreditPipeline" in printed and made["model_package_arn"] in printed and "Approved" in printed
    assert not [record for record in caplog.records if "Popping out" in record.getMessage()]  # SDK noise kept out


def test_running_it_again_adds_a_version_to_the_same_group(server_url):
    session = local_session(server_url)
    first = approved_credit_model(session, rows=2000)
    second = approved_credit_model(session, rows=2000, seed=1)

    assert first["model_package_arn"].endswith("/1") and second["model_package_arn"].endswith("/2")
    packages = boto3.client("sagemaker").list_model_packages(ModelPackageGroupName="CreditModels",
                                                             ModelApprovalStatus="Approved")
    assert len(packages["ModelPackageSummaryList"]) == 2
