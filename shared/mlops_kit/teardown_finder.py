"""Finding what the workshop made, in the order it must be deleted.

By the workshop's tags (``workshop_tags``: workshop, this learner's id, optionally the
lab): SageMaker's resources, rules and lab 3's CI/CD resources through their own List and
ListTags calls, stacks and alarms through the Resource Groups Tagging API; plus what
carries no tags of its own: the versions of a tagged model package group, and the objects
under the labs' S3 prefixes of the session's bucket. A SageMaker project whose CodeBuild
projects carry the workshop's tags is the workshop's, and so is everything tagged with its
``sagemaker:project-id``: its builds and CloudFormation make the SageMaker pipeline, the
stacks and their endpoints outside the kernel, with the project's tags only, as on AWS;
its bucket and roles are found by their names. Nothing without the workshop's tags and
this learner's id is ever found.

Order: first the project's CodePipeline executions and CodeBuild builds still running (a
build left running would make its pipeline again after the teardown); a monitoring
schedule holds its endpoint, an endpoint its configuration, a configuration its model; a
group its versions; stacks own their endpoints (those are left to the stack); a stack is
deleted by its role. So: runs, schedules and their job definitions, endpoints,
configurations, models, pipelines, package versions, groups, stacks, alarms and rules,
CI/CD pipelines and builds, project buckets and roles, then S3 prefixes. Jobs,
executions, experiments and build logs are records AWS keeps at no cost: not found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from botocore.exceptions import ClientError

from mlops_kit.sagemaker_project import PROJECT_ID_TAG, PROJECT_NAME_TAG, SERVICES, Project
from mlops_kit.workshop_tags import LAB_TAG, SESSION_TAG, WORKSHOP, WORKSHOP_TAG, as_dict

LAB_PREFIXES = {"lab1": ("lab1/",), "lab2": ("lab2/",), "lab3": ("lab3/",), "lab4": ("lab4/",
                "prerequisites/")}
STACK_OWNED_TAG = "aws:cloudformation:stack-id"  # CloudFormation's own tag on what a stack created


@dataclass(frozen=True)
class Resource:
    """One thing the teardown deletes (or, for a run, stops)."""

    kind: str
    name: str
    arn: str = ""


class Finder:
    """Everything of the workshop's (this learner's, this lab's) that costs money or clutters, in deletion order."""

    def __init__(self, session, lab: str | None):
        self.session, self.lab = session, lab
        self.sm = session.client("sagemaker")
        self._projects: dict[str, Project] | None = None

    def ours(self, tags: dict[str, str]) -> bool:
        return self.workshops(tags) or tags.get(PROJECT_ID_TAG) in self.projects()

    def workshops(self, tags: dict[str, str]) -> bool:
        return (tags.get(WORKSHOP_TAG) == WORKSHOP and tags.get(SESSION_TAG) == self.session.tags[SESSION_TAG]
                and (self.lab is None or tags.get(LAB_TAG) == self.lab))

    def projects(self) -> dict[str, Project]:
        """The SageMaker projects (by id) whose CodeBuild projects carry the workshop's tags. Read once
        and kept, so that the second look after the deletions still knows the project's resources."""
        if self._projects is None:
            account = self.session.client("sts").get_caller_identity()["Account"]
            self._projects = {}
            for build in self.build_projects():
                tags = as_dict(build.get("tags"))
                if self.workshops(tags) and tags.get(PROJECT_ID_TAG) and tags.get(PROJECT_NAME_TAG):
                    self._projects[tags[PROJECT_ID_TAG]] = Project(tags[PROJECT_NAME_TAG], tags[PROJECT_ID_TAG],
                                                                   self.session.region, account)
        return self._projects

    def build_projects(self) -> list[dict]:
        """Every CodeBuild project, as BatchGetProjects describes it (with its tags)."""
        codebuild = self.session.client("codebuild")
        names = codebuild.list_projects().get("projects", [])
        return codebuild.batch_get_projects(names=names).get("projects", []) if names else []

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
        searches = [filters] + [[{"Key": PROJECT_ID_TAG, "Values": [project_id]}] for project_id in self.projects()]
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
        found, codepipeline = [], self.session.client("codepipeline")
        for item in codepipeline.list_pipelines().get("pipelines", []):
            arn = codepipeline.get_pipeline(name=item["name"])["metadata"]["pipelineArn"]
            if self.ours(as_dict(codepipeline.list_tags_for_resource(resourceArn=arn).get("tags"))):
                found.append(Resource("codepipeline", item["name"], arn))
        for project in self.build_projects():
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
        for project in self.projects().values():
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
        for project in self.projects().values():
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
