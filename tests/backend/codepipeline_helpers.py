"""Pipelines for the CodePipeline tests: a role, a versioned source bucket, a source zip."""

import io
import json
import zipfile

import boto3

from polling import wait_until

STORE = "codepipeline-us-east-1-artifacts"
SOURCE_BUCKET = "learner-sources"
SOURCE_KEY = "modeldeploy/source.zip"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def upload_source(files: dict[str, str]) -> str:
    """Put the source zip in the versioned source bucket; returns its VersionId."""
    s3 = boto3.client("s3")
    for bucket in (SOURCE_BUCKET, STORE):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=SOURCE_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return s3.put_object(Bucket=SOURCE_BUCKET, Key=SOURCE_KEY, Body=zip_of(files))["VersionId"]


def role_arn() -> str:
    iam = boto3.client("iam")
    try:
        return iam.get_role(RoleName="codepipeline-role")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_role(RoleName="codepipeline-role",
                               AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]


def source_stage() -> dict:
    return {"name": "Source", "actions": [{
        "name": "SourceZip", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
        "configuration": {"S3Bucket": SOURCE_BUCKET, "S3ObjectKey": SOURCE_KEY, "PollForSourceChanges": "false"},
        "outputArtifacts": [{"name": "SourceArtifact"}]}]}


def approval_stage(name: str = "Approve") -> dict:
    return {"name": name, "actions": [{
        "name": "ManualApproval",
        "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"},
        "configuration": {"CustomData": "Approve the deployment?"}}]}


def create_pipeline(name: str, *stages: dict) -> str:
    """Create the pipeline; returns the id of the execution CreatePipeline starts."""
    cp = boto3.client("codepipeline")
    cp.create_pipeline(pipeline={"name": name, "roleArn": role_arn(),
                                 "artifactStore": {"type": "S3", "location": STORE}, "stages": list(stages)})
    return cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"][0]["pipelineExecutionId"]


def execution(name: str, execution_id: str) -> dict:
    return boto3.client("codepipeline").get_pipeline_execution(
        pipelineName=name, pipelineExecutionId=execution_id)["pipelineExecution"]


def wait_for_execution(name: str, execution_id: str, timeout: float = 10) -> dict:
    return wait_until(lambda: execution(name, execution_id), "status", lambda s: s not in ("InProgress", "Stopping"),
                      timeout, f"execution {execution_id}")


def action_state(name: str, stage: str, action: str) -> dict:
    state = boto3.client("codepipeline").get_pipeline_state(name=name)
    stage_state = next(s for s in state["stageStates"] if s["stageName"] == stage)
    return next(a for a in stage_state["actionStates"] if a["actionName"] == action).get("latestExecution", {})


def wait_for_action(name: str, stage: str, action: str, settled, timeout: float = 10) -> dict:
    return wait_until(lambda: {"status": "-", **action_state(name, stage, action)}, "status", settled,
                      timeout, f"action {stage}/{action}")


def wait_for_token(name: str, stage: str = "Approve", action: str = "ManualApproval") -> str:
    return wait_until(lambda: {"token": None, **action_state(name, stage, action)}, "token", bool,
                      10, "approval token")["token"]
