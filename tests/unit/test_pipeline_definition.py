"""Definitions: dependency order, branches, parameters, and what SageMaker rejects."""

import json

import pytest

from mlops_kit.local.pipelines.definition import DefinitionError, dependencies, parse
from mlops_kit.local.pipelines.parameters import ParameterError, parameter_values


def step(name, kind="Fail", arguments=None, depends_on=None, **extra):
    raw = {"Name": name, "Type": kind, "Arguments": arguments if arguments is not None else {"ErrorMessage": "x"}, **extra}
    return {**raw, "DependsOn": depends_on} if depends_on else raw


def document(*steps, parameters=()):
    return {"Version": "2020-12-01", "Parameters": list(parameters), "Steps": list(steps)}


def get(text):
    return {"Get": text}


def training(name, source):
    return step(name, "Training", {"InputDataConfig": [{"ChannelName": "train", "DataSource": {
        "S3DataSource": {"S3Uri": get(f"Steps.{source}.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri")}}}]})


def test_steps_come_after_their_data_dependencies_and_depends_on():
    parsed = parse(json.dumps(document(
        training("Train", "Prep"), step("Report", depends_on=["Train"]), step("Prep", "Processing", {}))))
    order = parsed.order
    assert order.index("Prep") < order.index("Train") < order.index("Report")
    assert dependencies(parsed.steps["Train"], parsed.steps) == {"Prep"}


def test_branch_steps_depend_on_their_condition_and_carry_the_outcome_they_need():
    condition = step("Check", "Condition", {
        "Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}],
        "IfSteps": [step("Register", "RegisterModel", {})], "ElseSteps": [step("Stop")]})
    parsed = parse(document(condition))
    assert parsed.steps["Register"].branch == ("Check", True)
    assert parsed.steps["Stop"].branch == ("Check", False)
    assert parsed.order[0] == "Check"


def test_enum_parameters_accept_only_their_values():
    parsed = parse(document(step("S"), parameters=[
        {"Name": "Approval", "Type": "String", "DefaultValue": "PendingManualApproval",
         "EnumValues": ["PendingManualApproval", "Approved"]}]))
    assert parameter_values(parsed.parameters, [{"Name": "Approval", "Value": "Approved"}]) == {"Approval": "Approved"}
    with pytest.raises(ParameterError, match="Parameter Approval must be one of"):
        parameter_values(parsed.parameters, [{"Name": "Approval", "Value": "Maybe"}])


def test_parameters_keep_types_and_defaults():
    parsed = parse(document(step("S"), parameters=[
        {"Name": "Url", "Type": "String", "DefaultValue": "s3://b/x"},
        {"Name": "Rounds", "Type": "Integer", "DefaultValue": 10},
        {"Name": "Threshold", "Type": "Float", "DefaultValue": 1},
        {"Name": "Flag", "Type": "Boolean"}]))
    values = parameter_values(parsed.parameters, [{"Name": "Rounds", "Value": "5"}, {"Name": "Flag", "Value": "True"}])
    assert values == {"Url": "s3://b/x", "Rounds": 5, "Threshold": 1, "Flag": True}
    with pytest.raises(ParameterError, match="Parameter Flag has no default value"):
        parameter_values(parsed.parameters, [])
    with pytest.raises(ParameterError, match="Parameter Rounds is of Type Integer but was given '2.5'"):
        parameter_values(parsed.parameters, [{"Name": "Rounds", "Value": "2.5"}, {"Name": "Flag", "Value": "false"}])


@pytest.mark.parametrize("steps, message", [
    ([step("A", depends_on=["A"])], "Step A depends on itself"),
    ([step("A", depends_on=["B"]), step("B", depends_on=["A"])], "cycle"),
    ([step("Train", "Training", {"HyperParameters": {"x": get("Steps.Train.ModelArtifacts.S3ModelArtifacts")}})],
     "Step Train depends on itself"),
    ([], "has no Steps"),
    ([step("A", "Processing", {}, PropertyFiles=[]), step("B", arguments={"ErrorMessage": get("Steps.A.Outputs")})],
     "no property 'Outputs'"),
    ([step("A", "Processing", {}), step("B", arguments={"ErrorMessage": get("Steps.A.ProcessingOutputConfig.Outputs.train")})],
     "is a list: select an item"),
    ([step("C", "Condition", {"Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}]}),
      step("B", arguments={"ErrorMessage": get("Steps.C.Outcome")})], "a Condition step has no properties"),
    ([step("T", "Training", {}), step("B", arguments={"ErrorMessage": get("Steps.T.FinalMetricDataList['train:auc'].Value")})],
     None),
])
def test_rejections(steps, message):
    if message is None:
        parse(document(*steps))
        return
    with pytest.raises(DefinitionError, match=message):
        parse(document(*steps))
