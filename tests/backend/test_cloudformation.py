"""Stacks of the lab's endpoint template: named as CloudFormation names them, checked as it checks them."""

from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from test_endpoints import IMAGE, ROLE, ROW, expected_answer, train_booster, upload_model, wait_until_settled

TEMPLATE = (Path(__file__).parents[2] / "solutions/lab3-cicd/modeldeploy/endpoint-config-template.yml").read_text()


def package(seed: int):
    booster = train_booster(seed)
    url = upload_model(booster, f"registry/{seed}/model.tar.gz")
    sm = boto3.client("sagemaker")
    try:
        sm.create_model_package_group(ModelPackageGroupName="credit")
    except ClientError:
        pass
    arn = sm.create_model_package(ModelPackageGroupName="credit", ModelApprovalStatus="Approved", InferenceSpecification={
        "Containers": [{"Image": IMAGE, "ModelDataUrl": url}],
        "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]})["ModelPackageArn"]
    return booster, arn


def stack_parameters(arn: str, **overrides) -> list[dict]:
    values = {"StageName": "staging", "EndpointInstanceCount": "1", "EndpointInstanceType": "ml.m5.large",
              "SamplingPercentage": "100", "SageMakerProjectName": "credit-mlops", "ModelPackageName": arn,
              "ModelExecutionRoleArn": ROLE, "DataCaptureUploadPath": "s3://endpoint-tests/datacapture-staging",
              **overrides}
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items() if v is not None]


def test_the_lab_template_deploys_an_endpoint_serving_the_package():
    booster, arn = package(1)
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="credit-staging", TemplateBody=TEMPLATE, Parameters=stack_parameters(arn))
    assert wait_until_settled("credit-mlops-staging")["EndpointStatus"] == "InService"
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in cf.list_stack_resources(StackName="credit-staging")["StackResourceSummaries"]}
    assert resources["Model"].split("/")[-1].startswith("Model-")
    assert len(resources["Model"].split("/")[-1]) == len("Model-") + 12
    stack = cf.describe_stacks(StackName="credit-staging")["Stacks"][0]
    assert stack["Outputs"][0]["OutputValue"] == "credit-mlops-staging"
    answer = boto3.client("sagemaker-runtime").invoke_endpoint(
        EndpointName="credit-mlops-staging", ContentType="text/csv", Body=ROW)["Body"].read()
    assert answer == expected_answer(booster, ROW)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"DataCaptureUploadPath": None}, "Parameters: [DataCaptureUploadPath] must have values"),
    ({"Unknown": "x"}, "Parameters: [Unknown] do not exist in the template"),
    ({"EndpointInstanceCount": "two"}, "Parameter 'EndpointInstanceCount' must be a number"),
    ({"EndpointInstanceCount": "0"}, "Parameter 'EndpointInstanceCount' must be a number not less than 1"),
    ({"SamplingPercentage": "101"}, "Parameter 'SamplingPercentage' must be a number not greater than 100"),
    ({"SageMakerProjectName": "x" * 33}, "Parameter 'SageMakerProjectName' must contain at most 32 characters"),
    ({"DataCaptureUploadPath": "bucket/path"}, "Parameter 'DataCaptureUploadPath' must match pattern ^s3://.+"),
])
def test_bad_parameters_are_refused_with_cloudformations_message(overrides, message):
    with pytest.raises(ClientError) as raised:
        boto3.client("cloudformation").create_stack(StackName="bad", TemplateBody=TEMPLATE,
                                                    Parameters=stack_parameters("arn", **overrides))
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert raised.value.response["Error"]["Message"] == message


@pytest.mark.parametrize(("body", "message"), [
    ("Resources:\n  X:\n    Type: AWS::Foo::Bar\n", "Template format error: Unrecognized resource types: [AWS::Foo::Bar]"),
    ("Resources: {}\n", "Template format error: At least one Resources member must be defined."),
    ("{not: [closed", "Template format error:"),
])
def test_a_bad_template_is_a_validation_error(body, message):
    with pytest.raises(ClientError) as raised:
        boto3.client("cloudformation").create_stack(StackName="bad", TemplateBody=body)
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert raised.value.response["Error"]["Message"].startswith(message)


def test_an_update_without_changes_is_refused():
    _, arn = package(2)
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="same", TemplateBody=TEMPLATE, Parameters=stack_parameters(arn))
    wait_until_settled("credit-mlops-staging")
    with pytest.raises(ClientError) as raised:
        cf.update_stack(StackName="same", TemplateBody=TEMPLATE, Parameters=stack_parameters(arn))
    assert raised.value.response["Error"]["Message"] == "No updates are to be performed."
