"""Deleting what the workshop made, in dependency order, and proving nothing is left.

It finds the resources by the workshop's tags (``workshop_tags``: workshop, this learner's
id, optionally the lab): SageMaker's resources, rules and lab 3's CI/CD resources through
their own List and ListTags calls, stacks and alarms through the Resource Groups Tagging
API; plus what carries no tags of its own: the versions of a tagged model package group,
and the objects under the labs' S3 prefixes of the session's bucket. A SageMaker project
whose CodeBuild projects carry the workshop's tags is the workshop's, and so is everything
tagged with its ``sagemaker:project-id``: its builds and CloudFormation make the SageMaker
pipeline, the stacks and their endpoints outside the kernel, with the project's tags only,
as on AWS; its bucket and roles are found by their names. Nothing without the workshop's
tags and this learner's id is ever deleted. The same code runs on both backends.

Order: first the project's CodePipeline executions and CodeBuild builds still running are
stopped (a build left running would make its pipeline again after the teardown); a
monitoring schedule holds its endpoint, an endpoint its configuration, a
configuration its model; a group its versions; stacks own their endpoints (those are left
to the stack); a stack is deleted by its role. So: schedules and their job definitions,
endpoints, configurations, models, pipelines, package versions, groups, stacks, alarms and
rules, CI/CD pipelines and builds, project buckets and roles, then S3 prefixes.
Jobs, executions, experiments and build logs are records AWS keeps at no cost: they are not counted.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError
from tqdm.auto import tqdm

from mlops_kit.sagemaker_project import PROJECT_ID_TAG, PROJECT_NAME_TAG, SERVICES, Project
from mlops_kit.workshop_tags import LAB_TAG, SESSION_TAG, WORKSHOP, WORKSHOP_TAG, as_dict

LAB_PREFIXES = {"lab1": ("lab1/",), "lab2": ("lab2/",), "lab3": ("lab3/",), "lab4": ("lab4/",
                "prerequisites/")}
PROGRESS_BAR_FROM = 6
MISSING = ("ResourceNotFound", "ValidationException", "ValidationError", "NoSuchEntity", "NoSuchBucket",
           "PipelineNotFoundException", "ResourceNotFoundException")
STACK_OWNED_TAG = "aws:cloudformation:stack-id"  # CloudFormation's own tag on what a stack created
STOPPED_KINDS = ("codepipeline-run", "codebuild-run")  # stopped, not deleted: AWS keeps their records


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    arn: str = ""


@dataclass
class TeardownReport:
    deleted: list[Resource]
    left: list[tuple[Resource, str]]  # what is still there, and why

    def summary(self) -> str:
        """E.g. "Deleted 3: 1 model, 1 pipeline, 1 s3-prefix. 0 left." (kinds in deletion order), after
        "Stopped 1: 1 codebuild-run. " when runs were stopped."""
        stopped = [resource for resource in self.deleted if resource.kind in STOPPED_KINDS]
        deleted = [resource for resource in self.deleted if resource.kind not in STOPPED_KINDS]
        deleted = (_counted("Stopped", stopped) + " " if stopped else "") + _counted("Deleted", deleted)
        if not self.left:
            return f"{deleted} 0 left."
        reasons = "; ".join(f"{r.kind} {r.name}: {why}" for r, why in self.left)
        return f"{deleted} {len(self.left)} left: {reasons}"


def _counted(verb: str, resources: list[Resource]) -> str:
    kinds = ", ".join(f"{count} {kind}" for kind, count in Counter(r.kind for r in resources).items())
    return f"{verb} {len(resources)}" + (f": {kinds}." if kinds else ".")


def teardown(session, lab: str | None = None, dry_run: bool = False, wait_seconds: float = 600,
             echo: Callable[[str], None] = print, verbose: bool = False) -> TeardownReport:
    """Delete the workshop's resources of this learner (of ``lab`` only, when given), then look again.

    Prints one summary line (``verbose``: also a line per deletion, as the command does)."""
    finder = Finder(session, lab)
    found = finder.find()
    if dry_run:
        for resource in found:
            echo(f"would {'stop' if resource.kind in STOPPED_KINDS else 'delete'} {resource.kind} {resource.name}")
        echo(f"{len(found)} to delete (dry run: nothing deleted).")
        return TeardownReport([], [(resource, "dry run") for resource in found])
    deleted = []
    bar = tqdm(found, desc="teardown", unit="resource", disable=len(found) < PROGRESS_BAR_FROM)
    for resource in bar:
        if _delete(session, resource, wait_seconds):
            deleted.append(resource)
            if verbose:
                echo(f"{'stopped' if resource.kind in STOPPED_KINDS else 'deleted'} {resource.kind} {resource.name}")
    left = [(resource, "still there after its deletion (see the service's console)") for resource in finder.find()]
    report = TeardownReport(deleted, left)
    echo(report.summary())
    return report


class Finder:
    """Everything of the workshop's (this learner's, this lab's) that costs money or clutters, in deletion order."""

    def __init__(self, session, lab: str | None):
        self.session, self.lab = session, lab
        self.sm = session.client("sagemaker")
        self._projects: list[Project] | None = None

    def ours(self, tags: dict[str, str]) -> bool:
        return self.workshops(tags) or tags.get(PROJECT_ID_TAG) in {p.project_id for p in self.projects()}

    def workshops(self, tags: dict[str, str]) -> bool:
        return (tags.get(WORKSHOP_TAG) == WORKSHOP and tags.get(SESSION_TAG) == self.session.tags[SESSION_TAG]
                and (self.lab is None or tags.get(LAB_TAG) == self.lab))

    def projects(self) -> list[Project]:
        """The SageMaker projects whose CodeBuild projects carry the workshop's tags. Read once and
        kept, so that the second look after the deletions still knows the project's resources."""
        if self._projects is None:
            codebuild, found = self.session.client("codebuild"), {}
            names = codebuild.list_projects().get("projects", [])
            account = self.session.client("sts").get_caller_identity()["Account"]
            for build in codebuild.batch_get_projects(names=names).get("projects", []) if names else []:
                tags = as_dict(build.get("tags"))
                if self.workshops(tags) and tags.get(PROJECT_ID_TAG) and tags.get(PROJECT_NAME_TAG):
                    found[tags[PROJECT_ID_TAG]] = Project(tags[PROJECT_NAME_TAG], tags[PROJECT_ID_TAG],
                                                          self.session.region, account)
            self._projects = list(found.values())
        return self._projects

    def find(self) -> list[Resource]:
        groups = self.listed("model-package-group", "list_model_package_groups", "ModelPackageGroupSummaryList",
                             "ModelPackageGroupName", "ModelPackageGroupArn")
        pipelines = self.listed("pipeline", "list_pipelines", "PipelineSummaries", "PipelineName", "PipelineArn")
        groups += [group for group in self.registered_by(pipelines) if group.name not in {g.name for g in groups}]
        tagged, ci_cd = self.tagged_arns(), self.ci_cd()
        return [
            *self.running(ci_cd),
            *self.listed("monitoring-schedule", "list_monitoring_schedules", "MonitoringScheduleSummaries",
                         "MonitoringScheduleName", "MonitoringScheduleArn"),
            *self.listed("data-quality-job-definition", "list_data_quality_job_definitions",
                         "JobDefinitionSummaries", "MonitoringJobDefinitionName", "MonitoringJobDefinitionArn"),
            *self.listed("endpoint", "list_endpoints", "Endpoints", "EndpointName", "EndpointArn"),
            *self.listed("endpoint-config", "list_endpoint_configs", "EndpointConfigs", "EndpointConfigName",
                         "EndpointConfigArn"),
            *self.listed("model", "list_models", "Models", "ModelName", "ModelArn"),
            *pipelines,
            *self.versions(groups),
            *groups,
            *self.of_type(tagged, "stack", ":stack/"),
            *self.of_type(tagged, "alarm", ":alarm:"),
            *self.rules(),
            *ci_cd,
            *self.project_buckets(),
            *self.project_roles(),
            *self.objects(),
        ]

    def tagged_arns(self) -> list[str]:
        """Stacks and alarms, through the Resource Groups Tagging API (their ARNs keep their names):
        the workshop's, then the workshop's projects'."""
        filters = [{"Key": WORKSHOP_TAG, "Values": [WORKSHOP]},
                   {"Key": SESSION_TAG, "Values": [self.session.tags[SESSION_TAG]]}]
        if self.lab:
            filters.append({"Key": LAB_TAG, "Values": [self.lab]})
        searches = [filters] + [[{"Key": PROJECT_ID_TAG, "Values": [p.project_id]}] for p in self.projects()]
        tagging, arns = self.session.client("resourcegroupstaggingapi"), []
        for search in searches:
            for page in tagging.get_paginator("get_resources").paginate(TagFilters=search):
                arns += [item["ResourceARN"] for item in page["ResourceTagMappingList"]
                         if item["ResourceARN"] not in arns]
        return arns

    @staticmethod
    def of_type(arns: list[str], kind: str, marker: str) -> list[Resource]:
        return [Resource(kind, arn.split(marker, 1)[1].split("/")[0], arn) for arn in arns if marker in arn]

    def listed(self, kind, operation, key, name_key, arn_key) -> list[Resource]:
        """SageMaker resources, listed, then kept when their tags are ours and no stack owns them (names
        as given: SageMaker's ARNs are lower case)."""
        found = []
        for page in self.sm.get_paginator(operation).paginate():
            for item in page[key]:
                tags = as_dict(self.sm.list_tags(ResourceArn=item[arn_key]).get("Tags"))
                if self.ours(tags) and STACK_OWNED_TAG not in tags:
                    found.append(Resource(kind, item[name_key], item[arn_key]))
        return found

    def registered_by(self, pipelines: list[Resource]) -> list[Resource]:
        """The groups our pipelines' RegisterModel steps register into: the step creates a missing
        group itself, without the workshop's tags, so it is found by its name in the definition."""
        found = []
        for pipeline in pipelines:
            definition = json.loads(self.sm.describe_pipeline(PipelineName=pipeline.name)["PipelineDefinition"])
            for step in _all_steps(definition.get("Steps", [])):
                name = (step.get("Arguments") or {}).get("ModelPackageGroupName")
                if step.get("Type") == "RegisterModel" and isinstance(name, str):
                    try:
                        arn = self.sm.describe_model_package_group(ModelPackageGroupName=name)["ModelPackageGroupArn"]
                    except ClientError:
                        continue
                    found.append(Resource("model-package-group", name, arn))
        return found

    def versions(self, groups: list[Resource]) -> list[Resource]:
        """A group's versions carry no tags of their own (they take the group's)."""
        found = []
        for group in groups:
            for page in self.sm.get_paginator("list_model_packages").paginate(ModelPackageGroupName=group.name):
                found += [Resource("model-package", item["ModelPackageArn"].split("/", 1)[1], item["ModelPackageArn"])
                          for item in page["ModelPackageSummaryList"]]
        return found

    def rules(self) -> list[Resource]:
        """EventBridge rules of the default bus, listed, kept when their tags are ours."""
        events, found = self.session.client("events"), []
        for page in events.get_paginator("list_rules").paginate():
            for rule in page["Rules"]:
                if self.ours(as_dict(events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags"))):
                    found.append(Resource("rule", rule["Name"], rule["Arn"]))
        return found

    def ci_cd(self) -> list[Resource]:
        """Lab 3's CodePipelines and CodeBuild projects, kept when their tags are ours."""
        found = []
        codepipeline, codebuild = self.session.client("codepipeline"), self.session.client("codebuild")
        for item in codepipeline.list_pipelines().get("pipelines", []):
            arn = codepipeline.get_pipeline(name=item["name"])["metadata"]["pipelineArn"]
            if self.ours(as_dict(codepipeline.list_tags_for_resource(resourceArn=arn).get("tags"))):
                found.append(Resource("codepipeline", item["name"], arn))
        names = codebuild.list_projects().get("projects", [])
        for project in codebuild.batch_get_projects(names=names).get("projects", []) if names else []:
            if self.ours(as_dict(project.get("tags"))):
                found.append(Resource("codebuild-project", project["name"], project["arn"]))
        return found

    def running(self, ci_cd: list[Resource]) -> list[Resource]:
        """Executions of our CodePipelines and builds of our CodeBuild projects still in progress
        (a run is named ``<pipeline or project>/<id>``)."""
        codepipeline, codebuild, found = self.session.client("codepipeline"), self.session.client("codebuild"), []
        for resource in ci_cd:
            if resource.kind == "codepipeline":
                executions = codepipeline.list_pipeline_executions(pipelineName=resource.name)
                found += [Resource("codepipeline-run", f"{resource.name}/{item['pipelineExecutionId']}")
                          for item in executions["pipelineExecutionSummaries"] if item["status"] == "InProgress"]
            elif resource.kind == "codebuild-project":
                ids = codebuild.list_builds_for_project(projectName=resource.name)["ids"]
                builds = codebuild.batch_get_builds(ids=ids)["builds"] if ids else []
                found += [Resource("codebuild-run", build["id"], build["arn"])
                          for build in builds if build["buildStatus"] == "IN_PROGRESS"]
        return found

    def project_buckets(self) -> list[Resource]:
        """Each project's artifact bucket (sources, builds' artifacts, Data Capture), when its tags are ours."""
        s3, found = self.session.client("s3"), []
        for project in self.projects():
            try:
                tags = as_dict(s3.get_bucket_tagging(Bucket=project.bucket)["TagSet"])
            except ClientError:
                continue
            if self.ours(tags):
                found.append(Resource("project-bucket", project.bucket, project.bucket))
        return found

    def project_roles(self) -> list[Resource]:
        """The roles the project's services run as, when their tags are ours."""
        iam, found = self.session.client("iam"), []
        for project in self.projects():
            for service in SERVICES:
                try:
                    role = iam.get_role(RoleName=project.role_name(service))["Role"]
                except ClientError:
                    continue
                if self.ours(as_dict(role.get("Tags"))):
                    found.append(Resource("iam-role", role["RoleName"], role["Arn"]))
        return found

    def objects(self) -> list[Resource]:
        """Every object version under the labs' prefixes of the session's bucket (the folder counts as one)."""
        s3, bucket = self.session.client("s3"), self.session.bucket
        prefixes = LAB_PREFIXES.get(self.lab, ()) if self.lab else tuple(p for ps in LAB_PREFIXES.values() for p in ps)
        found = []
        for prefix in prefixes:
            try:
                pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
                count = sum(len(page.get("Versions", [])) + len(page.get("DeleteMarkers", [])) for page in pages)
            except ClientError:
                count = 0
            if count:
                found.append(Resource("s3-prefix", f"s3://{bucket}/{prefix} ({count} objects)", prefix))
        return found


def _all_steps(steps: list[dict]) -> list[dict]:
    """Steps, with those inside condition steps' branches."""
    found = []
    for step in steps:
        found.append(step)
        arguments = step.get("Arguments") or {}
        found += _all_steps([*arguments.get("IfSteps", []), *arguments.get("ElseSteps", [])])
    return found


def _delete(session, resource: Resource, wait_seconds: float) -> bool:
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
