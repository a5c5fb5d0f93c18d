"""Deploy / AWS / CloudFormation actions deploy the template of an input artifact as CodePipeline does."""

import json

import boto3
import pytest

from codepipeline_helpers import action_state, create_pipeline, source_stage, upload_source, wait_for_execution

TEMPLATE = """\
Parameters:
  QueueName: {Type: String}
  StageName: {Type: String}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${QueueName}-${StageName}"
Outputs:
  QueueUrl: {Value: !Ref Queue}
"""
CONFIG = {"Parameters": {"QueueName": "from-config", "StageName": "staging"}, "Tags": {"sagemaker:project-name": "credit"}}


def deploy_stage(**configuration) -> dict:
    return {"name": "DeployStaging", "actions": [{
        "name": "DeployResourcesStaging",
        "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
        "configuration": {"ActionMode": "REPLACE_ON_FAILURE", "StackName": "credit-deploy-staging",
                          "TemplatePath": "SourceArtifact::template.yml",
                          "TemplateConfiguration": "SourceArtifact::staging-config.json",
                          "Capabilities": "CAPABILITY_NAMED_IAM", **configuration},
        "inputArtifacts": [{"name": "SourceArtifact"}]}]}


@pytest.fixture
def source():
    upload_source({"template.yml": TEMPLATE, "staging-config.json": json.dumps(CONFIG)})


def test_a_deploy_action_creates_the_stack_with_the_configuration_file_and_overrides(source):
    execution_id = create_pipeline("deploy", source_stage(),
                                   deploy_stage(ParameterOverrides=json.dumps({"QueueName": "credit"})))

    assert wait_for_execution("deploy", execution_id)["status"] == "Succeeded"
    stack = boto3.client("cloudformation").describe_stacks(StackName="credit-deploy-staging")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "QueueName": "credit", "StageName": "staging"}
    assert stack["Tags"] == [{"Key": "sagemaker:project-name", "Value": "credit"}]
    assert boto3.client("sqs").get_queue_url(QueueName="credit-staging")["QueueUrl"]
    latest = action_state("deploy", "DeployStaging", "DeployResourcesStaging")
    assert latest["status"] == "Succeeded"
    assert latest["externalExecutionId"] == "credit-deploy-staging"


def test_a_second_execution_updates_the_existing_stack_and_succeeds(source):
    first = create_pipeline("deploy", source_stage(), deploy_stage())
    wait_for_execution("deploy", first)

    second = boto3.client("codepipeline").start_pipeline_execution(name="deploy")["pipelineExecutionId"]

    assert wait_for_execution("deploy", second)["status"] == "Succeeded"
    stack = boto3.client("cloudformation").describe_stacks(StackName="credit-deploy-staging")["Stacks"][0]
    assert stack["StackStatus"] in ("UPDATE_COMPLETE", "CREATE_COMPLETE")


def test_delete_only_deletes_the_stack(source):
    first = create_pipeline("deploy", source_stage(), deploy_stage())
    wait_for_execution("deploy", first)
    cp = boto3.client("codepipeline")
    pipeline = cp.get_pipeline(name="deploy")["pipeline"]
    pipeline["stages"][1]["actions"][0]["configuration"]["ActionMode"] = "DELETE_ONLY"
    cp.update_pipeline(pipeline=pipeline)

    second = cp.start_pipeline_execution(name="deploy")["pipelineExecutionId"]

    assert wait_for_execution("deploy", second)["status"] == "Succeeded"
    names = [s["StackName"] for s in boto3.client("cloudformation").list_stacks()["StackSummaries"]
             if s["StackStatus"] != "DELETE_COMPLETE"]
    assert "credit-deploy-staging" not in names


@pytest.mark.parametrize(("configuration", "message"), [
    ({"TemplatePath": "SourceArtifact::missing.yml"}, "File missing.yml does not exist in artifact SourceArtifact"),
    ({"TemplatePath": "template.yml"}, "TemplatePath 'template.yml' must be of the form ArtifactName::path"),
    ({"TemplatePath": "BuildArtifact::template.yml"},
     "Artifact BuildArtifact is not an input artifact of action DeployResourcesStaging"),
    ({"ParameterOverrides": "{not json"}, "ParameterOverrides is not a JSON object"),
    ({"ActionMode": "CHANGE_SET_REPLACE"}, "ActionMode CHANGE_SET_REPLACE is not run by the local backend"),
])
def test_a_deploy_action_with_a_bad_configuration_fails_with_a_specific_reason(source, configuration, message):
    execution_id = create_pipeline("deploy", source_stage(), deploy_stage(**configuration))

    assert wait_for_execution("deploy", execution_id)["status"] == "Failed"
    latest = action_state("deploy", "DeployStaging", "DeployResourcesStaging")
    assert latest["status"] == "Failed"
    assert latest["errorDetails"]["code"] == "JobFailed"
    assert message in latest["errorDetails"]["message"]
