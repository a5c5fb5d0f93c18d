"""CodePipeline executions really run on the local backend: S3 source, manual approval, stop, superseding."""

import io
import re
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError

from polling import wait_until
from codepipeline_helpers import (SOURCE_BUCKET, STORE, action_state, approval_stage, create_pipeline, execution,
                                  source_stage, upload_source, wait_for_action, wait_for_execution, wait_for_token)

FILES = {"template.yml": "Resources: {}\n", "config/staging.json": "{}"}


@pytest.fixture
def cp():
    return boto3.client("codepipeline")


def test_create_pipeline_starts_an_execution_that_stores_the_source_zip_as_an_artifact(cp):
    version = upload_source(FILES)
    execution_id = create_pipeline("model-deploy-pipeline-for-credit", source_stage(), approval_stage())

    summary = cp.list_pipeline_executions(pipelineName="model-deploy-pipeline-for-credit")[
        "pipelineExecutionSummaries"][0]
    assert summary["trigger"]["triggerType"] == "CreatePipeline"
    wait_for_action("model-deploy-pipeline-for-credit", "Source", "SourceZip", lambda s: s == "Succeeded")

    (detail,) = [d for d in cp.list_action_executions(pipelineName="model-deploy-pipeline-for-credit",
                                                      filter={"pipelineExecutionId": execution_id})[
        "actionExecutionDetails"] if d["actionName"] == "SourceZip"]
    assert detail["status"] == "Succeeded"
    assert detail["input"]["actionTypeId"]["provider"] == "S3"
    assert detail["input"]["configuration"]["S3Bucket"] == SOURCE_BUCKET
    (artifact,) = detail["output"]["outputArtifacts"]
    assert artifact["name"] == "SourceArtifact"
    assert artifact["s3location"]["bucket"] == STORE
    assert re.fullmatch(r"model-deploy-pipelin/SourceArti/[A-Za-z0-9]{7}", artifact["s3location"]["key"])
    stored = boto3.client("s3").get_object(Bucket=STORE, Key=artifact["s3location"]["key"])["Body"].read()
    assert zipfile.ZipFile(io.BytesIO(stored)).read("template.yml") == FILES["template.yml"].encode()
    assert detail["output"]["executionResult"]["externalExecutionId"] == version
    assert summary["pipelineExecutionId"] == execution_id
    listed = cp.list_pipeline_executions(pipelineName="model-deploy-pipeline-for-credit")[
        "pipelineExecutionSummaries"][0]
    assert listed["sourceRevisions"] == [{"actionName": "SourceZip", "revisionId": version}]
    described = execution("model-deploy-pipeline-for-credit", execution_id)
    assert described["status"] == "InProgress"
    assert described["trigger"]["triggerType"] == "CreatePipeline"
    assert [(r["name"], r["revisionId"]) for r in described["artifactRevisions"]] == [("SourceArtifact", version)]


def test_an_approval_waits_with_a_token_until_approved_then_the_execution_succeeds(cp):
    upload_source(FILES)
    execution_id = create_pipeline("deploy", source_stage(), approval_stage())
    token = wait_for_token("deploy")
    state = cp.get_pipeline_state(name="deploy")["stageStates"][1]
    assert state["latestExecution"] == {"pipelineExecutionId": execution_id, "status": "InProgress",
                                        "type": "STANDARD"}
    assert state["actionStates"][0]["latestExecution"]["status"] == "InProgress"

    approved = cp.put_approval_result(pipelineName="deploy", stageName="Approve", actionName="ManualApproval",
                                      result={"summary": "Staging looks good", "status": "Approved"}, token=token)

    assert "approvedAt" in approved
    assert wait_for_execution("deploy", execution_id)["status"] == "Succeeded"
    latest = action_state("deploy", "Approve", "ManualApproval")
    assert latest["status"] == "Succeeded"
    assert latest["summary"] == "Staging looks good"
    assert "token" not in latest
    with pytest.raises(ClientError) as again:
        cp.put_approval_result(pipelineName="deploy", stageName="Approve", actionName="ManualApproval",
                               result={"summary": "twice", "status": "Approved"}, token=token)
    assert again.value.response["Error"]["Code"] == "ApprovalAlreadyCompletedException"


def test_a_rejection_fails_the_action_the_stage_and_the_execution(cp):
    upload_source(FILES)
    execution_id = create_pipeline("deploy", source_stage(), approval_stage())
    token = wait_for_token("deploy")

    cp.put_approval_result(pipelineName="deploy", stageName="Approve", actionName="ManualApproval",
                           result={"summary": "AUC too low", "status": "Rejected"}, token=token)

    assert wait_for_execution("deploy", execution_id)["status"] == "Failed"
    stage = cp.get_pipeline_state(name="deploy")["stageStates"][1]
    assert stage["latestExecution"]["status"] == "Failed"
    latest = stage["actionStates"][0]["latestExecution"]
    assert latest["status"] == "Failed"
    assert latest["summary"] == "AUC too low"
    assert latest["errorDetails"]["message"] == "Rejected: AUC too low"


@pytest.mark.parametrize(("change", "code"), [
    ({"token": "not-the-token"}, "InvalidApprovalTokenException"),
    ({"stageName": "Prod"}, "StageNotFoundException"),
    ({"actionName": "Other"}, "ActionNotFoundException"),
    ({"pipelineName": "missing"}, "PipelineNotFoundException"),
])
def test_approval_results_for_the_wrong_token_stage_action_or_pipeline_are_refused(cp, change, code):
    upload_source(FILES)
    create_pipeline("deploy", source_stage(), approval_stage())
    request = {"pipelineName": "deploy", "stageName": "Approve", "actionName": "ManualApproval",
               "result": {"summary": "ok", "status": "Approved"}, "token": wait_for_token("deploy"), **change}

    with pytest.raises(ClientError) as error:
        cp.put_approval_result(**request)

    assert error.value.response["Error"]["Code"] == code


def test_a_missing_source_object_fails_the_source_action_with_its_location(cp):
    boto3.client("s3").create_bucket(Bucket=SOURCE_BUCKET)
    boto3.client("s3").create_bucket(Bucket=STORE)
    execution_id = create_pipeline("deploy", source_stage(), approval_stage())

    assert wait_for_execution("deploy", execution_id)["status"] == "Failed"
    latest = action_state("deploy", "Source", "SourceZip")
    assert latest["status"] == "Failed"
    assert "s3://learner-sources/modeldeploy/source.zip" in latest["errorDetails"]["message"]
    assert "latestExecution" not in cp.get_pipeline_state(name="deploy")["stageStates"][1]


def test_an_action_type_the_local_backend_does_not_run_fails_with_a_clear_message(cp):
    upload_source(FILES)
    lambda_stage = {"name": "Invoke", "actions": [{
        "name": "CallLambda", "actionTypeId": {"category": "Invoke", "owner": "AWS", "provider": "Lambda",
                                               "version": "1"},
        "configuration": {"FunctionName": "f"}}]}
    execution_id = create_pipeline("deploy", source_stage(), lambda_stage)

    assert wait_for_execution("deploy", execution_id)["status"] == "Failed"
    message = action_state("deploy", "Invoke", "CallLambda")["errorDetails"]["message"]
    assert message.startswith("The local backend does not run Invoke/AWS/Lambda actions")


def test_stopping_with_abandon_abandons_the_waiting_approval(cp):
    upload_source(FILES)
    execution_id = create_pipeline("deploy", source_stage(), approval_stage())
    wait_for_token("deploy")

    cp.stop_pipeline_execution(pipelineName="deploy", pipelineExecutionId=execution_id, abandon=True,
                               reason="wrong package")

    assert wait_for_execution("deploy", execution_id)["status"] == "Stopped"
    assert action_state("deploy", "Approve", "ManualApproval")["status"] == "Abandoned"
    with pytest.raises(ClientError) as error:
        cp.stop_pipeline_execution(pipelineName="deploy", pipelineExecutionId=execution_id)
    assert error.value.response["Error"]["Code"] == "PipelineExecutionNotStoppableException"


def test_a_newer_execution_supersedes_an_older_one_waiting_for_a_busy_stage(cp):
    upload_source(FILES)
    first = create_pipeline("deploy", source_stage(), approval_stage())
    first_token = wait_for_token("deploy")
    second = cp.start_pipeline_execution(name="deploy")["pipelineExecutionId"]
    wait_until(lambda: {"status": [d["status"] for d in cp.list_action_executions(
        pipelineName="deploy", filter={"pipelineExecutionId": second})["actionExecutionDetails"]]},
        "status", lambda s: s == ["Succeeded"], 10, "the second execution's source")
    third = cp.start_pipeline_execution(name="deploy", clientRequestToken="retry-1")["pipelineExecutionId"]
    assert cp.start_pipeline_execution(name="deploy", clientRequestToken="retry-1")["pipelineExecutionId"] == third

    assert wait_for_execution("deploy", second)["status"] == "Superseded"
    assert action_state("deploy", "Approve", "ManualApproval")["token"] == first_token  # not interleaved
    cp.put_approval_result(pipelineName="deploy", stageName="Approve", actionName="ManualApproval",
                           result={"summary": "ok", "status": "Approved"}, token=first_token)
    assert wait_for_execution("deploy", first)["status"] == "Succeeded"
    third_token = wait_for_token("deploy")
    assert third_token != first_token
    assert cp.get_pipeline_state(name="deploy")["stageStates"][1]["latestExecution"]["pipelineExecutionId"] == third
    statuses = {s["pipelineExecutionId"]: s["status"] for s in
                cp.list_pipeline_executions(pipelineName="deploy")["pipelineExecutionSummaries"]}
    assert statuses == {first: "Succeeded", second: "Superseded", third: "InProgress"}


def test_unknown_pipelines_and_executions_are_api_errors(cp):
    with pytest.raises(ClientError) as state:
        cp.get_pipeline_state(name="missing")
    assert state.value.response["Error"]["Code"] == "PipelineNotFoundException"
    upload_source(FILES)
    create_pipeline("deploy", source_stage(), approval_stage())
    with pytest.raises(ClientError) as listing:
        cp.list_action_executions(pipelineName="deploy", filter={"pipelineExecutionId": "0" * 36})
    assert listing.value.response["Error"]["Code"] == "PipelineExecutionNotFoundException"
