"""A SageMaker Project's CI/CD resources in one call, the same on both backends.

``create_project(session, "credit-mlops")`` makes what the SageMaker Project template "MLOps
template for model building, training, and deployment" makes, with the template's names:

- the artifact bucket ``sagemaker-project-<project id>`` (versioned, sending its events to
  EventBridge), where each repository's source is a zip (``<repository>/source.zip``);
- three CodeBuild projects (modelbuild, modeldeploy, and the staging test) with the
  variables the template passes (SAGEMAKER_PROJECT_NAME, SAGEMAKER_PROJECT_ID,
  ARTIFACT_BUCKET, SAGEMAKER_PIPELINE_ROLE_ARN, MODEL_EXECUTION_ROLE_ARN, ...);
- two CodePipelines: modelbuild (source -> build) and modeldeploy (source -> build ->
  staging: deploy, test, manual approval -> prod);
- EventBridge rules: a new source zip starts its pipeline (what a git push does with the
  template's CodeCommit repositories), and approving or rejecting a model version of the
  project's group starts the deploy pipeline;
- the roles the services run as.

One difference from the template, said in the book: the repositories are S3 zips, not
CodeCommit (closed to new AWS accounts since July 2024), so the same project runs on a
fresh account and offline. Every call is idempotent: running it again finds what exists.
"""

import json
import re
import secrets
import string
from dataclasses import dataclass

from botocore.exceptions import ClientError

PROJECT_NAME_PATTERN = "^[a-zA-Z](-*[a-zA-Z0-9]){0,31}$"
REPOSITORIES = ("modelbuild", "modeldeploy")
SOURCE_OBJECT = "source.zip"
EXPORT_TEMPLATE_NAME = "template-export.yml"
EXPORT_STAGING_CONFIG = "staging-config-export.json"
EXPORT_PROD_CONFIG = "prod-config-export.json"
EXPORT_TEST_RESULTS = "test-results.json"
PROJECT_ID_TAG = "sagemaker:project-id"
PROJECT_NAME_TAG = "sagemaker:project-name"
BUILD_IMAGE = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
SERVICES = {  # role name suffix -> the service that assumes it
    "codebuild": "codebuild.amazonaws.com",
    "codepipeline": "codepipeline.amazonaws.com",
    "cloudformation": "cloudformation.amazonaws.com",
    "events": "events.amazonaws.com",
}


class ProjectError(ValueError):
    """The project cannot be created as asked; the message says what to change."""


@dataclass(frozen=True)
class Project:
    """Names of everything a project owns (the template's naming)."""

    name: str
    project_id: str
    region: str
    account: str

    @property
    def name_id(self) -> str:
        return f"{self.name}-{self.project_id}"

    @property
    def bucket(self) -> str:
        return f"sagemaker-project-{self.project_id}"

    @property
    def model_package_group(self) -> str:
        return self.name_id

    def pipeline(self, repository: str) -> str:
        """The CodePipeline (and CodeBuild project) of a repository: modelbuild or modeldeploy."""
        return f"sagemaker-{self.name_id}-{repository}"

    @property
    def test_project(self) -> str:
        return f"sagemaker-{self.name_id}-testing"

    def stack(self, stage: str) -> str:
        return f"sagemaker-{self.name_id}-deploy-{stage}"

    def endpoint(self, stage: str) -> str:
        return f"{self.name}-{stage}"

    def source_key(self, repository: str) -> str:
        return f"{repository}/{SOURCE_OBJECT}"

    def source_uri(self, repository: str) -> str:
        return f"s3://{self.bucket}/{self.source_key(repository)}"

    def role_arn(self, service: str) -> str:
        return f"arn:aws:iam::{self.account}:role/{self.role_name(service)}"

    def role_name(self, service: str) -> str:
        return f"sagemaker-{self.name_id}-{service}"[:64]

    @property
    def tags(self) -> list[dict]:
        return [{"Key": PROJECT_NAME_TAG, "Value": self.name}, {"Key": PROJECT_ID_TAG, "Value": self.project_id}]

    def summary(self) -> dict:
        """What a learner needs to find the project's parts, printed by the lab."""
        return {
            "project": self.name, "project id": self.project_id, "artifact bucket": self.bucket,
            "model package group": self.model_package_group,
            **{f"{repository} pipeline": self.pipeline(repository) for repository in REPOSITORIES},
            **{f"{repository} source": self.source_uri(repository) for repository in REPOSITORIES},
            "endpoints": f"{self.endpoint('staging')}, {self.endpoint('prod')}",
        }


def new_project_id() -> str:
    """A SageMaker project id: ``p-`` and 12 lowercase letters or digits."""
    alphabet = string.ascii_lowercase + string.digits
    return "p-" + "".join(secrets.choice(alphabet) for _ in range(12))


def create_project(session, name: str, *, project_id: str | None = None) -> Project:
    """Create (or find) the project ``name`` and all its CI/CD resources; return their names."""
    if not re.fullmatch(PROJECT_NAME_PATTERN, name):
        raise ProjectError(
            f"{name!r} is not a valid SageMaker project name: use 1 to 32 letters, digits and hyphens, "
            "starting with a letter, with no hyphen at the end (for example 'credit-mlops')."
        )
    account = session.client("sts").get_caller_identity()["Account"]
    project = Project(name, project_id or _existing_project_id(session, name) or new_project_id(),
                      session.region, account)
    _create_roles(session, project)
    _create_bucket(session, project)
    _create_build_projects(session, project, pipeline_role=session.role_arn)
    _create_pipelines(session, project)
    _create_rules(session, project)
    return project


def _existing_project_id(session, name: str) -> str | None:
    """The id of an earlier ``create_project`` of this name, read from its modelbuild CodeBuild project's tags."""
    codebuild = session.client("codebuild")
    prefix = f"sagemaker-{name}-p-"
    for project_name in codebuild.list_projects().get("projects", []):
        if project_name.startswith(prefix) and project_name.endswith("-modelbuild"):
            return project_name.removeprefix(f"sagemaker-{name}-").removesuffix("-modelbuild")
    return None


def _create_roles(session, project: Project) -> None:
    iam = session.client("iam")
    for service, principal in SERVICES.items():
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}]}
        try:
            iam.create_role(RoleName=project.role_name(service), AssumeRolePolicyDocument=json.dumps(trust),
                            Description=f"The {service} role of SageMaker project {project.name}", Tags=project.tags)
        except ClientError as error:
            if error.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
        iam.put_role_policy(RoleName=project.role_name(service), PolicyName="project-resources",
                            PolicyDocument=json.dumps(_role_policy(project)))


def _role_policy(project: Project) -> dict:
    """What the project's services may do: its own bucket, SageMaker, its pipelines, builds and stacks."""
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{project.bucket}", f"arn:aws:s3:::{project.bucket}/*"]},
        {"Effect": "Allow", "Action": ["sagemaker:*", "codebuild:*", "codepipeline:*", "cloudformation:*",
                                       "logs:*", "events:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
    ]}


def _create_bucket(session, project: Project) -> None:
    s3 = session.s3
    try:
        if project.region == "us-east-1":
            s3.create_bucket(Bucket=project.bucket)
        else:
            s3.create_bucket(Bucket=project.bucket,
                             CreateBucketConfiguration={"LocationConstraint": project.region})
    except ClientError as error:
        if error.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
            raise
    s3.put_bucket_versioning(Bucket=project.bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(Bucket=project.bucket,
                                             NotificationConfiguration={"EventBridgeConfiguration": {}})
    workshop_tags = [{"Key": key, "Value": value} for key, value in session.tags.items()]
    s3.put_bucket_tagging(Bucket=project.bucket, Tagging={"TagSet": project.tags + workshop_tags})


def _variables(values: dict) -> list[dict]:
    return [{"name": name, "value": value, "type": "PLAINTEXT"} for name, value in values.items()]


def _create_build_projects(session, project: Project, pipeline_role: str) -> None:
    common = {"SAGEMAKER_PROJECT_NAME": project.name, "SAGEMAKER_PROJECT_ID": project.project_id,
              "ARTIFACT_BUCKET": project.bucket, "AWS_REGION": project.region}
    wait_delay = {"PIPELINE_WAIT_DELAY": "2"} if session.backend == "local" else {}
    builds = {
        project.pipeline("modelbuild"): ("codebuild-buildspec.yml", {
            **common, "SAGEMAKER_PIPELINE_ROLE_ARN": pipeline_role, **wait_delay}),
        project.pipeline("modeldeploy"): ("buildspec.yml", {
            **common, "MODEL_EXECUTION_ROLE_ARN": pipeline_role,
            "SOURCE_MODEL_PACKAGE_GROUP_NAME": project.model_package_group,
            "EXPORT_TEMPLATE_NAME": EXPORT_TEMPLATE_NAME, "EXPORT_TEMPLATE_STAGING_CONFIG": EXPORT_STAGING_CONFIG,
            "EXPORT_TEMPLATE_PROD_CONFIG": EXPORT_PROD_CONFIG}),
        project.test_project: ("test/buildspec.yml", {**common, "EXPORT_TEST_RESULTS": EXPORT_TEST_RESULTS}),
    }
    codebuild = session.client("codebuild")
    existing = set(codebuild.list_projects().get("projects", []))
    for build_name, (buildspec, variables) in builds.items():
        if build_name in existing:
            continue
        codebuild.create_project(
            name=build_name, description=f"SageMaker project {project.name}: {buildspec}",
            source={"type": "CODEPIPELINE", "buildspec": buildspec}, artifacts={"type": "CODEPIPELINE"},
            environment={"type": "LINUX_CONTAINER", "image": BUILD_IMAGE, "computeType": "BUILD_GENERAL1_SMALL",
                         "environmentVariables": _variables(variables)},
            serviceRole=project.role_arn("codebuild"), timeoutInMinutes=60, tags=[
                {"key": tag["Key"], "value": tag["Value"]} for tag in project.tags])


def _source_stage(project: Project, repository: str) -> dict:
    return {"name": "Source", "actions": [{
        "name": f"{repository.title()}Source", "runOrder": 1,
        "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
        "configuration": {"S3Bucket": project.bucket, "S3ObjectKey": project.source_key(repository),
                          "PollForSourceChanges": "false"},
        "outputArtifacts": [{"name": "SourceArtifact"}]}]}


def _build_action(name: str, build_project: str, inputs: list[str], output: str | None, run_order: int = 1) -> dict:
    """A CodeBuild action; ``output`` names the artifact its buildspec's ``artifacts`` section uploads, if any."""
    configuration = {"ProjectName": build_project}
    if len(inputs) > 1:
        configuration["PrimarySource"] = inputs[0]
    return {"name": name, "runOrder": run_order,
            "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
            "configuration": configuration, "inputArtifacts": [{"name": item} for item in inputs],
            "outputArtifacts": [{"name": output}] if output else []}


def _deploy_action(project: Project, stage: str, config_file: str, run_order: int) -> dict:
    return {"name": f"DeployResources{stage.title()}", "runOrder": run_order,
            "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
            "configuration": {"ActionMode": "REPLACE_ON_FAILURE", "StackName": project.stack(stage),
                              "TemplatePath": f"BuildArtifact::{EXPORT_TEMPLATE_NAME}",
                              "TemplateConfiguration": f"BuildArtifact::{config_file}",
                              "RoleArn": project.role_arn("cloudformation"), "Capabilities": "CAPABILITY_NAMED_IAM"},
            "inputArtifacts": [{"name": "BuildArtifact"}]}


def pipeline_definitions(project: Project) -> dict[str, list[dict]]:
    approval = {"name": "ApproveDeployment", "runOrder": 3,
                "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"},
                "configuration": {"CustomData": f"Approve this model for production: endpoint "
                                                f"{project.endpoint('staging')} passed its test."}}
    return {
        "modelbuild": [_source_stage(project, "modelbuild"), {"name": "Build", "actions": [
            _build_action("BuildAndRunSageMakerPipeline", project.pipeline("modelbuild"), ["SourceArtifact"],
                          None)]}],  # the build runs the SageMaker Pipeline; its buildspec uploads nothing
        "modeldeploy": [
            _source_stage(project, "modeldeploy"),
            {"name": "Build", "actions": [
                _build_action("BuildDeploymentTemplates", project.pipeline("modeldeploy"), ["SourceArtifact"],
                              "BuildArtifact")]},
            {"name": "DeployStaging", "actions": [
                _deploy_action(project, "staging", EXPORT_STAGING_CONFIG, 1),
                _build_action("TestStaging", project.test_project, ["SourceArtifact", "BuildArtifact"],
                              "TestArtifact", run_order=2),
                approval]},
            {"name": "DeployProd", "actions": [_deploy_action(project, "prod", EXPORT_PROD_CONFIG, 1)]},
        ],
    }


def _create_pipelines(session, project: Project) -> None:
    codepipeline = session.client("codepipeline")
    existing = {item["name"] for item in codepipeline.list_pipelines().get("pipelines", [])}
    for repository, stages in pipeline_definitions(project).items():
        if project.pipeline(repository) in existing:
            continue
        codepipeline.create_pipeline(pipeline={
            "name": project.pipeline(repository), "roleArn": project.role_arn("codepipeline"),
            "artifactStore": {"type": "S3", "location": project.bucket}, "stages": stages, "version": 1,
        }, tags=[{"key": tag["Key"], "value": tag["Value"]} for tag in project.tags])


def _pipeline_arn(project: Project, repository: str) -> str:
    return f"arn:aws:codepipeline:{project.region}:{project.account}:{project.pipeline(repository)}"


def _rules(project: Project) -> dict[str, tuple[dict, str]]:
    """Rule name -> (event pattern, the pipeline it starts)."""
    rules = {f"sagemaker-{project.name_id}-model": ({
        "source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"],
        "detail": {"ModelPackageGroupName": [project.model_package_group],
                   "ModelApprovalStatus": ["Approved", "Rejected"]}}, "modeldeploy")}
    for repository in REPOSITORIES:
        rules[f"sagemaker-{project.name_id}-{repository}-code"] = ({
            "source": ["aws.s3"], "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [project.bucket]}, "object": {"key": [project.source_key(repository)]}}},
            repository)
    return rules


def _create_rules(session, project: Project) -> None:
    events = session.events
    for rule_name, (pattern, repository) in _rules(project).items():
        events.put_rule(Name=rule_name, EventPattern=json.dumps(pattern), State="ENABLED", Tags=project.tags,
                        Description=f"Starts {project.pipeline(repository)}")
        events.put_targets(Rule=rule_name, Targets=[{
            "Id": project.pipeline(repository)[:64], "Arn": _pipeline_arn(project, repository),
            "RoleArn": project.role_arn("events")}])
