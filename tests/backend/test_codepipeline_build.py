"""Build / AWS / CodeBuild actions start a real build on the input artifact and keep its output zip.

These need CodeBuild builds that really run buildspecs (shared/mlops_kit/local/codebuild/);
against moto's metadata-only CodeBuild they fail, as they should.
"""

import io
import json
import zipfile

import boto3
import pytest

from codepipeline_helpers import (SOURCE_BUCKET, SOURCE_KEY, STORE, action_state, create_pipeline, role_arn, source_stage, upload_source,
                                  wait_for_execution)

BUILDSPEC = """\
version: 0.2
phases:
  build:
    commands:
      - mkdir -p out
      - echo "stage=$STAGE" > out/result.txt
artifacts:
  files:
    - out/result.txt
"""
FAILING_BUILDSPEC = """\
version: 0.2
phases:
  build:
    commands:
      - exit 3
"""


def build_stage() -> dict:
    return {"name": "Build", "actions": [{
        "name": "BuildAndPackage",
        "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
        "configuration": {"ProjectName": "credit-modeldeploy",
                          "EnvironmentVariables": json.dumps([{"name": "STAGE", "value": "staging",
                                                               "type": "PLAINTEXT"}])},
        "inputArtifacts": [{"name": "SourceArtifact"}], "outputArtifacts": [{"name": "BuildArtifact"}]}]}


@pytest.fixture
def project():
    boto3.client("codebuild").create_project(
        name="credit-modeldeploy",
        source={"type": "S3", "location": f"{SOURCE_BUCKET}/{SOURCE_KEY}", "buildspec": "buildspec.yml"},
        artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role_arn(),
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
                     "computeType": "BUILD_GENERAL1_SMALL"})


def test_a_build_action_runs_the_buildspec_and_stores_its_artifacts_as_the_output_zip(project):
    upload_source({"buildspec.yml": BUILDSPEC})
    execution_id = create_pipeline("credit-modeldeploy", source_stage(), build_stage())

    assert wait_for_execution("credit-modeldeploy", execution_id, timeout=30)["status"] == "Succeeded"
    cp = boto3.client("codepipeline")
    (detail,) = [d for d in cp.list_action_executions(pipelineName="credit-modeldeploy")["actionExecutionDetails"]
                 if d["actionName"] == "BuildAndPackage"]
    build_id = detail["output"]["executionResult"]["externalExecutionId"]
    assert build_id.startswith("credit-modeldeploy:")
    (artifact,) = detail["output"]["outputArtifacts"]
    assert artifact["s3location"]["key"].startswith("credit-modeldeploy/BuildArtif/")
    stored = boto3.client("s3").get_object(Bucket=STORE, Key=artifact["s3location"]["key"])["Body"].read()
    assert zipfile.ZipFile(io.BytesIO(stored)).read("out/result.txt") == b"stage=staging\n"
    build = boto3.client("codebuild").batch_get_builds(ids=[build_id])["builds"][0]
    assert build["source"]["location"] == "{}/{}".format(*detail["input"]["inputArtifacts"][0]["s3location"].values())


def test_a_failed_build_fails_the_action_with_the_failed_phase(project):
    upload_source({"buildspec.yml": FAILING_BUILDSPEC})
    execution_id = create_pipeline("credit-modeldeploy", source_stage(), build_stage())

    assert wait_for_execution("credit-modeldeploy", execution_id, timeout=30)["status"] == "Failed"
    message = action_state("credit-modeldeploy", "Build", "BuildAndPackage")["errorDetails"]["message"]
    assert message.startswith("Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR, "
                              "Message: Error while executing command: exit 3. Reason: exit status 3")


def test_a_build_action_for_a_missing_project_fails_with_codebuilds_message():
    upload_source({"buildspec.yml": BUILDSPEC})
    execution_id = create_pipeline("credit-modeldeploy", source_stage(), build_stage())

    assert wait_for_execution("credit-modeldeploy", execution_id)["status"] == "Failed"
    message = action_state("credit-modeldeploy", "Build", "BuildAndPackage")["errorDetails"]["message"]
    assert "credit-modeldeploy" in message
