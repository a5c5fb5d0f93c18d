"""Get, Std:Join and Std:JsonGet evaluate as the SDK's definition means them."""

import pytest

from mlops_kit.local.pipelines.expressions import (ExpressionError, Reference, parse_path, parse_reference,
                                                    references, resolve, to_text)


class Values:
    """A lookup over plain dicts, recording what the expression asked for."""

    def __init__(self, parameters=None, properties=None, files=None, s3=None):
        self.parameters, self.properties = parameters or {}, properties or {}
        self.files, self.s3 = files or {}, s3 or {}

    def parameter(self, name):
        return self.parameters[name]

    def execution_variable(self, name):
        return {"PipelineExecutionId": "abc123"}[name]

    def step_property(self, step, path):
        return self.properties[(step, path)]

    def property_file(self, step, name):
        return self.files[(step, name)]

    def s3_json(self, uri):
        return self.s3[uri]


def test_parse_path_reads_names_keys_and_indexes():
    assert parse_path("ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri") == (
        "ProcessingOutputConfig", "Outputs", ("train",), "S3Output", "S3Uri")
    assert parse_path('FinalMetricDataList["validation:auc"].Value') == ("FinalMetricDataList", ("validation:auc",), "Value")
    assert parse_path("Containers[0].Image") == ("Containers", 0, "Image")


@pytest.mark.parametrize("text", ["Outputs[train]", ".Outputs", "Outputs['train'", "A..B", ""])
def test_parse_path_rejects_malformed_paths(text):
    with pytest.raises(ExpressionError, match="cannot read the property path"):
        parse_path(text)


def test_parse_reference_splits_kind_name_and_path():
    assert parse_reference("Parameters.InputData") == Reference("Parameters", "InputData")
    assert parse_reference("Execution.PipelineExecutionId") == Reference("Execution", "PipelineExecutionId")
    assert parse_reference("Steps.Train.ModelArtifacts.S3ModelArtifacts") == Reference(
        "Steps", "Train", ("ModelArtifacts", "S3ModelArtifacts"))
    with pytest.raises(ExpressionError, match="name a property of step 'Train'"):
        parse_reference("Steps.Train")
    with pytest.raises(ExpressionError, match="starts with Parameters., Execution. or Steps."):
        parse_reference("Params.X")


def test_references_finds_every_get_inside_functions():
    value = {"A": [{"Get": "Parameters.X"}], "B": {"Std:Join": {"On": "/", "Values": [
        "s3://b", {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['t'].S3Output.S3Uri"}]}},
        "C": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Evaluation"}, "Path": "auc"}}}
    assert [(r.kind, r.name) for r in references(value)] == [
        ("Parameters", "X"), ("Steps", "Prep"), ("Steps", "Eval")]


def test_resolve_replaces_gets_joins_and_json_gets():
    lookup = Values(parameters={"Threshold": 0.7, "Rounds": 10},
                    properties={("Train", ("ModelArtifacts", "S3ModelArtifacts")): "s3://b/model.tar.gz"},
                    files={("Eval", "Evaluation"): {"metrics": {"auc": {"value": 0.81}}}})
    value = {"Model": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
             "Path": {"Std:Join": {"On": "/", "Values": ["s3://b", {"Get": "Execution.PipelineExecutionId"},
                                                          {"Get": "Parameters.Rounds"}, True]}},
             "Auc": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Evaluation"},
                                     "Path": "$.metrics.auc.value"}},
             "Plain": [1, "two", {"Three": 3.0}]}
    assert resolve(value, lookup) == {"Model": "s3://b/model.tar.gz", "Path": "s3://b/abc123/10/true",
                                      "Auc": 0.81, "Plain": [1, "two", {"Three": 3.0}]}


def test_json_get_from_an_s3_uri():
    lookup = Values(parameters={"Run": "r1"}, s3={"s3://b/r1/out.json": {"items": [{"v": 4}]}})
    value = {"Std:JsonGet": {"S3Uri": {"Std:Join": {"On": "/", "Values": ["s3://b", {"Get": "Parameters.Run"}, "out.json"]}},
                             "Path": "items[0].v"}}
    assert resolve(value, lookup) == 4


def test_json_get_on_a_missing_path_names_the_path_the_file_and_its_keys():
    lookup = Values(files={("Eval", "Evaluation"): {"metrics": {"auc": 0.8}}})
    value = {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Evaluation"},
                             "Path": "binary_classification_metrics.auc.value"}}
    with pytest.raises(ExpressionError) as raised:
        resolve(value, lookup)
    message = str(raised.value)
    assert "binary_classification_metrics.auc.value" in message
    assert "property file Evaluation of step Eval" in message and "['metrics']" in message


def test_a_property_file_is_read_through_json_get_only():
    with pytest.raises(ExpressionError, match="JsonGet"):
        resolve({"Get": "Steps.Eval.PropertyFiles.Evaluation"}, Values())


def test_to_text_writes_values_as_the_service_does():
    assert [to_text(v) for v in (True, False, 3, 0.5, "x")] == ["true", "false", "3", "0.5", "x"]
