"""The model registry over HTTP: groups, versioned packages with metrics, approval, SDK v3."""

import io
import json
import tarfile

import boto3
import numpy as np
import pytest
import xgboost
from botocore.exceptions import ClientError

from mlops_kit.local.environment import write_sdk_config

BUCKET = "registry-bucket"
GROUP = "credit-default-models"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
MODEL_URL = f"s3://{BUCKET}/training/output/model.tar.gz"
EVALUATION_URL = f"s3://{BUCKET}/evaluation/evaluation.json"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
EVALUATION = {"binary_classification_metrics": {"auc": {"value": 0.78, "standard_deviation": "NaN"}}}


@pytest.fixture(autouse=True)
def sdk_offline(monkeypatch, tmp_path):
    """The SDK's telemetry off, as the learner's session sets it."""
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(write_sdk_config(tmp_path / "sdk.yaml")))


@pytest.fixture(scope="module")
def model_tarball() -> bytes:
    """A real XGBoost model packed as the algorithm container writes it."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    labels = (features[:, 0] > 0).astype(int)
    booster = xgboost.train({"objective": "binary:logistic"}, xgboost.DMatrix(features, label=labels), 3)
    raw = booster.save_raw(raw_format="ubj")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    return buffer.getvalue()


@pytest.fixture
def sm():
    return boto3.client("sagemaker")


@pytest.fixture
def artifacts(model_tarball):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="training/output/model.tar.gz", Body=model_tarball)
    s3.put_object(Bucket=BUCKET, Key="evaluation/evaluation.json", Body=json.dumps(EVALUATION).encode())


INFERENCE_SPECIFICATION = {
    "Containers": [{"Image": XGBOOST_IMAGE, "ModelDataUrl": MODEL_URL}],
    "SupportedContentTypes": ["text/csv"],
    "SupportedResponseMIMETypes": ["text/csv"],
    "SupportedRealtimeInferenceInstanceTypes": ["ml.m5.large"],
    "SupportedTransformInstanceTypes": ["ml.m5.large"],
}
MODEL_METRICS = {"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": EVALUATION_URL}}}


def register(sm, **extra) -> str:
    return sm.create_model_package(
        ModelPackageGroupName=GROUP,
        InferenceSpecification=INFERENCE_SPECIFICATION,
        ModelMetrics=MODEL_METRICS,
        **extra,
    )["ModelPackageArn"]


def test_packages_are_versioned_per_group_and_pending_by_default(sm, artifacts):
    sm.create_model_package_group(ModelPackageGroupName=GROUP, ModelPackageGroupDescription="XGBoost")
    arns = [register(sm) for _ in range(3)]

    assert arns == [f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{GROUP}/{v}" for v in (1, 2, 3)]
    package = sm.describe_model_package(ModelPackageName=arns[1])
    assert package["ModelPackageVersion"] == 2
    assert package["ModelPackageGroupName"] == GROUP
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    assert package["ModelPackageStatus"] == "Completed"
    assert package["InferenceSpecification"]["Containers"] == [{"Image": XGBOOST_IMAGE, "ModelDataUrl": MODEL_URL}]
    assert package["InferenceSpecification"]["SupportedContentTypes"] == ["text/csv"]
    assert package["ModelMetrics"] == MODEL_METRICS
    group = sm.describe_model_package_group(ModelPackageGroupName=GROUP)
    assert group["ModelPackageGroupDescription"] == "XGBoost"


def test_evaluation_report_is_readable_where_the_metrics_point(sm, artifacts):
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    package = sm.describe_model_package(ModelPackageName=register(sm))

    uri = package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    report = json.loads(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    assert report["binary_classification_metrics"]["auc"]["value"] == 0.78


def test_list_is_sorted_and_filtered_by_approval_status(sm, artifacts):
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    arns = [register(sm) for _ in range(3)]
    sm.update_model_package(ModelPackageArn=arns[1], ModelApprovalStatus="Approved")
    sm.update_model_package(ModelPackageArn=arns[2], ModelApprovalStatus="Rejected")

    newest_first = sm.list_model_packages(ModelPackageGroupName=GROUP, SortBy="CreationTime", SortOrder="Descending")
    assert [p["ModelPackageVersion"] for p in newest_first["ModelPackageSummaryList"]] == [3, 2, 1]
    approved = sm.list_model_packages(ModelPackageGroupName=GROUP, ModelApprovalStatus="Approved")
    assert [p["ModelPackageArn"] for p in approved["ModelPackageSummaryList"]] == [arns[1]]
    statuses = {p["ModelPackageVersion"]: p["ModelApprovalStatus"] for p in newest_first["ModelPackageSummaryList"]}
    assert statuses == {1: "PendingManualApproval", 2: "Approved", 3: "Rejected"}


def test_approval_update_changes_only_what_it_names(sm, artifacts):
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    arn = register(sm, CustomerMetadataProperties={"training_job": "job-1"})

    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="AUC 0.78 >= 0.7")

    package = sm.describe_model_package(ModelPackageName=arn)
    assert package["ModelApprovalStatus"] == "Approved"
    assert package["ApprovalDescription"] == "AUC 0.78 >= 0.7"
    assert package["CustomerMetadataProperties"] == {"training_job": "job-1"}
    assert package["LastModifiedTime"] >= package["CreationTime"]


def test_sdk_v3_resources_read_and_approve(artifacts):
    from sagemaker.core.resources import ModelPackage, ModelPackageGroup

    ModelPackageGroup.create(model_package_group_name=GROUP, model_package_group_description="XGBoost")
    arn = register(boto3.client("sagemaker"))

    package = ModelPackage.get(arn)
    assert package.model_package_version == 1
    assert package.model_approval_status == "PendingManualApproval"
    assert package.inference_specification.containers[0].model_data_url == MODEL_URL
    package.update(model_approval_status="Approved")
    approved = list(ModelPackage.get_all(model_package_group_name=GROUP, model_approval_status="Approved"))
    assert [p.model_package_arn for p in approved] == [arn]


def test_model_builder_registers_a_package(artifacts, sm):
    from sagemaker.core.helper.session_helper import Session
    from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
    from sagemaker.serve.model_builder import ModelBuilder

    builder = ModelBuilder(
        s3_model_data_url=MODEL_URL,
        image_uri=XGBOOST_IMAGE,
        role_arn=ROLE,
        sagemaker_session=Session(default_bucket=BUCKET),
    )
    arn = builder.register(
        model_package_group_name=GROUP,
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
        approval_status="PendingManualApproval",
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(content_type="application/json", s3_uri=EVALUATION_URL)
        ),
    )

    package = sm.describe_model_package(ModelPackageName=arn)
    assert package["ModelPackageGroupName"] == GROUP and package["ModelPackageVersion"] == 1
    container = package["InferenceSpecification"]["Containers"][0]
    assert (container["Image"], container["ModelDataUrl"]) == (XGBOOST_IMAGE, MODEL_URL)
    assert package["InferenceSpecification"]["SupportedContentTypes"] == ["text/csv"]
    assert package["InferenceSpecification"]["SupportedTransformInstanceTypes"] == ["ml.m5.large"]
    assert package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"] == EVALUATION_URL
    assert package["ModelApprovalStatus"] == "PendingManualApproval"


# --- Bad input: the service's error shape, a message that says what to fix, a server that keeps serving.


def error_of(call) -> dict:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]


def test_approving_a_package_that_does_not_exist(sm, artifacts):
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    missing = f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{GROUP}/7"

    error = error_of(lambda: sm.update_model_package(ModelPackageArn=missing, ModelApprovalStatus="Approved"))

    assert error["Code"] == "ValidationException"
    assert missing in error["Message"] and "does not exist" in error["Message"]
    assert "ListModelPackages" in error["Message"]
    assert register(sm).endswith(f"{GROUP}/1")


def test_an_invalid_approval_status(sm, artifacts):
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    arn = register(sm)

    error = error_of(lambda: sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approve"))

    assert error["Code"] == "ValidationException"
    assert "'Approve'" in error["Message"]
    assert "[PendingManualApproval, Approved, Rejected]" in error["Message"]
    assert sm.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"] == "PendingManualApproval"


def test_a_package_in_a_group_that_does_not_exist(sm, artifacts):
    error = error_of(lambda: register(sm))

    assert error["Code"] == "ValidationException"
    assert f"model-package-group/{GROUP} does not exist" in error["Message"]
    assert "CreateModelPackageGroup" in error["Message"]
    assert sm.list_model_packages(ModelPackageGroupName=GROUP)["ModelPackageSummaryList"] == []


def test_a_group_that_already_exists_is_kept(sm):
    sm.create_model_package_group(ModelPackageGroupName=GROUP, ModelPackageGroupDescription="first")

    error = error_of(lambda: sm.create_model_package_group(ModelPackageGroupName=GROUP))

    assert error["Code"] == "ValidationException" and "already exists" in error["Message"]
    assert sm.describe_model_package_group(ModelPackageGroupName=GROUP)["ModelPackageGroupDescription"] == "first"


def test_a_group_with_versions_cannot_be_deleted_until_its_versions_are():
    sm = boto3.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    arn = sm.create_model_package(
        ModelPackageGroupName=GROUP, InferenceSpecification={
            "Containers": [{"Image": XGBOOST_IMAGE, "ModelDataUrl": MODEL_URL}],
            "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]})["ModelPackageArn"]

    with pytest.raises(ClientError) as refused:
        sm.delete_model_package_group(ModelPackageGroupName=GROUP)
    sm.delete_model_package(ModelPackageName=arn)
    sm.delete_model_package_group(ModelPackageGroupName=GROUP)

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["Error"]["Message"] == (
        f"Model Package Group arn:aws:sagemaker:us-east-1:123456789012:model-package-group/{GROUP} cannot be "
        "deleted because it contains 1 model package(s). Delete them first with DeleteModelPackage.")
    assert sm.list_model_package_groups()["ModelPackageGroupSummaryList"] == []
