"""create_project: the SageMaker Project template's resources, made on the local server with boto3."""

import io
import json
import zipfile

import boto3
import pytest

from polling import wait_until

from mlops_kit.sagemaker_project import ProjectError, create_project
from mlops_kit.session import WorkshopSession

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


@pytest.fixture
def session(server_url):
    boto3.client("s3").create_bucket(Bucket="workshop")
    return WorkshopSession(backend="local", region="us-east-1", bucket="workshop", role_arn=ROLE,
                           sagemaker_session=None, boto_session=boto3.Session(), endpoint_url=server_url)


def test_the_project_has_the_templates_resources_and_names(session):
    project = create_project(session, "credit-mlops")

    assert project.project_id.startswith("p-") and len(project.project_id) == 14
    s3 = boto3.client("s3")
    assert s3.get_bucket_versioning(Bucket=project.bucket)["Status"] == "Enabled"
    builds = boto3.client("codebuild").batch_get_projects(names=[project.pipeline("modelbuild"),
                                                                 project.pipeline("modeldeploy"), project.test_project])
    variables = {build["name"]: {item["name"]: item["value"] for item in build["environment"]["environmentVariables"]}
                 for build in builds["projects"]}
    assert variables[project.pipeline("modelbuild")]["SAGEMAKER_PIPELINE_ROLE_ARN"] == ROLE
    assert variables[project.pipeline("modelbuild")]["ARTIFACT_BUCKET"] == project.bucket
    assert variables[project.pipeline("modeldeploy")]["SOURCE_MODEL_PACKAGE_GROUP_NAME"] == f"credit-mlops-{project.project_id}"
    deploy = boto3.client("codepipeline").get_pipeline(name=project.pipeline("modeldeploy"))["pipeline"]
    assert [stage["name"] for stage in deploy["stages"]] == ["Source", "Build", "DeployStaging", "DeployProd"]
    assert [action["name"] for action in deploy["stages"][2]["actions"]] == [
        "DeployResourcesStaging", "TestStaging", "ApproveDeployment"]
    events = boto3.client("events")
    rule = events.describe_rule(Name=f"sagemaker-credit-mlops-{project.project_id}-model")
    assert json.loads(rule["EventPattern"])["detail"]["ModelPackageGroupName"] == [project.model_package_group]
    targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert [target["Arn"] for target in targets] == [
        f"arn:aws:codepipeline:us-east-1:123456789012:{project.pipeline('modeldeploy')}"]


def test_the_bucket_carries_the_projects_and_the_workshops_tags(session):
    """PutBucketTagging replaces a bucket's tags: the workshop's are given with the project's."""
    session.tags = {"mlops-kit:workshop": "sagemaker-mlops", "mlops-kit:lab": "lab3"}
    project = create_project(session, "credit-mlops")

    tag_set = boto3.client("s3").get_bucket_tagging(Bucket=project.bucket)["TagSet"]

    assert {tag["Key"]: tag["Value"] for tag in tag_set} == {
        "sagemaker:project-name": "credit-mlops", "sagemaker:project-id": project.project_id,
        "mlops-kit:workshop": "sagemaker-mlops", "mlops-kit:lab": "lab3"}


def test_creating_it_again_finds_the_same_project(session):
    first = create_project(session, "credit-mlops")
    again = create_project(session, "credit-mlops")

    assert again == first
    assert len(boto3.client("codepipeline").list_pipelines()["pipelines"]) == 2


@pytest.mark.parametrize("name", ["1credit", "credit_mlops", "credit-", "x" * 33, ""])
def test_an_invalid_project_name_is_refused_before_anything_is_made(session, name):
    with pytest.raises(ProjectError, match="not a valid SageMaker project name"):
        create_project(session, name)
    assert boto3.client("codebuild").list_projects()["projects"] == []


def test_a_new_source_zip_starts_its_repositorys_pipeline(session):
    """The bucket sends its events to EventBridge (moto's GetBucketNotificationConfiguration omits it)."""
    project = create_project(session, "credit-mlops")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.md", "not a buildspec")
    boto3.client("s3").put_object(Bucket=project.bucket, Key=project.source_key("modelbuild"), Body=buffer.getvalue())
    codepipeline = boto3.client("codepipeline")

    def triggers(repository: str) -> list[str]:
        summaries = codepipeline.list_pipeline_executions(pipelineName=project.pipeline(repository))
        return sorted(e["trigger"]["triggerType"] for e in summaries["pipelineExecutionSummaries"])

    assert triggers("modelbuild") == ["CloudWatchEvent", "CreatePipeline"]  # a new pipeline also runs once
    assert triggers("modeldeploy") == ["CreatePipeline"]
    wait_until(lambda: codepipeline.list_pipeline_executions(pipelineName=project.pipeline("modelbuild"))
               ["pipelineExecutionSummaries"][0], "status", lambda status: status != "InProgress", 60,
               "the build pipeline's execution")
