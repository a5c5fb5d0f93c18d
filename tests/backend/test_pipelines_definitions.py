"""Definitions SageMaker would reject fail at CreatePipeline/UpdatePipeline or StartPipelineExecution
with a specific ValidationException; expressions, conditions and Model steps run as written.

Hand-written definition JSON (the shape the SDK writes) over boto3, so each case is exact.
"""

import json
import time

import boto3
import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def processing(name, output="s3://defs/out"):
    return {"Name": name, "Type": "Processing", "Arguments": {
        "AppSpecification": {"ImageUri": SKLEARN, "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/x.py"]},
        "RoleArn": ROLE,
        "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30}},
        "ProcessingInputs": [],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "train", "S3Output": {
            "S3Uri": output, "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}}]}},
        "PropertyFiles": [{"PropertyFileName": "Evaluation", "OutputName": "train", "FilePath": "evaluation.json"}]}


def fail(name, message, depends_on=None):
    step = {"Name": name, "Type": "Fail", "Arguments": {"ErrorMessage": message}}
    return {**step, "DependsOn": depends_on} if depends_on else step


def definition(*steps, parameters=None):
    return {"Version": "2020-12-01", "Metadata": {},
            "Parameters": parameters if parameters is not None else [
                {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.7}],
            "Steps": list(steps)}


def get(text):
    return {"Get": text}


@pytest.fixture
def sm():
    return boto3.client("sagemaker", region_name="us-east-1")


def rejected(call):
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    return error["Message"]


def create(sm, document, name="p"):
    return sm.create_pipeline(PipelineName=name, RoleArn=ROLE, PipelineDefinition=json.dumps(document))


BASE = definition(processing("Prep"), fail("Stop", get("Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri")))

CASES = {
    "unknown step type": (
        definition({"Name": "Magic", "Type": "Teleport", "Arguments": {}}),
        ["Step Magic", "unknown step Type 'Teleport'"]),
    "step type the local backend does not run": (
        definition({"Name": "Batch", "Type": "Transform", "Arguments": {}}),
        ["Step Batch has Type Transform", "does not run"]),
    "duplicate step names": (
        definition(processing("Prep"), fail("Prep", "x")),
        ["'Prep' is used by more than one step"]),
    "Get of a step that is not there": (
        definition(fail("Stop", get("Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"))),
        ["Step Stop refers to Get Steps.Preprocess.ProcessingOutputConfig", "no step named 'Preprocess'"]),
    "Get of a property the job does not have": (
        definition(processing("Prep"), fail("Stop", get("Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Url"))),
        ["Step Stop refers to", "no property 'S3Url'", "S3Uri", "DescribeProcessingJobResponse"]),
    "Get of a training property on a processing step": (
        definition(processing("Prep"), fail("Stop", get("Steps.Prep.ModelArtifacts.S3ModelArtifacts"))),
        ["no property 'ModelArtifacts'"]),
    "JsonGet of a property file that is not declared": (
        definition(processing("Prep"), fail("Stop", {"Std:JsonGet": {
            "PropertyFile": get("Steps.Prep.PropertyFiles.Metrics"), "Path": "auc"}})),
        ["declares no such property file", "Evaluation"]),
    "parameter that is not declared": (
        definition(fail("Stop", get("Parameters.AucThreshold"))),
        ["declares no parameter 'AucThreshold'"]),
    "unknown execution variable": (
        definition(fail("Stop", get("Execution.ExecutionName"))),
        ["not an execution variable", "PipelineExecutionId"]),
    "DependsOn a step that is not there": (
        definition(fail("Stop", "x", depends_on=["Train"])),
        ["DependsOn step 'Train'"]),
    "dependency cycle": (
        definition(fail("A", "x", depends_on=["B"]), fail("B", "x", depends_on=["C"]), fail("C", "x", depends_on=["A"])),
        ["cycle", "must be a DAG"]),
    "default value of the wrong type": (
        definition(fail("Stop", "x"), parameters=[{"Name": "Rounds", "Type": "Integer", "DefaultValue": "ten"}]),
        ["Parameter Rounds is of Type Integer", "'ten'"]),
    "parameters that are not a list": (
        {"Version": "2020-12-01", "Parameters": "Threshold", "Steps": [fail("Stop", "x")]},
        ["Parameters must be a list"]),
    "a parameter that is not an object": (
        definition(fail("Stop", "x"), parameters=[7]),
        ["must be an object"]),
    "a step that is not an object": (
        definition("Stop"),
        ["Every step needs a Name and a Type"]),
    "property files that are not a list of objects": (
        definition({**processing("Prep"), "PropertyFiles": "evaluation.json"}),
        ["Step Prep: PropertyFiles must be a list"]),
    "unknown condition type": (
        definition({"Name": "Check", "Type": "Condition", "Arguments": {
            "Conditions": [{"Type": "Approximately", "LeftValue": 1, "RightValue": 1}], "IfSteps": [], "ElseSteps": []}}),
        ["Condition step Check", "'Approximately'"]),
}


@pytest.mark.parametrize("case", CASES)
def test_create_pipeline_rejects(sm, case):
    document, fragments = CASES[case]
    message = rejected(lambda: create(sm, document))
    assert message.startswith("Invalid pipeline definition: ")
    for fragment in fragments:
        assert fragment in message
    assert sm.list_pipelines()["PipelineSummaries"] == []


def test_create_pipeline_rejects_text_that_is_not_json(sm):
    message = rejected(lambda: sm.create_pipeline(PipelineName="p", RoleArn=ROLE, PipelineDefinition="{Steps: ["))
    assert "not valid JSON" in message


def test_update_pipeline_rejects_and_keeps_the_previous_definition(sm):
    create(sm, BASE)
    document, _ = CASES["dependency cycle"]
    message = rejected(lambda: sm.update_pipeline(PipelineName="p", PipelineDefinition=json.dumps(document)))
    assert "cycle" in message
    assert json.loads(sm.describe_pipeline(PipelineName="p")["PipelineDefinition"]) == BASE


def test_start_rejects_parameters_the_pipeline_does_not_declare_or_cannot_type(sm):
    create(sm, BASE)
    message = rejected(lambda: sm.start_pipeline_execution(
        PipelineName="p", PipelineParameters=[{"Name": "Treshold", "Value": "0.9"}]))
    assert "'Treshold' is not declared" in message and "Threshold" in message
    message = rejected(lambda: sm.start_pipeline_execution(
        PipelineName="p", PipelineParameters=[{"Name": "Threshold", "Value": "high"}]))
    assert "Parameter Threshold is of Type Float but was given 'high'" in message
    assert sm.list_pipeline_executions(PipelineName="p")["PipelineExecutionSummaries"] == []


def wait_done(sm, arn):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        described = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
        if described["PipelineExecutionStatus"] not in ("Executing", "Stopping"):
            return described
        time.sleep(0.05)
    raise AssertionError(f"execution {arn} still {described['PipelineExecutionStatus']}")


def steps_of(sm, arn):
    listed = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"]
    return {step["StepName"]: step for step in listed}


def test_conditions_and_execution_variables_reach_the_fail_message(sm):
    threshold = get("Parameters.Threshold")
    message = {"Std:Join": {"On": "|", "Values": [
        get("Execution.PipelineName"), get("Execution.PipelineExecutionId"), threshold, 3, True]}}
    conditions = [
        {"Type": "Or", "Conditions": [
            {"Type": "LessThan", "LeftValue": threshold, "RightValue": 0.5},
            {"Type": "In", "QueryValue": "b", "Values": ["a", "b"]}]},
        {"Type": "Not", "Expression": {"Type": "Equals", "LeftValue": threshold, "RightValue": 0.9}},
        {"Type": "And", "Conditions": [
            {"Type": "GreaterThanOrEqualTo", "LeftValue": threshold, "RightValue": 0.75},
            {"Type": "LessThanOrEqualTo", "LeftValue": 1, "RightValue": 1},
            {"Type": "GreaterThan", "LeftValue": 2, "RightValue": 1}]}]
    create(sm, definition({"Name": "Check", "Type": "Condition", "Arguments": {
        "Conditions": conditions, "IfSteps": [fail("Yes", message)], "ElseSteps": [fail("No", "else")]}}))

    arn = sm.start_pipeline_execution(PipelineName="p", PipelineParameters=[
        {"Name": "Threshold", "Value": "0.8"}])["PipelineExecutionArn"]
    described = wait_done(sm, arn)

    execution_id = arn.split("/")[-1]
    assert described["PipelineExecutionStatus"] == "Failed"
    steps = steps_of(sm, arn)
    assert steps["Check"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    assert steps["Yes"]["Metadata"] == {"Fail": {"ErrorMessage": f"p|{execution_id}|0.8|3|true"}}
    assert "No" not in steps
    assert described["FailureReason"] == f"Step Yes failed: p|{execution_id}|0.8|3|true"

    arn = sm.start_pipeline_execution(PipelineName="p")["PipelineExecutionArn"]  # default 0.7
    wait_done(sm, arn)
    assert steps_of(sm, arn)["Check"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    summaries = sm.list_pipeline_executions(PipelineName="p")["PipelineExecutionSummaries"]
    assert summaries[0]["PipelineExecutionArn"] == arn and len(summaries) == 2


def test_a_model_step_creates_the_model(sm):
    model = {"Name": "CreateModel", "Type": "Model", "Arguments": {
        "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": XGBOOST, "ModelDataUrl": "s3://defs/model.tar.gz"}}}
    after = fail("Done", {"Std:Join": {"On": " ", "Values": ["created", get("Steps.CreateModel.ModelName")]}})
    create(sm, definition(model, after))

    arn = sm.start_pipeline_execution(PipelineName="p")["PipelineExecutionArn"]
    wait_done(sm, arn)

    steps = steps_of(sm, arn)
    assert steps["CreateModel"]["StepStatus"] == "Succeeded"
    model_arn = steps["CreateModel"]["Metadata"]["Model"]["Arn"]
    name = model_arn.split("/")[-1]
    assert sm.describe_model(ModelName=name)["PrimaryContainer"]["Image"] == XGBOOST
    assert steps["Done"]["Metadata"]["Fail"]["ErrorMessage"] == f"created {name}"


def register(name, approval):
    return {"Name": name, "Type": "RegisterModel", "Arguments": {
        "ModelPackageGroupName": "credit", "ModelApprovalStatus": approval,
        "InferenceSpecification": {"Containers": [{"Image": XGBOOST, "ModelDataUrl": "s3://defs/model.tar.gz"}],
                                   "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]}}}


def test_a_register_step_creates_its_group_and_a_refused_request_fails_the_step(sm):
    create(sm, definition(register("Register", "PendingManualApproval"), {
        **register("RegisterAgain", "Maybe"), "DependsOn": ["Register"]}))

    arn = sm.start_pipeline_execution(PipelineName="p")["PipelineExecutionArn"]
    described = wait_done(sm, arn)

    steps = steps_of(sm, arn)
    package_arn = steps["Register"]["Metadata"]["RegisterModel"]["Arn"]
    assert sm.describe_model_package_group(ModelPackageGroupName="credit")["ModelPackageGroupName"] == "credit"
    assert sm.describe_model_package(ModelPackageName=package_arn)["ModelApprovalStatus"] == "PendingManualApproval"
    assert steps["RegisterAgain"]["StepStatus"] == "Failed"
    assert steps["RegisterAgain"]["FailureReason"].startswith("ValidationException: Value 'Maybe'")
    assert described["FailureReason"].startswith("Step RegisterAgain failed: ValidationException")


def script_step(name):
    step = processing(name, output=f"s3://defs/out/{name}")
    step["Arguments"]["ProcessingInputs"] = [{"InputName": "code", "S3Input": {
        "S3Uri": "s3://defs/code/x.py", "LocalPath": "/opt/ml/processing/input/code",
        "S3DataType": "S3Prefix", "S3InputMode": "File"}}]
    return step


@pytest.mark.parametrize("limit, overlap", [(1, False), (2, True)])
def test_parallelism_configuration_bounds_the_steps_running_at_once(sm, limit, overlap):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="defs")
    s3.put_object(Bucket="defs", Key="code/x.py", Body=b"import time\ntime.sleep(0.5)\n")
    create(sm, definition(script_step("A"), script_step("B")))

    arn = sm.start_pipeline_execution(PipelineName="p", ParallelismConfiguration={
        "MaxParallelExecutionSteps": limit})["PipelineExecutionArn"]
    assert wait_done(sm, arn)["PipelineExecutionStatus"] == "Succeeded"

    first, second = sorted(steps_of(sm, arn).values(), key=lambda step: step["StartTime"])
    assert (second["StartTime"] < first["EndTime"]) == overlap


def test_unknown_executions_are_reported_as_such(sm):
    create(sm, BASE)
    missing = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/nope"
    for call in (sm.list_pipeline_execution_steps, sm.stop_pipeline_execution, sm.describe_pipeline_execution):
        assert "Could not find pipeline execution" in rejected(lambda: call(PipelineExecutionArn=missing))
