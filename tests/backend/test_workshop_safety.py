"""What start_session puts between a lab and the bill: the workshop's tags on every resource
it creates, and the cost guard refusing instances the lab does not need before any call."""

import json

import boto3
import pytest

from mlops_kit.cost_guard import CostGuardError
from mlops_kit.session import start_session
from mlops_kit.workshop_tags import LAB_TAG, SESSION_TAG, WORKSHOP, WORKSHOP_TAG, as_dict

pytestmark = pytest.mark.usefixtures("restore_process_state")
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def variant(instance_type: str, count: int = 1) -> list[dict]:
    return [{"VariantName": "AllTraffic", "ModelName": "credit", "InstanceType": instance_type,
             "InitialInstanceCount": count}]


def test_resources_made_with_boto3_carry_the_workshop_tags_beside_the_learners_own(local_home):
    session = start_session(lab="lab1")
    sm = session.sagemaker

    arn = sm.create_model(ModelName="credit", PrimaryContainer={"Image": IMAGE}, ExecutionRoleArn=session.role_arn,
                          Tags=[{"Key": "team", "Value": "risk"}])["ModelArn"]

    tags = as_dict(sm.list_tags(ResourceArn=arn)["Tags"])
    assert tags == {"team": "risk", WORKSHOP_TAG: WORKSHOP, LAB_TAG: "lab1", SESSION_TAG: session.tags[SESSION_TAG]}
    assert session.tags[SESSION_TAG].startswith("l-") and len(session.tags[SESSION_TAG]) == 12


def test_the_learner_id_is_kept_in_the_kit_home_across_sessions(local_home):
    first = start_session(lab="lab1").tags[SESSION_TAG]
    assert start_session(lab="lab2").tags[SESSION_TAG] == first
    assert (local_home / "learner-id").read_text().strip() == first


def test_services_whose_tags_are_lower_case_get_them_in_their_shape(local_home):
    session = start_session(lab="lab3")
    role = session.client("iam").create_role(RoleName="build", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    codebuild = session.client("codebuild")

    project = codebuild.create_project(
        name="credit-build", source={"type": "S3", "location": "sources/credit.zip"},
        artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role,
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL"})["project"]
    session.events.put_rule(Name="credit-rule", EventPattern=json.dumps({"source": ["aws.sagemaker"]}))

    assert as_dict(project["tags"])[LAB_TAG] == "lab3"
    rule_arn = session.events.describe_rule(Name="credit-rule")["Arn"]
    assert as_dict(session.events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"])[WORKSHOP_TAG] == WORKSHOP


def test_a_model_package_version_inherits_its_groups_tags_and_is_sent_none(local_home):
    session = start_session(lab="lab2")
    sm = session.sagemaker
    group = sm.create_model_package_group(ModelPackageGroupName="credit-models")["ModelPackageGroupArn"]

    sent = []
    sm.meta.events.register("before-call.sagemaker.CreateModelPackage", lambda params, **_: sent.append(params))

    sm.create_model_package(  # AWS refuses Tags on a version: the kit must not add them
        ModelPackageGroupName="credit-models", ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={"Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://b/model.tar.gz"}],
                                "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]})

    assert as_dict(sm.list_tags(ResourceArn=group)["Tags"])[LAB_TAG] == "lab2"
    assert "Tags" not in json.loads(sent[0]["body"])


def test_an_instance_the_lab_does_not_need_is_refused_before_any_call(local_home):
    session = start_session(lab="lab1")
    sm = session.sagemaker

    with pytest.raises(CostGuardError) as refused:
        sm.create_endpoint_config(EndpointConfigName="big", ProductionVariants=variant("ml.p3.2xlarge"))

    assert str(refused.value) == (
        "The workshop's cost guard refused CreateEndpointConfig before calling AWS: the endpoint asks for "
        "1 × ml.p3.2xlarge (about $3.83 an hour), but lab1 needs 1 × ml.m5.large. Use that instance type and "
        "count, or start the session with cost_guard=False if you really mean to pay for more.")
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []


def test_more_instances_than_the_lab_needs_are_refused_and_what_it_needs_passes(local_home):
    session = start_session(lab="lab4")
    sm = session.sagemaker
    sm.create_model(ModelName="credit", PrimaryContainer={"Image": IMAGE}, ExecutionRoleArn=session.role_arn)

    with pytest.raises(CostGuardError, match=r"asks for 3 × ml.m5.large .*lab4 needs 1 × ml.m5.large"):
        sm.create_endpoint_config(EndpointConfigName="three", ProductionVariants=variant("ml.m5.large", 3))
    sm.create_endpoint_config(EndpointConfigName="one", ProductionVariants=variant("ml.m5.large"))

    assert [c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]] == ["one"]


def test_a_pipeline_whose_default_instance_type_is_too_big_is_refused_at_create(local_home):
    session = start_session(lab="lab2")
    definition = {"Version": "2020-12-01", "Parameters": [
        {"Name": "TrainingInstanceType", "Type": "String", "DefaultValue": "ml.p3.2xlarge"}],
        "Steps": [{"Name": "Train", "Type": "Training", "Arguments": {"ResourceConfig": {
            "InstanceType": {"Get": "Parameters.TrainingInstanceType"}, "InstanceCount": 1, "VolumeSizeInGB": 30}}}]}

    with pytest.raises(CostGuardError, match=r"the pipeline step Train asks for 1 × ml.p3.2xlarge"):
        session.sagemaker.create_pipeline(PipelineName="big", PipelineDefinition=json.dumps(definition),
                                          RoleArn=session.role_arn)

    assert session.sagemaker.list_pipelines()["PipelineSummaries"] == []


def test_the_guard_can_be_switched_off_deliberately(local_home):
    session = start_session(lab="lab1", cost_guard=False)
    sm = session.sagemaker
    sm.create_model(ModelName="credit", PrimaryContainer={"Image": IMAGE}, ExecutionRoleArn=session.role_arn)

    sm.create_endpoint_config(EndpointConfigName="big", ProductionVariants=variant("ml.p3.2xlarge"))

    assert len(sm.list_endpoint_configs()["EndpointConfigs"]) == 1


def test_the_session_shows_the_labs_tags_and_its_cost_on_aws(local_home):
    session = start_session(lab="lab4")

    text = repr(session)
    assert "lab='lab4'" in text and f"{SESSION_TAG}={session.tags[SESSION_TAG]}" in text
    assert "about $1.73 on AWS (us-east-1 on-demand prices of 2026-11-01)" in text


def test_sessions_a_lab_makes_itself_are_tagged_and_guarded_too(local_home):
    """Lab 2's get_pipeline builds its own PipelineSession: its requests get the same hooks."""
    start_session(lab="lab1")
    own = boto3.session.Session(region_name="us-east-1").client("sagemaker")

    arn = own.create_model(ModelName="own", PrimaryContainer={"Image": IMAGE},
                           ExecutionRoleArn="arn:aws:iam::123456789012:role/r")["ModelArn"]
    with pytest.raises(CostGuardError):
        own.create_endpoint_config(EndpointConfigName="big", ProductionVariants=variant("ml.p3.2xlarge"))

    assert as_dict(own.list_tags(ResourceArn=arn)["Tags"])[LAB_TAG] == "lab1"
