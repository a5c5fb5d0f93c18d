"""The action types the local backend runs, chosen by (category, owner, provider) as on AWS.

Each runner gets the execution (its clients, artifacts, stop request) and the action's
record; it raises ``ActionFailed`` with the message CodePipeline would show. Anything the
local backend does not run fails with a message saying so.
"""

import json
import time
import uuid

from botocore.exceptions import ClientError

from . import deploy
from .artifacts import Artifact, ArtifactError, new_artifact
from .errors import ActionFailed

POLL_SECONDS = 0.1


def run(execution, action) -> None:
    declaration = action.declaration
    type_id = declaration["actionTypeId"]
    key = (type_id["category"], type_id["owner"], type_id["provider"])
    runner = RUNNERS.get(key)
    if runner is None:
        supported = ", ".join("/".join(k) for k in RUNNERS)
        raise ActionFailed(f"The local backend does not run {'/'.join(key)} actions "
                           f"(action {declaration['name']}); it runs {supported}.")
    action.input_artifacts = [_input(execution, item["name"]) for item in declaration.get("inputArtifacts", [])]
    try:
        runner(execution, action, declaration.get("configuration", {}))
    except ArtifactError as error:
        raise ActionFailed(str(error)) from None
    for artifact in action.output_artifacts:
        execution.artifacts[artifact.name] = artifact


def _input(execution, name: str) -> Artifact:
    artifact = execution.artifacts.get(name)
    if artifact is None:
        raise ActionFailed(f"Input artifact {name} was not produced by an earlier action of this execution")
    return artifact


def _required(configuration: dict, key: str, action) -> str:
    value = configuration.get(key)
    if not value:
        raise ActionFailed(f"Action {action.name} has no {key} in its configuration")
    return value


def _outputs(execution, action) -> list[Artifact]:
    store = execution.pipeline.get("artifactStore", {}).get("location")
    if not store:
        raise ActionFailed("The pipeline has no artifactStore location (an S3 bucket) for its artifacts")
    return [new_artifact(store, execution.pipeline["name"], item["name"])
            for item in action.declaration.get("outputArtifacts", [])]


def run_s3_source(execution, action, configuration: dict) -> None:
    """Copy the source zip into the artifact store; the object's version is the revision."""
    bucket = _required(configuration, "S3Bucket", action)
    key = _required(configuration, "S3ObjectKey", action)
    s3 = execution.client("s3")
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        raise ActionFailed(f"The object s3://{bucket}/{key} could not be read "
                           f"({error.response['Error'].get('Code')}); upload the source zip there") from None
    revision = head.get("VersionId") or head["ETag"].strip('"')
    source = {"Bucket": bucket, "Key": key, **({"VersionId": head["VersionId"]} if head.get("VersionId") else {})}
    action.output_artifacts = _outputs(execution, action)
    for artifact in action.output_artifacts:
        s3.copy_object(CopySource=source, Bucket=artifact.bucket, Key=artifact.key)
        execution.artifact_revisions.append({"name": artifact.name, "revisionId": revision,
                                             "created": head["LastModified"]})
    summary = head.get("Metadata", {}).get("codepipeline-artifact-revision-summary")
    execution.source_revisions.append({"actionName": action.name, "revisionId": revision,
                                       **({"revisionSummary": summary} if summary else {})})
    action.external_execution_id = revision
    action.summary = summary


def run_codebuild(execution, action, configuration: dict) -> None:
    """StartBuild on the primary input artifact's zip, the other inputs as secondary sources
    (``CODEBUILD_SRC_DIR_<artifact name>`` in the build); the build uploads the output zip."""
    project = _required(configuration, "ProjectName", action)
    primary = configuration.get("PrimarySource") or (action.input_artifacts[0].name if action.input_artifacts else None)
    source = next((a for a in action.input_artifacts if a.name == primary), None)
    if source is None:
        raise ActionFailed(f"Action {action.name} needs an input artifact (PrimarySource {primary})")
    action.output_artifacts = _outputs(execution, action)
    if action.output_artifacts:
        out = action.output_artifacts[0]
        path, name = out.key.rsplit("/", 1)
        artifacts = {"type": "S3", "location": out.bucket, "path": path, "name": name,
                     "packaging": "ZIP", "namespaceType": "NONE"}
    else:
        artifacts = {"type": "NO_ARTIFACTS"}
    codebuild = execution.client("codebuild")
    try:
        build = codebuild.start_build(
            projectName=project, sourceTypeOverride="S3",
            sourceLocationOverride=f"{source.bucket}/{source.key}", artifactsOverride=artifacts,
            secondarySourcesOverride=[{"type": "S3", "location": f"{a.bucket}/{a.key}", "sourceIdentifier": a.name}
                                      for a in action.input_artifacts if a is not source],
            environmentVariablesOverride=_environment_variables(configuration.get("EnvironmentVariables")),
        )["build"]
    except ClientError as error:
        raise ActionFailed(error.response["Error"].get("Message") or str(error)) from None
    action.external_execution_id = build["id"]
    while not build.get("buildComplete") and build.get("buildStatus", "IN_PROGRESS") == "IN_PROGRESS":
        if execution.should_stop():
            codebuild.stop_build(id=build["id"])
            return
        time.sleep(POLL_SECONDS)
        build = codebuild.batch_get_builds(ids=[build["id"]])["builds"][0]
    if build["buildStatus"] != "SUCCEEDED":
        raise ActionFailed(build_failure(build))
    for artifact in action.output_artifacts:  # never report an output that is not there
        try:
            execution.client("s3").head_object(Bucket=artifact.bucket, Key=artifact.key)
        except ClientError:
            raise ActionFailed(f"Build {build['id']} succeeded but uploaded no output artifact "
                               f"{artifact.name} to s3://{artifact.bucket}/{artifact.key}") from None


def _environment_variables(text: str | None) -> list[dict]:
    """CodePipeline's EnvironmentVariables: a JSON list of {name, value, type}."""
    if not text:
        return []
    try:
        variables = json.loads(text)
        return [{"name": v["name"], "value": v["value"], "type": v.get("type", "PLAINTEXT")} for v in variables]
    except (ValueError, TypeError, KeyError):
        raise ActionFailed('EnvironmentVariables must be a JSON list such as '
                           '[{"name":"STAGE","value":"staging","type":"PLAINTEXT"}]') from None


def build_failure(build: dict) -> str:
    """The message CodePipeline shows for a failed build: its state and failed phase."""
    message = f"Build terminated with state: {build['buildStatus']}"
    phase = next((p for p in build.get("phases", []) if p.get("phaseStatus") not in (None, "SUCCEEDED")), None)
    if phase:
        context = (phase.get("contexts") or [{}])[0]
        message += (f". Phase: {phase['phaseType']}, Code: {context.get('statusCode', phase['phaseStatus'])}, "
                    f"Message: {context.get('message', '')}")
    return message


def run_manual_approval(execution, action, configuration: dict) -> None:
    """Wait (InProgress, with a token) until PutApprovalResult or a stop."""
    action.approval_token = action.token = str(uuid.uuid4())
    action.approval.wait()
    result = action.approval_result
    if result is None:  # the execution was stopped
        action.finish("Abandoned")
        return
    action.updated_by = result["updatedBy"]
    if result["status"] == "Approved":
        action.finish("Succeeded", summary=result.get("summary"))
    else:
        action.finish("Failed", summary=result.get("summary"),
                      error=f"Rejected: {result.get('summary')}" if result.get("summary") else "Rejected")


RUNNERS = {
    ("Source", "AWS", "S3"): run_s3_source,
    ("Build", "AWS", "CodeBuild"): run_codebuild,
    ("Test", "AWS", "CodeBuild"): run_codebuild,
    ("Deploy", "AWS", "CloudFormation"): deploy.run_cloudformation,
    ("Approval", "AWS", "Manual"): run_manual_approval,
}
