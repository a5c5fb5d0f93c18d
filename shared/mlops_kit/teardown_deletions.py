"""Deleting (or, for runs, stopping) one found resource and waiting until it is gone.

Endpoints and stacks take minutes to go on AWS; a stopped run ends a little later. A
resource already gone counts as not deleted, so the teardown is safe to repeat.
"""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from mlops_kit.teardown_finder import Resource

MISSING = ("ResourceNotFound", "ValidationException", "ValidationError", "NoSuchEntity", "NoSuchBucket",
           "PipelineNotFoundException", "ResourceNotFoundException")
STOPPED_KINDS = ("codepipeline-run", "codebuild-run")  # stopped, not deleted: AWS keeps their records


def delete(session, resource: Resource, wait_seconds: float) -> bool:
    """Delete one resource and wait until it is gone; False when it was already gone."""
    sm = session.client("sagemaker")
    actions = {
        "codepipeline-run": lambda: _stop_execution(session, *resource.name.split("/", 1)),
        "codebuild-run": lambda: session.client("codebuild").stop_build(id=resource.name),
        "monitoring-schedule": lambda: sm.delete_monitoring_schedule(MonitoringScheduleName=resource.name),
        "data-quality-job-definition": lambda: sm.delete_data_quality_job_definition(
            JobDefinitionName=resource.name),
        "endpoint": lambda: sm.delete_endpoint(EndpointName=resource.name),
        "endpoint-config": lambda: sm.delete_endpoint_config(EndpointConfigName=resource.name),
        "model": lambda: sm.delete_model(ModelName=resource.name),
        "pipeline": lambda: sm.delete_pipeline(PipelineName=resource.name),
        "model-package": lambda: sm.delete_model_package(ModelPackageName=resource.arn),
        "model-package-group": lambda: sm.delete_model_package_group(ModelPackageGroupName=resource.name),
        "stack": lambda: session.client("cloudformation").delete_stack(StackName=resource.name),
        "alarm": lambda: session.client("cloudwatch").delete_alarms(AlarmNames=[resource.name]),
        "rule": lambda: _delete_rule(session, resource.name),
        "codepipeline": lambda: session.client("codepipeline").delete_pipeline(name=resource.name),
        "codebuild-project": lambda: session.client("codebuild").delete_project(name=resource.name),
        "project-bucket": lambda: _delete_bucket(session, resource.name),
        "iam-role": lambda: _delete_role(session, resource.name),
        "s3-prefix": lambda: _delete_prefix(session, session.bucket, resource.arn),
    }
    try:
        actions[resource.kind]()
    except ClientError as error:
        if error.response["Error"].get("Code") in MISSING and "not" in str(error).lower():
            return False
        raise
    _wait_until_gone(session, resource, wait_seconds)
    return True


def _stop_execution(session, pipeline: str, execution_id: str) -> None:
    """Stop and abandon: its running build is stopped next, its waiting approval is dropped."""
    try:
        session.client("codepipeline").stop_pipeline_execution(
            pipelineName=pipeline, pipelineExecutionId=execution_id, abandon=True, reason="workshop teardown")
    except ClientError as error:  # it ended, or is being stopped, since it was listed
        if error.response["Error"]["Code"] not in ("PipelineExecutionNotStoppableException",
                                                   "DuplicatedStopRequestException"):
            raise


def _delete_rule(session, name: str) -> None:
    events = session.client("events")
    targets = [target["Id"] for target in events.list_targets_by_rule(Rule=name).get("Targets", [])]
    if targets:
        events.remove_targets(Rule=name, Ids=targets)
    events.delete_rule(Name=name)


def _delete_bucket(session, bucket: str) -> None:
    _delete_prefix(session, bucket, "")
    session.client("s3").delete_bucket(Bucket=bucket)


def _delete_role(session, name: str) -> None:
    iam = session.client("iam")
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=name)


def _delete_prefix(session, bucket: str, prefix: str) -> None:
    s3 = session.client("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"], "VersionId": item["VersionId"]}
                for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start:start + 1000], "Quiet": True})


def _wait_until_gone(session, resource: Resource, wait_seconds: float) -> None:
    """Endpoints and stacks take minutes to go on AWS: wait for the ones that do."""
    waits = {"endpoint": ("sagemaker", "endpoint_deleted", {"EndpointName": resource.name}),
             "stack": ("cloudformation", "stack_delete_complete", {"StackName": resource.name})}
    if resource.kind in waits:
        service, waiter, arguments = waits[resource.kind]
        delay = 1 if session.backend == "local" else 15
        session.client(service).get_waiter(waiter).wait(
            **arguments, WaiterConfig={"Delay": delay, "MaxAttempts": max(int(wait_seconds / delay), 1)})
    elif resource.kind in ("monitoring-schedule", "codepipeline-run", "codebuild-run"):
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline and _still_there(session, resource):
            time.sleep(1 if session.backend == "local" else 10)


def _still_there(session, resource: Resource) -> bool:
    """A schedule not yet deleted; a run still in progress (or stopping)."""
    try:
        if resource.kind == "monitoring-schedule":
            session.client("sagemaker").describe_monitoring_schedule(MonitoringScheduleName=resource.name)
            return True
        if resource.kind == "codebuild-run":
            return not session.client("codebuild").batch_get_builds(ids=[resource.name])["builds"][0]["buildComplete"]
        pipeline, execution_id = resource.name.split("/", 1)
        execution = session.client("codepipeline").get_pipeline_execution(
            pipelineName=pipeline, pipelineExecutionId=execution_id)["pipelineExecution"]
        return execution["status"] in ("InProgress", "Stopping")
    except (ClientError, IndexError):
        return False
