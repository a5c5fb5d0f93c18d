"""Endpoints on the local backend serve the real XGBoost model (boto3 over HTTP).

Helpers here build a real model.tar.gz with xgboost and upload it where a training job
would; test_endpoints_capture.py and test_endpoints_sdk.py reuse them.
"""

import io
import tarfile
import time

import boto3
import numpy as np
import pytest
import xgboost
from botocore.exceptions import ClientError

from polling import wait_until

BUCKET = "endpoint-tests"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
ACCOUNT = "123456789012"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
N_FEATURES = 4
ROW = "0.9,0.2,0.4,0.7"
ROWS = "0.9,0.2,0.4,0.7\n0.1,0.8,0.3,0.2\n0.5,0.5,0.5,0.5\n"


def train_booster(seed: int, positive_when_first_feature_above: bool = True) -> xgboost.Booster:
    """A tiny binary:logistic Booster on N_FEATURES features; the flag flips what it learns."""
    rng = np.random.default_rng(seed)
    features = rng.random((200, N_FEATURES))
    labels = (features[:, 0] > 0.5) == positive_when_first_feature_above
    return xgboost.train(
        {"objective": "binary:logistic", "max_depth": 3, "seed": seed},
        xgboost.DMatrix(features, label=labels.astype(int)),
        num_boost_round=10,
    )


def tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def upload_model(booster: xgboost.Booster, key: str) -> str:
    """Upload ``model.tar.gz`` holding ``xgboost-model`` as the training job writes it; return its URL."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=key, Body=tarball({"xgboost-model": bytes(booster.save_raw("ubj"))}))
    return f"s3://{BUCKET}/{key}"


def expected_answer(booster: xgboost.Booster, body: str) -> bytes:
    """What the XGBoost container answers: predictions joined by commas."""
    rows = np.array([[float(v) for v in line.split(",")] for line in body.strip().split("\n")])
    return ",".join(map(str, booster.predict(xgboost.DMatrix(rows)).tolist())).encode()


def create_model(name: str, model_data_url: str) -> None:
    boto3.client("sagemaker").create_model(
        ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE, "ModelDataUrl": model_data_url}
    )


def create_config(name: str, model_name: str, data_capture: dict | None = None) -> None:
    extra = {"DataCaptureConfig": data_capture} if data_capture else {}
    boto3.client("sagemaker").create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": model_name,
            "InstanceType": "ml.m5.large", "InitialInstanceCount": 1,
        }],
        **extra,
    )


def wait_until_settled(endpoint_name: str, timeout: float = 10) -> dict:
    """Poll DescribeEndpoint until it leaves Creating/Updating; return the description."""
    sagemaker = boto3.client("sagemaker")
    return wait_until(lambda: sagemaker.describe_endpoint(EndpointName=endpoint_name), "EndpointStatus",
                      lambda status: status not in ("Creating", "Updating"), timeout, f"endpoint {endpoint_name}")


def deploy(endpoint_name: str, booster: xgboost.Booster | None = None, data_capture: dict | None = None,
           model_data_url: str | None = None) -> dict:
    """Model + config + endpoint for ``booster`` (or an existing URL); return the settled description."""
    url = model_data_url or upload_model(booster, f"models/{endpoint_name}/output/model.tar.gz")
    create_model(f"{endpoint_name}-model", url)
    create_config(f"{endpoint_name}-config", f"{endpoint_name}-model", data_capture)
    boto3.client("sagemaker").create_endpoint(EndpointName=endpoint_name, EndpointConfigName=f"{endpoint_name}-config")
    return wait_until_settled(endpoint_name)


def invoke(endpoint_name: str, body: str, **kwargs) -> dict:
    response = boto3.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=endpoint_name, ContentType="text/csv", Body=body, **kwargs
    )
    return {**response, "Body": response["Body"].read()}


def invoke_error(endpoint_name: str, body: str, content_type: str = "text/csv") -> dict:
    with pytest.raises(ClientError) as raised:
        boto3.client("sagemaker-runtime").invoke_endpoint(EndpointName=endpoint_name, ContentType=content_type, Body=body)
    return raised.value.response


# ---- models and lifecycle -------------------------------------------------------------


def test_endpoint_goes_in_service_and_describes_like_the_service():
    description = deploy("lifecycle", train_booster(1))
    assert description["EndpointStatus"] == "InService"
    assert description["EndpointConfigName"] == "lifecycle-config"
    assert description["ProductionVariants"][0]["VariantName"] == "AllTraffic"
    assert "DataCaptureConfig" not in description
    assert "FailureReason" not in description


def test_describe_model_has_no_empty_structures():
    create_model("plain", upload_model(train_booster(1), "plain/model.tar.gz"))
    description = boto3.client("sagemaker").describe_model(ModelName="plain")
    assert "VpcConfig" not in description and "Containers" not in description
    assert description["PrimaryContainer"]["ModelDataUrl"] == f"s3://{BUCKET}/plain/model.tar.gz"


def test_waiter_sees_in_service():
    booster = train_booster(2)
    create_model("waited-model", upload_model(booster, "waited/model.tar.gz"))
    create_config("waited-config", "waited-model")
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_endpoint(EndpointName="waited", EndpointConfigName="waited-config")
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="waited", WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    assert invoke("waited", ROW)["Body"] == expected_answer(booster, ROW)


def test_creating_an_existing_endpoint_is_refused():
    deploy("twice", train_booster(1))
    with pytest.raises(ClientError) as raised:
        boto3.client("sagemaker").create_endpoint(EndpointName="twice", EndpointConfigName="twice-config")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert 'Cannot create already existing endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/twice"' in (
        raised.value.response["Error"]["Message"])


@pytest.mark.parametrize(
    "artifact, reason",
    [
        (None, "Failed to download model data(bucket: endpoint-tests, key: broken/model.tar.gz)"),
        (b"this is not a tar.gz", 'Failed to extract model data archive from URL "s3://endpoint-tests/broken/model.tar.gz"'),
        (tarball({"model.json": b"{}"}), 'holds no file named "xgboost-model" (it holds: model.json)'),
        (tarball({"xgboost-model": b"garbage"}), 'Unable to load model: "xgboost-model"'),
    ],
    ids=["missing", "not-a-tarball", "no-xgboost-model", "not-a-booster"],
)
def test_bad_model_artifact_fails_the_endpoint_with_a_reason(artifact, reason):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    if artifact is not None:
        s3.put_object(Bucket=BUCKET, Key="broken/model.tar.gz", Body=artifact)
    description = deploy("broken", model_data_url=f"s3://{BUCKET}/broken/model.tar.gz")
    assert description["EndpointStatus"] == "Failed"
    assert reason in description["FailureReason"]
    response = invoke_error("broken", ROW)
    assert response["Error"]["Code"] == "ValidationError"
    assert "is Failed, not InService" in response["Error"]["Message"]
    assert reason in response["Error"]["Message"]
    healthy = train_booster(3)
    deploy("healthy", healthy)
    assert invoke("healthy", ROW)["Body"] == expected_answer(healthy, ROW)


def test_model_from_a_model_package():
    booster = train_booster(4)
    url = upload_model(booster, "registry/model.tar.gz")
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_model_package_group(ModelPackageGroupName="credit")
    package_arn = sagemaker.create_model_package(
        ModelPackageGroupName="credit",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": url}],
            "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelApprovalStatus="Approved",
    )["ModelPackageArn"]
    sagemaker.create_model(ModelName="packaged-model", ExecutionRoleArn=ROLE, PrimaryContainer={"ModelPackageName": package_arn})
    create_config("packaged-config", "packaged-model")
    sagemaker.create_endpoint(EndpointName="packaged", EndpointConfigName="packaged-config")
    assert wait_until_settled("packaged")["EndpointStatus"] == "InService"
    assert invoke("packaged", ROW)["Body"] == expected_answer(booster, ROW)


def test_endpoint_serves_what_a_training_job_wrote():
    """The learner's path: the built-in algorithm's model.tar.gz, deployed as it is."""
    rng = np.random.default_rng(30)
    features = rng.random((150, N_FEATURES))
    rows = np.column_stack([(features[:, 0] > 0.5).astype(int), features])  # label first, no header
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="train/train.csv", Body="\n".join(",".join(map(str, row)) for row in rows))
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_training_job(
        TrainingJobName="trained",
        AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        HyperParameters={"objective": "binary:logistic", "num_round": "5", "max_depth": "3"},
        InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/train", "S3DataDistributionType": "FullyReplicated"}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    deadline = time.monotonic() + 30
    while (job := sagemaker.describe_training_job(TrainingJobName="trained"))["TrainingJobStatus"] == "InProgress":
        assert time.monotonic() < deadline, "training job still InProgress after 30 s"
        time.sleep(0.1)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    description = deploy("trained", model_data_url=job["ModelArtifacts"]["S3ModelArtifacts"])
    assert description["EndpointStatus"] == "InService", description.get("FailureReason")
    high, low = float(invoke("trained", "0.95,0.5,0.5,0.5")["Body"]), float(invoke("trained", "0.05,0.5,0.5,0.5")["Body"])
    assert 0.5 < high <= 1.0 and 0.0 <= low < 0.5


def test_model_of_a_missing_package_fails_the_endpoint():
    sagemaker = boto3.client("sagemaker")
    missing = "arn:aws:sagemaker:us-east-1:123456789012:model-package/credit/9"
    sagemaker.create_model(ModelName="orphan-model", ExecutionRoleArn=ROLE, PrimaryContainer={"ModelPackageName": missing})
    create_config("orphan-config", "orphan-model")
    sagemaker.create_endpoint(EndpointName="orphan", EndpointConfigName="orphan-config")
    description = wait_until_settled("orphan")
    assert description["EndpointStatus"] == "Failed"
    assert missing in description["FailureReason"]  # the registry's own "package not found" message


def test_variants_answer_with_their_own_models_and_target_variant_picks_one():
    first, second = train_booster(12), train_booster(13, positive_when_first_feature_above=False)
    create_model("blue-model", upload_model(first, "blue/model.tar.gz"))
    create_model("green-model", upload_model(second, "green/model.tar.gz"))
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_endpoint_config(EndpointConfigName="ab-config", ProductionVariants=[
        {"VariantName": "Blue", "ModelName": "blue-model", "InstanceType": "ml.m5.large",
         "InitialInstanceCount": 1, "InitialVariantWeight": 1.0},
        {"VariantName": "Green", "ModelName": "green-model", "InstanceType": "ml.m5.large",
         "InitialInstanceCount": 1, "InitialVariantWeight": 1.0},
    ])
    sagemaker.create_endpoint(EndpointName="ab", EndpointConfigName="ab-config")
    assert wait_until_settled("ab")["EndpointStatus"] == "InService"
    for variant, booster in (("Blue", first), ("Green", second)):
        response = invoke("ab", ROW, TargetVariant=variant)
        assert (response["InvokedProductionVariant"], response["Body"]) == (variant, expected_answer(booster, ROW))
    answers = {invoke("ab", ROW)["InvokedProductionVariant"] for _ in range(40)}
    assert answers == {"Blue", "Green"}  # equal weights: both serve (all one colour: p = 2 * 0.5**40)
    with pytest.raises(ClientError) as raised:
        invoke("ab", ROW, TargetVariant="Red")
    assert "Endpoint ab has no production variant 'Red' (it has: Blue, Green)." in str(raised.value)


def test_update_endpoint_switches_the_model():
    first, second = train_booster(5), train_booster(6, positive_when_first_feature_above=False)
    deploy("switch", first)
    assert invoke("switch", ROW)["Body"] == expected_answer(first, ROW)
    create_model("switch-model-2", upload_model(second, "switch/v2/model.tar.gz"))
    create_config("switch-config-2", "switch-model-2")
    sagemaker = boto3.client("sagemaker")
    arn = sagemaker.update_endpoint(EndpointName="switch", EndpointConfigName="switch-config-2")["EndpointArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/switch"
    assert sagemaker.describe_endpoint(EndpointName="switch")["EndpointStatus"] in ("Updating", "InService")
    description = wait_until_settled("switch")
    assert description["EndpointStatus"] == "InService"
    assert description["EndpointConfigName"] == "switch-config-2"
    assert invoke("switch", ROW)["Body"] == expected_answer(second, ROW) != expected_answer(first, ROW)


def test_failed_update_rolls_back_to_the_running_model():
    booster = train_booster(7)
    deploy("rollback", booster)
    create_model("rollback-missing", f"s3://{BUCKET}/nowhere/model.tar.gz")
    create_config("rollback-config-2", "rollback-missing")
    boto3.client("sagemaker").update_endpoint(EndpointName="rollback", EndpointConfigName="rollback-config-2")
    description = wait_until_settled("rollback")
    assert description["EndpointStatus"] == "InService"
    assert description["EndpointConfigName"] == "rollback-config"
    assert "Failed to download model data(bucket: endpoint-tests, key: nowhere/model.tar.gz)" in description["FailureReason"]
    assert invoke("rollback", ROW)["Body"] == expected_answer(booster, ROW)


def test_update_errors_name_what_is_missing():
    deploy("updatable", train_booster(1))
    sagemaker = boto3.client("sagemaker")
    with pytest.raises(ClientError) as no_endpoint:
        sagemaker.update_endpoint(EndpointName="ghost", EndpointConfigName="updatable-config")
    assert "Could not find endpoint 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/ghost'" in str(no_endpoint.value)
    with pytest.raises(ClientError) as no_config:
        sagemaker.update_endpoint(EndpointName="updatable", EndpointConfigName="ghost-config")
    assert "Could not find endpoint configuration" in str(no_config.value)
    assert "ghost-config" in str(no_config.value)


def test_delete_endpoint():
    deploy("doomed", train_booster(1))
    sagemaker = boto3.client("sagemaker")
    sagemaker.delete_endpoint(EndpointName="doomed")
    with pytest.raises(ClientError) as raised:
        sagemaker.describe_endpoint(EndpointName="doomed")
    assert "Could not find endpoint" in str(raised.value)
    assert invoke_error("doomed", ROW)["Error"]["Message"] == f"Endpoint doomed of account {ACCOUNT} not found."


# ---- runtime --------------------------------------------------------------------------


def test_one_row_gets_the_container_answer():
    booster = train_booster(8)
    deploy("single", booster)
    response = invoke("single", ROW)
    assert response["Body"] == expected_answer(booster, ROW)
    assert 0.0 <= float(response["Body"]) <= 1.0
    assert response["ContentType"] == "text/csv; charset=utf-8"
    assert response["InvokedProductionVariant"] == "AllTraffic"


def test_many_rows_get_one_prediction_each_joined_by_commas():
    booster = train_booster(8)
    deploy("multi", booster)
    body = invoke("multi", ROWS)["Body"]
    assert body == expected_answer(booster, ROWS)
    assert len(body.split(b",")) == 3


def test_two_endpoints_answer_with_their_own_models():
    first, second = train_booster(9), train_booster(10, positive_when_first_feature_above=False)
    deploy("first", first)
    deploy("second", second)
    assert invoke("first", ROW)["Body"] == expected_answer(first, ROW)
    assert invoke("second", ROW)["Body"] == expected_answer(second, ROW)
    assert expected_answer(first, ROW) != expected_answer(second, ROW)


def test_unknown_endpoint_is_a_validation_error():
    response = invoke_error("does-not-exist", ROW)
    assert response["Error"]["Code"] == "ValidationError"
    assert response["Error"]["Message"] == f"Endpoint does-not-exist of account {ACCOUNT} not found."
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def _assert_model_error(response: dict, original_status: int, *fragments: str) -> None:
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert response["OriginalStatusCode"] == original_status
    assert response["LogStreamArn"] == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints/bad-input"
    message = response["Error"]["Message"]
    assert message.startswith(f"Received client error ({original_status}) from primary with message")
    assert f"in account {ACCOUNT} for more information." in message
    for fragment in fragments:
        assert fragment in message and fragment in response["OriginalMessage"]


@pytest.mark.parametrize(
    "body, content_type, status, fragments",
    [
        ("0.9,abc,0.4,0.7", "text/csv", 415,
         ["Loading csv data failed", "could not convert string to float: 'abc' (row 1, column 2)", "header"]),
        ("LIMIT_BAL,SEX,AGE,PAY_0\n0.9,0.2,0.4,0.7", "text/csv", 415, ["'LIMIT_BAL' (row 1, column 1)", "header"]),
        ("0.9,0.2,0.4,0.7\n0.1,0.2", "text/csv", 415, ["row 2 has 2 values but row 1 has 4"]),
        ("1,0.9,0.2,0.4,0.7", "text/csv", 400,
         ["Unable to evaluate payload provided", "expected 4 features, got 5", "did you leave the label column in?"]),
        ("0.9,0.2,0.4", "text/csv", 400, ["expected 4 features, got 3", "each row needs all 4 feature columns"]),
        ("   \n", "text/csv", 415, ["the body is empty"]),
        ('{"features": [1, 2, 3, 4]}', "application/json", 415,
         ["Content-type application/json is not supported", "ContentType='text/csv'"]),
    ],
    ids=["not-a-number", "header-row", "ragged-rows", "label-left-in", "too-few", "empty", "json"],
)
def test_bad_input_is_a_model_error_and_the_endpoint_keeps_serving(body, content_type, status, fragments):
    booster = train_booster(11)
    deploy("bad-input", booster)
    _assert_model_error(invoke_error("bad-input", body, content_type), status, *fragments)
    assert invoke("bad-input", ROW)["Body"] == expected_answer(booster, ROW)
