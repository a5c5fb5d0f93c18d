"""What a solution notebook made on its local server, listed independently of the teardown's
finder, with the tags each resource carries: the nbval run of solutions/ checks (conftest.py)
that everything a lab made carries the workshop's tags just before its teardown cell, and
that nothing of it is left just after."""

import functools

import boto3

from mlops_kit.local.server import detached
from mlops_kit.sagemaker_project import PROJECT_ID_TAG
from mlops_kit.session import LOCAL_ROLE_NAME
from mlops_kit.workshop_tags import LAB_TAG, as_dict, workshop_tags

SAGEMAKER_KINDS = {  # kind: (list operation, list key, ARN key)
    "model": ("list_models", "Models", "ModelArn"),
    "endpoint-config": ("list_endpoint_configs", "EndpointConfigs", "EndpointConfigArn"),
    "endpoint": ("list_endpoints", "Endpoints", "EndpointArn"),
    "pipeline": ("list_pipelines", "PipelineSummaries", "PipelineArn"),
    "monitoring-schedule": ("list_monitoring_schedules", "MonitoringScheduleSummaries", "MonitoringScheduleArn"),
    "data-quality-job-definition": ("list_data_quality_job_definitions", "JobDefinitionSummaries",
                                    "MonitoringJobDefinitionArn"),
}


def clients() -> dict | None:
    """Clients of the server the notebooks of this test process use; None when none runs yet."""
    running = detached.status()
    return None if running is None else _clients_of(running.url)


@functools.cache
def _clients_of(url: str) -> dict:
    """Made once per server: the audit lists after every cell of every solution."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    return {name: session.client(name, endpoint_url=url)
            for name in ("sagemaker", "cloudformation", "cloudwatch", "events", "codebuild", "codepipeline", "s3",
                         "iam", "sts")}


@functools.cache
def _session_bucket_of(url: str) -> str:
    """The SDK's default bucket, the labs' shared one (the teardown empties its lab prefixes)."""
    return f"sagemaker-us-east-1-{_clients_of(url)['sts'].get_caller_identity()['Account']}"


def resources() -> dict[str, dict[str, str]]:
    """Every resource the teardown is meant to delete, by ARN, with its tags (empty: no server)."""
    running = detached.status()
    if running is None:
        return {}
    aws, session_bucket = _clients_of(running.url), _session_bucket_of(running.url)
    sm, found = aws["sagemaker"], {}
    for operation, key, arn_key in SAGEMAKER_KINDS.values():
        for item in getattr(sm, operation)()[key]:
            found[item[arn_key]] = as_dict(sm.list_tags(ResourceArn=item[arn_key]).get("Tags"))
    for stack in aws["cloudformation"].describe_stacks()["Stacks"]:
        found[stack["StackId"]] = as_dict(stack.get("Tags"))
    for alarm in aws["cloudwatch"].describe_alarms()["MetricAlarms"]:
        found[alarm["AlarmArn"]] = as_dict(aws["cloudwatch"].list_tags_for_resource(
            ResourceARN=alarm["AlarmArn"])["Tags"])
    for rule in aws["events"].list_rules()["Rules"]:
        found[rule["Arn"]] = as_dict(aws["events"].list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"])
    names = aws["codebuild"].list_projects()["projects"]
    for project in aws["codebuild"].batch_get_projects(names=names)["projects"] if names else []:
        found[project["arn"]] = as_dict(project.get("tags"))
    for item in aws["codepipeline"].list_pipelines()["pipelines"]:
        arn = aws["codepipeline"].get_pipeline(name=item["name"])["metadata"]["pipelineArn"]
        found[arn] = as_dict(aws["codepipeline"].list_tags_for_resource(resourceArn=arn)["tags"])
    for role in aws["iam"].list_roles()["Roles"]:
        if role["RoleName"] != LOCAL_ROLE_NAME:  # the local backend's own execution role, shared by the labs
            found[role["Arn"]] = as_dict(aws["iam"].list_role_tags(RoleName=role["RoleName"])["Tags"])
    for bucket in aws["s3"].list_buckets()["Buckets"]:
        if bucket["Name"] != session_bucket:
            found[f"arn:aws:s3:::{bucket['Name']}"] = _bucket_tags(aws["s3"], bucket["Name"])
    return found


def _bucket_tags(s3, bucket: str) -> dict[str, str]:
    try:
        return as_dict(s3.get_bucket_tagging(Bucket=bucket)["TagSet"])
    except s3.exceptions.ClientError:  # NoSuchTagSet
        return {}


def another_labs(tags: dict[str, str], lab: str | None) -> bool:
    """Made by another lab's work still running in the background: tagged for another lab, or
    made by a SageMaker project's builds (only lab 3 makes projects)."""
    return (tags.get(LAB_TAG) not in (None, lab)) or (lab != "lab3" and PROJECT_ID_TAG in tags)


def untagged(made: dict[str, dict[str, str]], lab: str) -> list[str]:
    """The ARNs among ``made`` that lack the workshop's tags for ``lab`` and this learner, and
    are not tagged with the id of a SageMaker project that carries them (lab 3's builds and
    CloudFormation tag what they make with the project's tags, as on AWS)."""
    wanted = workshop_tags(lab)

    def tagged(tags):
        return all(tags.get(key) == value for key, value in wanted.items())

    projects = {tags[PROJECT_ID_TAG] for tags in made.values() if tagged(tags) and PROJECT_ID_TAG in tags}
    return sorted(arn for arn, tags in made.items() if not tagged(tags) and tags.get(PROJECT_ID_TAG) not in projects)


def objects_under(prefix: str) -> list[str]:
    """Keys under ``prefix`` in every bucket of the server."""
    s3 = clients()["s3"]
    return [item["Key"] for bucket in s3.list_buckets()["Buckets"]
            for item in s3.list_objects_v2(Bucket=bucket["Name"], Prefix=prefix).get("Contents", [])]
