"""Stacks of the lab's endpoint template: named as CloudFormation names them, checked as it checks them."""

from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from polling import wait_until
from test_endpoints import IMAGE, ROLE, ROW, expected_answer, train_booster, upload_model, wait_until_settled

# Lab 3's modeldeploy template with its exercise solved.
TEMPLATE = (Path(__file__).parents[1] / "fixtures/endpoint-config-template.yml").read_text()


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


def wait_for_stack(name: str) -> dict:
    """The stack once CloudFormation has finished with it (no *_IN_PROGRESS status)."""
    cf = boto3.client("cloudformation")
    return wait_until(lambda: cf.describe_stacks(StackName=name)["Stacks"][0], "StackStatus",
                      lambda status: not status.endswith("_IN_PROGRESS"), 120, f"stack {name}")


def events(name: str) -> list[tuple]:
    """(LogicalResourceId, ResourceStatus, reason) oldest first."""
    found = boto3.client("cloudformation").describe_stack_events(StackName=name)["StackEvents"]
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason")) for e in reversed(found)]


def resources(name: str) -> dict[str, str]:
    summaries = boto3.client("cloudformation").list_stack_resources(StackName=name)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"].split("/")[-1] for r in summaries}


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
    stack = wait_for_stack("credit-staging")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert boto3.client("sagemaker").describe_endpoint(EndpointName="credit-mlops-staging")["EndpointStatus"] == \
        "InService"
    model = resources("credit-staging")["Model"]
    assert model.startswith("Model-") and len(model) == len("Model-") + 12
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
    wait_for_stack("same")
    with pytest.raises(ClientError) as raised:
        cf.update_stack(StackName="same", TemplateBody=TEMPLATE, Parameters=stack_parameters(arn))
    assert raised.value.response["Error"]["Message"] == "No updates are to be performed."


def test_a_stack_is_in_progress_until_its_endpoint_is_in_service():
    _, arn = package(3)
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="slow", TemplateBody=TEMPLATE, Parameters=stack_parameters(arn))
    assert cf.describe_stacks(StackName="slow")["Stacks"][0]["StackStatus"] == "CREATE_IN_PROGRESS"
    assert wait_for_stack("slow")["StackStatus"] == "CREATE_COMPLETE"
    statuses = [(logical_id, status) for logical_id, status, _ in events("slow")]
    assert statuses == [("slow", "CREATE_IN_PROGRESS"),
                        ("Model", "CREATE_IN_PROGRESS"), ("Model", "CREATE_COMPLETE"),
                        ("EndpointConfig", "CREATE_IN_PROGRESS"), ("EndpointConfig", "CREATE_COMPLETE"),
                        ("Endpoint", "CREATE_IN_PROGRESS"), ("Endpoint", "CREATE_COMPLETE"),
                        ("slow", "CREATE_COMPLETE")]


def test_a_new_package_updates_the_endpoint_in_place_and_cleans_up_the_old_model():
    _, first = package(4)
    second_booster, second = package(5)
    cf, sm = boto3.client("cloudformation"), boto3.client("sagemaker")
    cf.create_stack(StackName="credit-prod", TemplateBody=TEMPLATE, Parameters=stack_parameters(first))
    wait_for_stack("credit-prod")
    before = resources("credit-prod")
    cf.update_stack(StackName="credit-prod", TemplateBody=TEMPLATE, Parameters=stack_parameters(second))
    assert wait_for_stack("credit-prod")["StackStatus"] == "UPDATE_COMPLETE"
    after = resources("credit-prod")
    assert after["Endpoint"] == before["Endpoint"] == "credit-mlops-staging"
    assert after["Model"] != before["Model"] and after["EndpointConfig"] != before["EndpointConfig"]
    assert sm.describe_model(ModelName=after["Model"])["PrimaryContainer"]["ModelPackageName"] == second
    with pytest.raises(ClientError):
        sm.describe_model(ModelName=before["Model"])
    with pytest.raises(ClientError):
        sm.describe_endpoint_config(EndpointConfigName=before["EndpointConfig"])
    endpoint = sm.describe_endpoint(EndpointName="credit-mlops-staging")
    assert (endpoint["EndpointStatus"], endpoint["EndpointConfigName"]) == ("InService", after["EndpointConfig"])
    answer = boto3.client("sagemaker-runtime").invoke_endpoint(
        EndpointName="credit-mlops-staging", ContentType="text/csv", Body=ROW)["Body"].read()
    assert answer == expected_answer(second_booster, ROW)
    stack_statuses = [status for logical_id, status, _ in events("credit-prod") if logical_id == "credit-prod"]
    assert stack_statuses[-3:] == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]


def test_a_missing_package_rolls_the_stack_back_with_the_models_reason():
    missing = "arn:aws:sagemaker:us-east-1:123456789012:model-package/credit/99"
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="broken", TemplateBody=TEMPLATE, Parameters=stack_parameters(missing))
    stack = wait_for_stack("broken")
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "Outputs" not in stack
    assert resources("broken") == {}
    reasons = {(logical_id, status): reason for logical_id, status, reason in events("broken")}
    assert reasons[("Model", "CREATE_FAILED")].startswith("Resource handler returned message: ")
    assert "(Service: SageMaker, Status Code: 400)" in reasons[("Model", "CREATE_FAILED")]
    assert reasons[("broken", "ROLLBACK_IN_PROGRESS")] == (
        "The following resource(s) failed to create: [Model]. Rollback requested by user.")
    assert boto3.client("sagemaker").list_endpoints()["Endpoints"] == []


def test_a_rolled_back_stack_must_be_deleted_before_it_is_created_again():
    missing = "arn:aws:sagemaker:us-east-1:123456789012:model-package/credit/99"
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="again", TemplateBody=TEMPLATE, Parameters=stack_parameters(missing))
    wait_for_stack("again")
    with pytest.raises(ClientError) as raised:
        cf.create_stack(StackName="again", TemplateBody=TEMPLATE, Parameters=stack_parameters(missing))
    assert raised.value.response["Error"]["Code"] == "AlreadyExistsException"
    assert raised.value.response["Error"]["Message"] == "Stack [again] already exists"
    cf.delete_stack(StackName="again")
    _, arn = package(6)
    cf.create_stack(StackName="again", TemplateBody=TEMPLATE, Parameters=stack_parameters(arn))
    assert wait_for_stack("again")["StackStatus"] == "CREATE_COMPLETE"


def test_an_endpoint_that_cannot_start_fails_its_resource_and_rolls_back():
    sm = boto3.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName="credit")
    boto3.client("s3").create_bucket(Bucket="endpoint-tests")
    boto3.client("s3").put_object(Bucket="endpoint-tests", Key="bad/model.tar.gz", Body=b"not a tarball")
    arn = sm.create_model_package(ModelPackageGroupName="credit", ModelApprovalStatus="Approved", InferenceSpecification={
        "Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://endpoint-tests/bad/model.tar.gz"}],
        "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]})["ModelPackageArn"]
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="unservable", TemplateBody=TEMPLATE, Parameters=stack_parameters(arn))
    assert wait_for_stack("unservable")["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = [reason for logical_id, status, reason in events("unservable")
              if (logical_id, status) == ("Endpoint", "CREATE_FAILED")]
    assert len(failed) == 1 and "(HandlerErrorCode: NotStabilized)" in failed[0]
    assert sm.list_models()["Models"] == [] and sm.list_endpoint_configs()["EndpointConfigs"] == []


def test_deleting_a_stack_deletes_its_endpoint_config_and_model():
    _, arn = package(7)
    cf, sm = boto3.client("cloudformation"), boto3.client("sagemaker")
    cf.create_stack(StackName="gone", TemplateBody=TEMPLATE, Parameters=stack_parameters(arn))
    wait_for_stack("gone")
    cf.delete_stack(StackName="gone")
    assert sm.list_endpoints()["Endpoints"] == []
    assert sm.list_endpoint_configs()["EndpointConfigs"] == [] and sm.list_models()["Models"] == []


def test_the_stacks_tags_and_cloudformations_own_are_on_every_resource_it_creates():
    """As CloudFormation propagates stack-level tags: how the teardown finds a project's endpoints."""
    _, arn = package(8)
    cf, sm = boto3.client("cloudformation"), boto3.client("sagemaker")
    stack_id = cf.create_stack(StackName="tagged", TemplateBody=TEMPLATE, Parameters=stack_parameters(arn),
                               Tags=[{"Key": "sagemaker:project-id", "Value": "p-0123456789ab"}])["StackId"]
    wait_for_stack("tagged")
    arns = {"Model": sm.describe_model(ModelName=resources("tagged")["Model"])["ModelArn"],
            "EndpointConfig": sm.describe_endpoint_config(
                EndpointConfigName=resources("tagged")["EndpointConfig"])["EndpointConfigArn"],
            "Endpoint": sm.describe_endpoint(EndpointName="credit-mlops-staging")["EndpointArn"]}
    for logical_id, resource_arn in arns.items():
        tags = {tag["Key"]: tag["Value"] for tag in sm.list_tags(ResourceArn=resource_arn)["Tags"]}
        assert tags == {"sagemaker:project-id": "p-0123456789ab", "aws:cloudformation:stack-name": "tagged",
                        "aws:cloudformation:stack-id": stack_id, "aws:cloudformation:logical-id": logical_id}
    cf.delete_stack(StackName="tagged")
