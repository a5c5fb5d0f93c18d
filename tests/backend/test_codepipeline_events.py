"""An EventBridge rule targeting a pipeline starts it, as the SageMaker Project's approval rule does."""

import json

import boto3

from codepipeline_helpers import approval_stage, create_pipeline, role_arn, source_stage, upload_source

GROUP = "credit-default-models"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
SPECIFICATION = {"Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://bucket/model.tar.gz"}],
                 "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]}
PROJECT_RULE_PATTERN = {  # the rule the SageMaker Project template makes for the deploy pipeline
    "source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"],
    "detail": {"ModelPackageGroupName": [GROUP], "ModelApprovalStatus": ["Approved", "Rejected"]}}


def executions(name: str) -> list[dict]:
    return boto3.client("codepipeline").list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]


def project_rule(pipeline: str, queue_arn: str | None = None) -> str:
    events = boto3.client("events")
    rule_arn = events.put_rule(Name="sagemaker-credit-model-deploy", EventPattern=json.dumps(PROJECT_RULE_PATTERN),
                               State="ENABLED")["RuleArn"]
    targets = [{"Id": "deploy-pipeline", "Arn": f"arn:aws:codepipeline:us-east-1:123456789012:{pipeline}",
                "RoleArn": role_arn()}]
    if queue_arn:
        targets.append({"Id": "queue", "Arn": queue_arn})
    events.put_targets(Rule="sagemaker-credit-model-deploy", Targets=targets)
    return rule_arn


def test_approving_a_package_starts_the_deploy_pipeline_from_the_rule():
    upload_source({"template.yml": "Resources: {}\n"})
    create_pipeline("credit-modeldeploy", source_stage(), approval_stage())
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="also-delivered")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule_arn = project_rule("credit-modeldeploy", queue_arn)
    sm = boto3.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    package = sm.create_model_package(ModelPackageGroupName=GROUP, InferenceSpecification=SPECIFICATION,
                                      ModelApprovalStatus="PendingManualApproval")["ModelPackageArn"]
    assert len(executions("credit-modeldeploy")) == 1  # only CreatePipeline's: a pending package matches nothing

    sm.update_model_package(ModelPackageArn=package, ModelApprovalStatus="Approved")

    latest = executions("credit-modeldeploy")
    assert len(latest) == 2
    assert latest[0]["trigger"] == {"triggerType": "CloudWatchEvent", "triggerDetail": rule_arn}
    assert latest[1]["trigger"]["triggerType"] == "CreatePipeline"
    body = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])
    assert body["detail"]["ModelPackageArn"] == package


def test_a_rule_naming_a_missing_pipeline_does_not_break_the_approval():
    project_rule("no-such-pipeline")
    sm = boto3.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    package = sm.create_model_package(ModelPackageGroupName=GROUP, InferenceSpecification=SPECIFICATION,
                                      ModelApprovalStatus="PendingManualApproval")["ModelPackageArn"]

    sm.update_model_package(ModelPackageArn=package, ModelApprovalStatus="Rejected")

    assert sm.describe_model_package(ModelPackageName=package)["ModelApprovalStatus"] == "Rejected"
