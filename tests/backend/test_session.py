"""start_session: the learner's first cell, on the local backend and, failing fast, on aws.

The local tests find the suite's in-process server through a state file in a private kit
home (exactly how a kernel finds the machine's server), so they start no process.
"""

import os
import subprocess
import sys

import boto3
import pytest

from mlops_kit.session import SessionError, start_session

ACCOUNT = "123456789012"


pytestmark = pytest.mark.usefixtures("restore_process_state")


@pytest.fixture
def no_aws_configuration(tmp_path, monkeypatch):
    """A machine with no AWS set-up at all: no variables, empty config files, no instance metadata."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.startswith("SAGEMAKER_"):
            monkeypatch.delenv(name)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        empty = tmp_path / name.lower()
        empty.write_text("")
        monkeypatch.setenv(name, str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_local_session_gives_working_sdk_and_boto3_clients(local_home, server_url, tmp_path):
    workshop = start_session()

    assert (workshop.backend, workshop.region, workshop.endpoint_url) == ("local", "us-east-1", server_url)
    assert workshop.bucket == f"sagemaker-us-east-1-{ACCOUNT}"
    assert workshop.role_arn == f"arn:aws:iam::{ACCOUNT}:role/AmazonSageMaker-ExecutionRole-mlops-kit"
    assert workshop.client("iam").get_role(RoleName="AmazonSageMaker-ExecutionRole-mlops-kit")["Role"]["Arn"] \
        == workshop.role_arn

    sdk = workshop.sagemaker_session
    assert type(sdk).__module__ == "sagemaker.core.helper.session_helper"
    assert sdk.default_bucket() == workshop.bucket
    assert sdk.account_id() == ACCOUNT  # the SDK's own STS call, at its hard-coded AWS URL, answered locally
    data = tmp_path / "train.csv"
    data.write_text("1,0.5,0.25\n0,0.1,0.2\n")
    uri = sdk.upload_data(str(data), key_prefix="credit/train")
    assert uri == f"s3://{workshop.bucket}/credit/train/train.csv"
    assert workshop.s3.get_object(Bucket=workshop.bucket, Key="credit/train/train.csv")["Body"].read() \
        == data.read_bytes()
    assert sdk.boto_session.client("sagemaker").list_training_jobs()["TrainingJobSummaries"] == []

    # Code the learner writes with plain boto3 reaches the same server.
    assert boto3.client("s3").head_bucket(Bucket=workshop.bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert os.environ["AWS_ENDPOINT_URL"] == server_url
    assert os.environ["SAGEMAKER_VALIDATE_ROLE"] == "false"
    assert "TelemetryOptOut: true" in open(os.environ["SAGEMAKER_USER_CONFIG_OVERRIDE"]).read()


def test_local_session_can_be_started_again(local_home):
    first = start_session()
    again = start_session()
    assert (again.bucket, again.role_arn) == (first.bucket, first.role_arn)
    assert [bucket["Name"] for bucket in again.s3.list_buckets()["Buckets"]] == [first.bucket]
    roles = again.client("iam").list_roles()["Roles"]
    assert [role["RoleName"] for role in roles] == ["AmazonSageMaker-ExecutionRole-mlops-kit"]


def test_local_session_honours_region_bucket_and_role(local_home):
    workshop = start_session(region="eu-west-1", bucket="my-workshop-bucket", role="LabRole")
    assert (workshop.region, workshop.bucket) == ("eu-west-1", "my-workshop-bucket")
    assert workshop.role_arn == f"arn:aws:iam::{ACCOUNT}:role/LabRole"
    assert workshop.s3.get_bucket_location(Bucket="my-workshop-bucket")["LocationConstraint"] == "eu-west-1"
    assert os.environ["AWS_DEFAULT_REGION"] == os.environ["AWS_REGION"] == "eu-west-1"


def test_session_shows_a_short_summary_and_the_common_clients(local_home, server_url):
    workshop = start_session()
    for text in (repr(workshop), workshop._repr_html_()):
        for value in ("local", "us-east-1", workshop.bucket, workshop.role_arn, server_url):
            assert value in text
    assert workshop.sagemaker.list_endpoints()["Endpoints"] == []
    assert workshop.sagemaker is workshop.client("sagemaker")  # made once, reused in polling loops
    assert workshop.sagemaker_runtime.meta.service_model.service_name == "sagemaker-runtime"
    for name in ("events", "logs", "cloudwatch"):
        assert getattr(workshop, name).meta.endpoint_url == server_url
    with pytest.raises(AttributeError, match=r"session.client\('<service name>'\)"):
        workshop.kinesis


def test_an_unknown_backend_lists_the_valid_ones():
    with pytest.raises(SessionError, match=r"Unknown backend 'docker': use one of 'local', 'aws'"):
        start_session("docker")


def test_aws_without_credentials_says_how_to_configure_them(no_aws_configuration):
    with pytest.raises(SessionError, match=r"No AWS credentials found.*aws configure"):
        start_session("aws", region="us-east-1")


def test_aws_after_local_in_the_same_kernel_does_not_use_the_dummy_credentials(local_home, no_aws_configuration):
    start_session("local")
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    with pytest.raises(SessionError, match="No AWS credentials found"):
        start_session("aws", region="us-east-1")
    assert "AWS_ENDPOINT_URL" not in os.environ


@pytest.fixture
def example_aws_credentials(no_aws_configuration, monkeypatch):
    """Credentials that look real, with nothing else configured."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")


def test_aws_without_region_says_how_to_set_one(example_aws_credentials):
    with pytest.raises(SessionError, match=r"No AWS region set.*region=\"us-east-1\".*AWS_DEFAULT_REGION"):
        start_session("aws")


def test_aws_with_credentials_sts_cannot_check_fails_fast(example_aws_credentials, monkeypatch):
    from mlops_kit.local.server.detached import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{free_port()}")  # nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(SessionError, match=r"credentials were rejected or could not be checked.*aws sso login"):
        start_session("aws", region="us-east-1")


def test_aws_without_role_outside_sagemaker_says_how_to_pass_one(example_aws_credentials, server_url, monkeypatch):
    # The suite's server stands in for AWS: it accepts any credentials.
    monkeypatch.setenv("AWS_ENDPOINT_URL", server_url)
    with pytest.raises(SessionError, match=rf"No SageMaker execution role.*role=\"arn:aws:iam::{ACCOUNT}:role/"):
        start_session("aws", region="us-east-1")


def test_aws_with_role_name_bucket_and_region_returns_the_session(example_aws_credentials, server_url, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", server_url)
    workshop = start_session("aws", region="us-east-1", bucket="team-bucket", role="SageMakerRole")
    assert (workshop.backend, workshop.bucket, workshop.endpoint_url) == ("aws", "team-bucket", None)
    assert workshop.role_arn == f"arn:aws:iam::{ACCOUNT}:role/SageMakerRole"
    assert "real AWS" in repr(workshop)
    assert "SAGEMAKER_USER_CONFIG_OVERRIDE" not in os.environ  # no local overrides on aws
    assert workshop.poll_seconds == 30  # AWS takes minutes: no need to ask every second


def test_a_local_session_polls_every_second(local_home):
    """The labs' waits read the pause between two looks from the session, not from the backend's name."""
    assert start_session("local").poll_seconds == 1


def test_a_kernel_without_region_imports_the_kit_then_the_whole_sdk_after_start_session(local_home):
    """sagemaker.mlops raises NoRegionError at import without a region; start_session sets one first."""
    kernel = ("import mlops_kit.session as kit\n"
              "workshop = kit.start_session()\n"
              "import sagemaker.mlops.workflow, sagemaker.serve\n"
              "print(workshop.bucket)\n")
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "SAGEMAKER_"))}
    environment |= {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true"}
    result = subprocess.run([sys.executable, "-c", kernel], env=environment, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sagemaker-us-east-1-{ACCOUNT}"
