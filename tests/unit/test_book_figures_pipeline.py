"""The pipeline graph of the book: edges read from a definition JSON, drawn offline."""

import json

import matplotlib
import pytest

from mlops_kit.book_figures import pipeline_dag, pipeline_graph

matplotlib.use("Agg")


def step(name, kind, **extra):
    return {"Name": name, "Type": kind, "Arguments": {}, **extra}


DEFINITION = {"Version": "2020-12-01", "Parameters": [], "Steps": [
    step("Prep", "Processing"),
    step("Train", "Training", Arguments={"InputDataConfig": [{"DataSource": {"S3DataSource": {
        "S3Uri": {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}}}}]}),
    step("Eval", "Processing", Arguments={"ProcessingInputs": [
        {"S3Input": {"S3Uri": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}},
        {"S3Input": {"S3Uri": {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"}}}]}),
    step("Check", "Condition", Arguments={
        "Conditions": [{"Type": "GreaterThanOrEqualTo", "RightValue": 0.7, "LeftValue": {"Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Report"}, "Path": "auc"}}}],
        "IfSteps": [step("Register", "RegisterModel", Arguments={
            "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}})],
        "ElseSteps": [step("TooLow", "Fail")]}),
    step("Notify", "Processing", DependsOn=["Prep"]),
]}


def test_edges_follow_properties_depends_on_and_condition_branches():
    steps, edges = pipeline_dag(json.dumps(DEFINITION))
    assert steps == {"Prep": "Processing", "Train": "Training", "Eval": "Processing", "Check": "Condition",
                     "Register": "RegisterModel", "TooLow": "Fail", "Notify": "Processing"}
    assert edges == [("Check", "Register", "true"), ("Check", "TooLow", "false"), ("Eval", "Check", ""),
                     ("Prep", "Eval", ""), ("Prep", "Notify", ""), ("Prep", "Train", ""), ("Train", "Eval", "")]


def test_a_reference_to_a_step_the_definition_lacks_is_named():
    broken = {"Steps": [step("Train", "Training", Arguments={"S3Uri": {"Get": "Steps.Preprocess.Outputs"}})]}
    with pytest.raises(ValueError, match="Preprocess"):
        pipeline_dag(broken)


def test_the_graph_has_one_box_per_step_and_one_arrow_per_edge():
    figure = pipeline_graph(DEFINITION)
    [axes] = figure.axes
    texts = [text.get_text() for text in axes.texts]
    assert "Check\n(Condition)" in texts and "TooLow\n(Fail)" in texts
    assert {"true", "false"} <= set(texts)
    assert len(axes.patches) == 7 + 7  # boxes + arrows
