""""SageMaker Model Package State Change" events reach EventBridge rules, as on AWS."""

import json
from datetime import timezone

import boto3
import pytest

from mlops_kit.local.environment import write_sdk_config

GROUP = "credit-default-models"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
SPECIFICATION = {
    "Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://bucket/model.tar.gz"}],
    "SupportedContentTypes": ["text/csv"],
    "SupportedResponseMIMETypes": ["text/csv"],
}
METRICS = {"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": "s3://bucket/evaluation.json"}}}
APPROVED_PATTERN = {
    "source": ["aws.sagemaker"],
    "detail-type": ["SageMaker Model Package State Change"],
    "detail": {"ModelApprovalStatus": ["Approved"]},
}
ALL_CHANGES_PATTERN = {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"]}


def queue_for_rule(rule_name: str, pattern: dict) -> str:
    """A queue receiving what the rule matches on the default bus; returns its URL."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    url = sqs.create_queue(QueueName=rule_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=rule_name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule_name, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def iso_utc(moment) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def received(url: str) -> list[dict]:
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


@pytest.fixture
def sm():
    client = boto3.client("sagemaker")
    client.create_model_package_group(ModelPackageGroupName=GROUP)
    return client


def create_package(sm, **extra) -> str:
    return sm.create_model_package(
        ModelPackageGroupName=GROUP, InferenceSpecification=SPECIFICATION, ModelMetrics=METRICS, **extra
    )["ModelPackageArn"]


def test_an_approved_rule_fires_once_on_approval_and_not_on_creation(sm):
    approved_queue = queue_for_rule("on-approval", APPROVED_PATTERN)

    arn = create_package(sm)
    assert received(approved_queue) == []

    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    events = received(approved_queue)

    assert len(events) == 1
    event = events[0]
    assert event["source"] == "aws.sagemaker"
    assert event["detail-type"] == "SageMaker Model Package State Change"
    assert event["resources"] == [arn]
    assert event["detail"]["ModelPackageArn"] == arn
    assert event["detail"]["ModelApprovalStatus"] == "Approved"


def test_every_create_and_approval_change_is_an_event_shaped_like_the_package(sm):
    all_queue = queue_for_rule("all-changes", ALL_CHANGES_PATTERN)

    arn = create_package(sm)
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Rejected")
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Rejected")  # no change, no event
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")

    events = received(all_queue)
    assert [e["detail"]["ModelApprovalStatus"] for e in events] == ["PendingManualApproval", "Rejected", "Approved"]
    detail = events[-1]["detail"]
    package = sm.describe_model_package(ModelPackageName=arn)
    assert detail["ModelPackageGroupName"] == GROUP
    assert detail["ModelPackageVersion"] == 1
    assert detail["InferenceSpecification"] == SPECIFICATION
    assert detail["ModelMetrics"] == METRICS
    assert detail["ModelPackageStatus"] == "Completed"
    assert detail["CertifyForMarketplace"] is False
    assert detail["CreationTime"] == iso_utc(package["CreationTime"])
    assert detail["LastModifiedTime"] == iso_utc(package["LastModifiedTime"])
    assert events[-1]["account"] == "123456789012" and events[-1]["region"] == "us-east-1"
    assert events[-1]["time"].endswith("Z")


def test_a_rule_for_another_group_stays_silent(sm):
    this_queue = queue_for_rule("this-group", {**ALL_CHANGES_PATTERN, "detail": {"ModelPackageGroupName": [GROUP]}})
    other_queue = queue_for_rule("other-group", {**ALL_CHANGES_PATTERN, "detail": {"ModelPackageGroupName": ["other"]}})

    create_package(sm)

    assert len(received(this_queue)) == 1
    assert received(other_queue) == []


def test_an_undeliverable_target_does_not_fail_the_registry_call(sm):
    queue = queue_for_rule("all-changes", ALL_CHANGES_PATTERN)
    events = boto3.client("events")
    events.put_rule(Name="to-lambda", EventPattern=json.dumps(ALL_CHANGES_PATTERN))
    function_arn = "arn:aws:lambda:us-east-1:123456789012:function:deploy"
    events.put_targets(Rule="to-lambda", Targets=[{"Id": "fn", "Arn": function_arn}])

    arn = create_package(sm, ModelApprovalStatus="Approved")

    assert sm.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"] == "Approved"
    assert [e["detail"]["ModelApprovalStatus"] for e in received(queue)] == ["Approved"]


@pytest.fixture
def sdk_offline(monkeypatch, tmp_path):
    """The SDK's telemetry off, as the learner's session sets it."""
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(write_sdk_config(tmp_path / "sdk.yaml")))


def test_model_builder_registration_reaches_the_rule(sdk_offline):
    from sagemaker.core.helper.session_helper import Session
    from sagemaker.serve.model_builder import ModelBuilder

    approved_queue = queue_for_rule("on-approval", APPROVED_PATTERN)
    boto3.client("s3").create_bucket(Bucket="bucket")
    builder = ModelBuilder(
        s3_model_data_url="s3://bucket/model.tar.gz",
        image_uri=IMAGE,
        role_arn="arn:aws:iam::123456789012:role/SageMakerRole",
        sagemaker_session=Session(default_bucket="bucket"),
    )

    arn = builder.register(model_package_group_name="built-models", content_types=["text/csv"],
                           response_types=["text/csv"], approval_status="Approved")

    assert [(e["resources"], e["detail"]["ModelPackageGroupName"]) for e in received(approved_queue)] == [
        ([arn], "built-models")
    ]
