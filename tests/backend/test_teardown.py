"""The teardown deletes what the workshop made (found by its tags), in dependency order,
leaves what it did not make, reports 0 left, and is a no-op the second time."""

import json
from collections import Counter

import boto3
import pytest

from mlops_kit import request_hooks
from mlops_kit.session import start_session
from mlops_kit.teardown import teardown

pytestmark = pytest.mark.usefixtures("restore_process_state")
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
PACKAGE = {"Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://bucket/model.tar.gz"}],
           "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]}
DEFINITION = json.dumps({"Version": "2020-12-01", "Parameters": [], "Steps": [
    {"Name": "Fail", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}]})


def lab_resources(session, lab: str) -> None:
    """What a lab leaves behind: a model, its endpoint configuration, a pipeline, a registered
    version in a group, an alarm, a rule, and objects under the lab's prefix."""
    sm = session.sagemaker
    sm.create_model(ModelName=f"{lab}-Model", PrimaryContainer={"Image": IMAGE}, ExecutionRoleArn=session.role_arn)
    sm.create_endpoint_config(EndpointConfigName=f"{lab}-config", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": f"{lab}-Model", "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1}])
    sm.create_pipeline(PipelineName=f"{lab}-Pipeline", PipelineDefinition=DEFINITION, RoleArn=session.role_arn)
    sm.create_model_package_group(ModelPackageGroupName=f"{lab}-Models")
    sm.create_model_package(ModelPackageGroupName=f"{lab}-Models", InferenceSpecification=PACKAGE,
                            ModelApprovalStatus="Approved")
    session.cloudwatch.put_metric_alarm(AlarmName=f"{lab}-drift", MetricName="feature_baseline_drift_AGE",
                                        Namespace="aws/sagemaker/Endpoints/data-metrics", Statistic="Maximum",
                                        Period=3600, EvaluationPeriods=1, Threshold=0.1,
                                        ComparisonOperator="GreaterThanThreshold")
    session.events.put_rule(Name=f"{lab}-approved", EventPattern=json.dumps({"source": ["aws.sagemaker"]}))
    session.events.put_targets(Rule=f"{lab}-approved", Targets=[{
        "Id": "log", "Arn": "arn:aws:logs:us-east-1:123456789012:log-group:approvals"}])
    for number in range(3):
        session.s3.put_object(Bucket=session.bucket, Key=f"{lab}/raw/part-{number}.csv", Body=b"1,2\n")


def test_teardown_deletes_the_labs_resources_in_order_and_reports_0_left(local_home, capsys):
    session = start_session(lab="lab1")
    lab_resources(session, "lab1")

    report = teardown(session, lab="lab1")

    deleted = [(resource.kind, resource.name) for resource in report.deleted]
    assert deleted == [("endpoint-config", "lab1-config"), ("model", "lab1-Model"), ("pipeline", "lab1-Pipeline"),
                       ("model-package", "lab1-models/1"), ("model-package-group", "lab1-Models"),
                       ("alarm", "lab1-drift"), ("rule", "lab1-approved"),
                       ("s3-prefix", f"s3://{session.bucket}/lab1/ (3 objects)")]
    assert report.left == []
    assert capsys.readouterr().out.splitlines() == [
        "Deleted 8: 1 endpoint-config, 1 model, 1 pipeline, 1 model-package, 1 model-package-group, 1 alarm, "
        "1 rule, 1 s3-prefix. 0 left."]
    sm = session.sagemaker
    assert sm.list_models()["Models"] == [] and sm.list_model_package_groups()["ModelPackageGroupSummaryList"] == []
    assert session.s3.list_objects_v2(Bucket=session.bucket, Prefix="lab1/")["KeyCount"] == 0


def test_teardown_twice_is_a_no_op(local_home, capsys):
    session = start_session(lab="lab4")
    lab_resources(session, "lab4")
    teardown(session, lab="lab4")

    again = teardown(session, lab="lab4")

    assert (again.deleted, again.left) == ([], [])
    assert capsys.readouterr().out.splitlines()[-1] == "Deleted 0. 0 left."


def test_what_the_kit_did_not_make_and_other_labs_survive(local_home):
    outside = boto3.session.Session(region_name="us-east-1").client("sagemaker")  # before the session: untagged
    outside.create_model(ModelName="mine", PrimaryContainer={"Image": IMAGE},
                         ExecutionRoleArn="arn:aws:iam::123456789012:role/mine")
    session = start_session(lab="lab4")
    lab_resources(session, "lab4")
    other_lab = start_session(lab="lab1")
    other_lab.sagemaker.create_model(ModelName="lab1-kept", PrimaryContainer={"Image": IMAGE},
                                     ExecutionRoleArn=session.role_arn)

    teardown(session, lab="lab4")

    assert sorted(model["ModelName"] for model in outside.list_models()["Models"]) == ["lab1-kept", "mine"]


def test_a_dry_run_lists_and_deletes_nothing(local_home, capsys):
    session = start_session(lab="lab1")
    lab_resources(session, "lab1")

    report = teardown(session, lab="lab1", dry_run=True)

    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "would delete endpoint-config lab1-config"
    assert printed[-1] == "8 to delete (dry run: nothing deleted)."
    assert len(report.left) == 8 and len(session.sagemaker.list_models()["Models"]) == 1


def test_the_command_prints_each_deletion_and_exits_0_when_nothing_is_left(local_home, capsys):
    from mlops_kit.teardown_command import main

    lab_resources(start_session(lab="lab1"), "lab1")

    assert main(["--lab", "lab1"]) == 0

    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "deleted endpoint-config lab1-config" and printed[-1].endswith("0 left.")


def test_the_group_a_pipelines_register_step_created_is_found_by_its_name(local_home):
    session = start_session(lab="lab2")
    sm = session.sagemaker
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": [{
        "Name": "Check", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "GreaterThanOrEqualTo", "LeftValue": 1, "RightValue": 0}], "ElseSteps": [], "IfSteps": [{
            "Name": "Register", "Type": "RegisterModel", "Arguments": {"ModelPackageGroupName": "CreditModels"}}]}}]}
    sm.create_pipeline(PipelineName="Credit", PipelineDefinition=json.dumps(definition), RoleArn=session.role_arn)
    untagged = boto3.session.Session(region_name="us-east-1").client("sagemaker")
    request_hooks.deactivate()  # as the service itself creates it, without the workshop's tags
    untagged.create_model_package_group(ModelPackageGroupName="CreditModels")

    report = teardown(session, lab="lab2")

    assert [(r.kind, r.name) for r in report.deleted] == [("pipeline", "Credit"), ("model-package-group", "CreditModels")]


STACK_TEMPLATE = json.dumps({"Resources": {"Model": {"Type": "AWS::SageMaker::Model", "Properties": {
    "PrimaryContainer": {"Image": IMAGE}, "ExecutionRoleArn": "arn:aws:iam::123456789012:role/model"}}}})


def test_a_projects_resources_are_found_by_its_project_id(local_home):
    """Lab 3's builds make the SageMaker pipeline and the stacks outside the kernel, with the
    project's tags only (as on AWS); they are the workshop's because the project is."""
    from mlops_kit.sagemaker_project import create_project

    session = start_session(lab="lab3")
    project = create_project(session, "credit-mlops")
    request_hooks.deactivate()  # from here on, as the project's builds and CloudFormation make them
    build = boto3.session.Session(region_name="us-east-1")
    build.client("sagemaker").create_pipeline(PipelineName=project.name_id, PipelineDefinition=DEFINITION,
                                              RoleArn=session.role_arn, Tags=project.tags)
    cloudformation = build.client("cloudformation")
    cloudformation.create_stack(StackName=project.stack("staging"), TemplateBody=STACK_TEMPLATE,
                                Tags=[*project.tags, {"Key": "sagemaker:deployment-stage", "Value": "staging"}])
    cloudformation.get_waiter("stack_create_complete").wait(StackName=project.stack("staging"),
                                                            WaiterConfig={"Delay": 1})
    build.client("s3").put_object(Bucket=project.bucket, Key="datacapture-staging/capture.jsonl", Body=b"{}\n")
    build.client("sagemaker").create_pipeline(  # another project's, which the workshop did not make
        PipelineName="other-project", PipelineDefinition=DEFINITION, RoleArn=session.role_arn,
        Tags=[{"Key": "sagemaker:project-id", "Value": "p-notmadebykit"}])

    report = teardown(session, lab="lab3")

    deleted = Counter(resource.kind for resource in report.deleted)
    assert deleted == {"pipeline": 1, "stack": 1, "codepipeline": 2, "codebuild-project": 3, "rule": 3,
                       "project-bucket": 1, "iam-role": 4}, report.deleted
    assert report.left == []
    sm = build.client("sagemaker")
    assert [item["PipelineName"] for item in sm.list_pipelines()["PipelineSummaries"]] == ["other-project"]
    assert sm.list_models()["Models"] == []  # the stack's, deleted with it
    assert project.bucket not in [bucket["Name"] for bucket in build.client("s3").list_buckets()["Buckets"]]
    assert [role["RoleName"] for role in build.client("iam").list_roles()["Roles"]
            if role["RoleName"].startswith("sagemaker-credit-mlops")] == []


def test_the_projects_running_builds_are_stopped_first(local_home, capsys):
    """A build still running after the lab would make its pipeline again after the teardown."""
    import io
    import zipfile

    from polling import wait_until

    from mlops_kit.sagemaker_project import create_project

    session = start_session(lab="lab3")
    project = create_project(session, "credit-mlops")
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("codebuild-buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 120\n")
    session.s3.put_object(Bucket=project.bucket, Key=project.source_key("modelbuild"), Body=source.getvalue())
    codebuild = session.client("codebuild")
    wait_until(lambda: {"ids": codebuild.list_builds_for_project(projectName=project.pipeline("modelbuild"))["ids"]},
               "ids", bool, 30, "the modelbuild build")  # started by the new source zip

    report = teardown(session, lab="lab3")

    # modelbuild's execution and its build; modeldeploy's first execution (CodePipeline starts one when
    # the pipeline is created) too, unless it has already failed for want of its source
    stopped = [resource for resource in report.deleted if resource.kind.endswith("-run")]
    assert report.deleted[:len(stopped)] == stopped
    assert Counter(resource.kind for resource in stopped)["codebuild-run"] == 1
    assert report.left == []
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary.startswith(f"Stopped {len(stopped)}: ") and "1 codebuild-run. Deleted 13: 3 rule, " in summary
    build_id = next(resource.name for resource in stopped if resource.kind == "codebuild-run")
    assert codebuild.batch_get_builds(ids=[build_id])["builds"][0]["buildStatus"] == "STOPPED"
