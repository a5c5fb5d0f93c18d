"""Lab 2's checks name the mistakes learners make in the pipeline definition and the approval.

The definition is the one the solution's `get_pipeline` builds (SDK v3, against the test
server), stored with boto3 as SageMaker would hold it, then spoiled one mistake at a time.
"""

import copy
import functools
import json
import sys
from pathlib import Path

import boto3
import pytest

from mlops_kit.grading import CheckContext
from mlops_kit.grading.labs import lab2

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
BUCKET = "lab2-checks"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
PIPELINE = "lab2-credit-pipeline"


@functools.cache
def solution_definition() -> str:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    sys.path.insert(0, str(ROOT / "solutions" / "lab2-pipeline"))
    try:
        from pipelines.credit.pipeline import get_pipeline
    finally:
        sys.path.pop(0)
    return get_pipeline(REGION, ROLE, BUCKET, "lab2-credit-models", PIPELINE, "lab2").definition()


def steps_by_name(definition):
    condition = definition["Steps"][3]
    return {step["Name"]: step for step in definition["Steps"] + condition["Arguments"]["IfSteps"]
            + condition["Arguments"]["ElseSteps"]}


def hard_coded_input(definition):
    steps_by_name(definition)["PreprocessCreditData"]["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = \
        f"s3://{BUCKET}/lab2/raw/credit.csv"


def literal_condition(definition):
    steps_by_name(definition)["CheckAucCreditEvaluation"]["Arguments"]["Conditions"][0]["LeftValue"] = 0.8


def wrong_json_path(definition):
    condition = steps_by_name(definition)["CheckAucCreditEvaluation"]["Arguments"]["Conditions"][0]
    condition["LeftValue"]["Std:JsonGet"]["Path"] = "regression_metrics.auc.value"


def fixed_threshold(definition):
    steps_by_name(definition)["CheckAucCreditEvaluation"]["Arguments"]["Conditions"][0]["RightValue"] = 0.7


def approved_by_default(definition):
    [parameter] = [p for p in definition["Parameters"] if p["Name"] == "ModelApprovalStatus"]
    parameter["DefaultValue"] = "Approved"


def swapped_branches(definition):
    arguments = steps_by_name(definition)["CheckAucCreditEvaluation"]["Arguments"]
    arguments["IfSteps"], arguments["ElseSteps"] = arguments["ElseSteps"], arguments["IfSteps"]


MISTAKES = {
    "hard-coded input path": (hard_coded_input, lab2.preprocessing_reads_the_input_data_url, "not the InputDataUrl"),
    "condition on a literal": (literal_condition, lab2.condition_reads_the_evaluation_property_file,
                               "not a value read from the evaluation report"),
    "condition on another JSON path": (wrong_json_path, lab2.condition_reads_the_evaluation_property_file,
                                       "'regression_metrics.auc.value'"),
    "threshold not the parameter": (fixed_threshold, lab2.condition_reads_the_evaluation_property_file,
                                    "not the AucThreshold parameter"),
    "approval by default": (approved_by_default, lab2.definition_has_the_steps_and_parameters,
                            "ModelApprovalStatus defaults to 'Approved'"),
    "branches swapped": (swapped_branches, lab2.condition_reads_the_evaluation_property_file,
                         "if ['AucTooLow'] else ['RegisterCreditModel']"),
}
DEFINITION_CHECKS = [lab2.definition_has_the_steps_and_parameters, lab2.preprocessing_reads_the_input_data_url,
                     lab2.condition_reads_the_evaluation_property_file]


def store(definition: str) -> CheckContext:
    boto3.client("sagemaker", region_name=REGION).create_pipeline(
        PipelineName=PIPELINE, RoleArn=ROLE, PipelineDefinition=definition)
    return CheckContext({"pipeline_name": PIPELINE})


def test_the_solutions_definition_passes_every_definition_check():
    ctx = store(solution_definition())
    assert [check.run(ctx).status for check in DEFINITION_CHECKS] == ["passed"] * 3


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_fails_its_check_with_a_message_naming_it(mistake):
    spoil, check, message = MISTAKES[mistake]
    definition = json.loads(solution_definition())
    spoiled = copy.deepcopy(definition)
    spoil(spoiled)
    result = check.run(store(json.dumps(spoiled)))
    assert result.status == "failed"
    assert message in result.message


def test_a_pipeline_never_upserted_fails_with_what_to_do():
    result = lab2.definition_has_the_steps_and_parameters.run(CheckContext({"pipeline_name": PIPELINE}))
    assert result.status == "failed" and "upsert" in result.hint


def test_a_package_left_pending_fails_the_approval_check_until_approved():
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_model_package_group(ModelPackageGroupName="lab2-credit-models")
    arn = sm.create_model_package(
        ModelPackageGroupName="lab2-credit-models", ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={"Containers": [{"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                                                "ModelDataUrl": f"s3://{BUCKET}/model.tar.gz"}],
                                "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]},
    )["ModelPackageArn"]
    ctx = CheckContext({"model_package_arn": arn})

    pending = lab2.package_approved.run(ctx)
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")

    assert pending.status == "failed" and "still PendingManualApproval" in pending.message
    assert lab2.package_approved.run(ctx).status == "passed"
