"""Checks for lab 2 (refactoring the notebook into a SageMaker Pipeline).

They read the pipeline as SageMaker stores it (its definition JSON), its executions and
the model registry through boto3, so the same checks grade a run on either backend.
"""

import json
import re

from botocore.exceptions import ClientError

from mlops_kit.grading import CheckFailed, graded
from mlops_kit.grading.checks import s3_location
from mlops_kit.grading.handin import HandIn
from mlops_kit.grading.results import strip_ansi

LAB = "lab2"
# Exercise -> the earlier exercises whose results it uses (see grading.grader).
# The pipeline is built by the package's get_pipeline: every later exercise uses the package.
BUILDS_ON = {"definition": ("package",), "run": ("definition",), "fail_path": ("definition",), "approve": ("run",)}
# The learner edits the package and its tests in the lab's folder: they are handed in with the notebook.
# conftest.py and pytest.ini always come from the kit, so a submission cannot switch its tests off.
HAND_IN = HandIn("lab2-pipeline", ("pipelines/credit/*.py", "tests/*.py"))
STEPS = {"PreprocessCreditData": "Processing", "TrainCreditModel": "Training",
         "EvaluateCreditModel": "Processing", "CheckAucCreditEvaluation": "Condition"}
PARAMETERS = {"ProcessingInstanceCount", "ProcessingInstanceType", "TrainingInstanceType",
              "ModelApprovalStatus", "InputDataUrl", "AucThreshold"}
AUC_PATH = "binary_classification_metrics.auc.value"
FAIL_STEP = "AucTooLow"
REGISTER_STEP = "RegisterCreditModel"


def sagemaker_call(ctx, what: str, operation: str, hint: str = "", **arguments) -> dict:
    try:
        return getattr(ctx.client("sagemaker"), operation)(**arguments)
    except ClientError as error:
        raise CheckFailed(f"{what} cannot be read: {error.response['Error']['Message']}", hint=hint)


def stored_definition(ctx) -> dict:
    """The definition SageMaker holds for the learner's pipeline (what runs, whatever the notebook shows)."""
    name = ctx.get("pipeline_name")
    described = sagemaker_call(ctx, f"The pipeline {name!r}", "describe_pipeline", PipelineName=name,
                               hint="Run pipeline.upsert(role_arn=role) after building the pipeline.")
    return json.loads(described["PipelineDefinition"])


def all_steps(steps: list[dict]) -> dict[str, dict]:
    """Every step by name, the condition's branches included."""
    found = {}
    for step in steps:
        found[step["Name"]] = step
        if step.get("Type") == "Condition":
            arguments = step.get("Arguments", {})
            found.update(all_steps(arguments.get("IfSteps", []) + arguments.get("ElseSteps", [])))
    return found


def condition_step(definition: dict) -> dict:
    steps = all_steps(definition.get("Steps", []))
    condition = steps.get("CheckAucCreditEvaluation")
    if condition is None or condition.get("Type") != "Condition":
        raise CheckFailed("The pipeline has no Condition step named CheckAucCreditEvaluation.",
                          hint="Complete the second block of get_pipeline, then run the pipeline cell and upsert again.")
    return condition


def pytest_failures(output: str) -> str:
    """What a failed pytest run says, in one line: each failing test with its assertion, or its last line."""
    text = strip_ansi(output)
    failures = [line.split(" ", 1)[1] for line in text.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    if failures:
        return "; ".join(failures)
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "pytest printed nothing (did it run?)"


@graded(LAB, exercise="package", points=2, success="The credit package's tests pass.")
def package_tests_pass(ctx):
    result = ctx.get("package_tests")
    output = f"{getattr(result, 'stdout', '')}{getattr(result, 'stderr', '')}"
    if getattr(result, "returncode", None) != 0:
        if "NotImplementedError" in output:
            raise CheckFailed("Some of the package's functions or tests are still TODO (NotImplementedError).",
                              hint="Complete split_and_scale, binary_classification_metrics and the two tests, "
                                   "then run the test cell again.")
        raise CheckFailed(f"The package's tests do not pass: {pytest_failures(output)}",
                          hint="Read the test output above: each failure names the test and the line.")
    passed = re.search(r"(\d+) passed", output)
    if not passed or int(passed.group(1)) < 4:
        raise CheckFailed("The test run should pass the project's 4 tests or more; "
                          f"it reports {passed.group(0) if passed else 'none passed'}.",
                          hint="Keep every test in tests/test_credit_package.py and run pytest on the project folder.")


@graded(LAB, exercise="definition", points=2, success="The pipeline has the five steps and the six parameters.")
def definition_has_the_steps_and_parameters(ctx):
    definition = stored_definition(ctx)
    steps = all_steps(definition.get("Steps", []))
    for name, kind in STEPS.items():
        if steps.get(name, {}).get("Type") != kind:
            raise CheckFailed(f"The pipeline has no {kind} step named {name}; its steps are {sorted(steps)}.",
                              hint="Keep the step names of pipeline.py: CI and the checks look them up by name.")
    if steps.get(REGISTER_STEP, {}).get("Type") not in {"RegisterModel", "Model"}:
        raise CheckFailed(f"The pipeline has no {REGISTER_STEP} step registering the model.")
    if steps.get(FAIL_STEP, {}).get("Type") != "Fail":
        raise CheckFailed(f"The pipeline has no Fail step named {FAIL_STEP}.",
                          hint="else_steps=[FailStep(name=\"AucTooLow\", error_message=...)]")
    parameters = {parameter["Name"]: parameter for parameter in definition.get("Parameters", [])}
    missing = sorted(PARAMETERS - set(parameters))
    if missing:
        raise CheckFailed(f"The pipeline does not declare the parameter(s) {', '.join(missing)}.",
                          hint="Pass every parameter to Pipeline(parameters=[...]).")
    approval = parameters["ModelApprovalStatus"].get("DefaultValue")
    if approval != "PendingManualApproval":
        raise CheckFailed(f"ModelApprovalStatus defaults to {approval!r}: every model would skip review.",
                          hint='Default it to "PendingManualApproval"; a person approves a model after reading its metrics.')


@graded(LAB, exercise="definition", points=1, success="The preprocessing step reads the InputDataUrl parameter.")
def preprocessing_reads_the_input_data_url(ctx):
    steps = all_steps(stored_definition(ctx).get("Steps", []))
    inputs = steps.get("PreprocessCreditData", {}).get("Arguments", {}).get("ProcessingInputs", [])
    sources = [item.get("S3Input", {}).get("S3Uri") for item in inputs]
    if {"Get": "Parameters.InputDataUrl"} not in sources:
        shown = ", ".join(json.dumps(source) for source in sources) or "nothing"
        raise CheckFailed(f"The preprocessing step reads {shown}, not the InputDataUrl parameter: "
                          "an execution started with another InputDataUrl would still read the same data.",
                          hint="Pass the ParameterString itself as the ProcessingS3Input's s3_uri, not a hard-coded S3 path.")


@graded(LAB, exercise="definition", points=2,
        success="The condition compares the evaluation report's AUC with AucThreshold, and chooses register or fail.")
def condition_reads_the_evaluation_property_file(ctx):
    definition = stored_definition(ctx)
    condition = condition_step(definition)
    evaluate = all_steps(definition["Steps"]).get("EvaluateCreditModel", {})
    property_files = {item.get("PropertyFileName"): item for item in evaluate.get("PropertyFiles", [])}
    if not property_files:
        raise CheckFailed("EvaluateCreditModel declares no property file, so no later step can read its evaluation.json.",
                          hint="ProcessingStep(..., property_files=[evaluation_report])")
    [comparison, *_] = condition["Arguments"].get("Conditions", [{}]) or [{}]
    if comparison.get("Type") != "GreaterThanOrEqualTo":
        raise CheckFailed(f"The condition is {comparison.get('Type')!r}; a model passes when its AUC is "
                          "greater than or equal to the threshold.", hint="ConditionGreaterThanOrEqualTo(left=..., right=...)")
    left = comparison.get("LeftValue", {})
    json_get = left.get("Std:JsonGet") if isinstance(left, dict) else None
    if not json_get:
        raise CheckFailed(f"The condition's left side is {json.dumps(left)}, not a value read from the evaluation report.",
                          hint="JsonGet(step_name=evaluate.name, property_file=evaluation_report, json_path=...)")
    expected = [{"Get": f"Steps.EvaluateCreditModel.PropertyFiles.{name}"} for name in property_files]
    if json_get.get("PropertyFile") not in expected:
        raise CheckFailed(f"The condition reads {json.dumps(json_get.get('PropertyFile'))}, not the property file "
                          "of EvaluateCreditModel.")
    if json_get.get("Path") != AUC_PATH:
        raise CheckFailed(f"The condition reads the JSON path {json_get.get('Path')!r}; the report has the AUC at {AUC_PATH!r}.")
    if comparison.get("RightValue") != {"Get": "Parameters.AucThreshold"}:
        raise CheckFailed(f"The AUC is compared with {json.dumps(comparison.get('RightValue'))}, not the AucThreshold "
                          "parameter: a threshold set when starting an execution would be ignored.",
                          hint="right=auc_threshold (the ParameterFloat)")
    branches = {key: [step["Name"] for step in condition["Arguments"].get(key, [])] for key in ("IfSteps", "ElseSteps")}
    if REGISTER_STEP not in branches["IfSteps"] or FAIL_STEP not in branches["ElseSteps"]:
        raise CheckFailed(f"The branches are if {branches['IfSteps']} else {branches['ElseSteps']}; expected if "
                          f"[{REGISTER_STEP}] else [{FAIL_STEP}].", hint="if_steps=[register], else_steps=[auc_too_low]")


def execution_of(ctx, variable: str) -> tuple[dict, dict[str, dict]]:
    """The execution kept in `variable`, described, and its steps by name."""
    execution = ctx.get(variable)
    arn = getattr(execution, "arn", None)
    if not arn:
        raise CheckFailed(f"`{variable}` is not a pipeline execution (the object pipeline.start(...) returns).")
    described = sagemaker_call(ctx, f"The execution in `{variable}`", "describe_pipeline_execution",
                               PipelineExecutionArn=arn)
    steps = sagemaker_call(ctx, f"The steps of `{variable}`", "list_pipeline_execution_steps",
                           PipelineExecutionArn=arn)["PipelineExecutionSteps"]
    return described, {step["StepName"]: step for step in steps}


def registered_package(ctx, steps: dict[str, dict]) -> dict:
    arn = steps.get(REGISTER_STEP, {}).get("Metadata", {}).get("RegisterModel", {}).get("Arn")
    if not arn:
        raise CheckFailed(f"The execution registered no model ({REGISTER_STEP} did not run).")
    return sagemaker_call(ctx, "The registered model package", "describe_model_package", ModelPackageName=arn)


def read_s3_json(ctx, uri: str) -> dict:
    bucket, key = s3_location(uri)
    try:
        return json.loads(ctx.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    except ClientError as error:
        raise CheckFailed(f"The evaluation report {uri} cannot be read: {error.response['Error']['Message']}")
    except json.JSONDecodeError as error:
        raise CheckFailed(f"The evaluation report {uri} is not JSON ({error}).")


@graded(LAB, exercise="run", points=2, success="The execution succeeded and registered a model with its test metrics.")
def execution_succeeded_and_registered_a_model_with_metrics(ctx):
    described, steps = execution_of(ctx, "execution")
    status = described["PipelineExecutionStatus"]
    if status != "Succeeded":
        raise CheckFailed(f"The execution is {status}. {described.get('FailureReason', '')}".strip(),
                          hint="Wait for it (execution.wait(...)); if it failed, its FailureReason names the step "
                               "and carries that step's own error.")
    package = registered_package(ctx, steps)
    statistics = package.get("ModelMetrics", {}).get("ModelQuality", {}).get("Statistics", {}).get("S3Uri")
    if not statistics:
        raise CheckFailed("The registered model package has no model quality metrics.",
                          hint="register(..., model_metrics=ModelMetrics(model_statistics=MetricsSource(...)))")
    report = read_s3_json(ctx, statistics)
    if "regression_metrics" in report:
        raise CheckFailed("The evaluation report puts the metrics under regression_metrics: this model is a classifier.",
                          hint="Use binary_classification_metrics, as the model registry shows classifiers' metrics.")
    auc = report.get("binary_classification_metrics", {}).get("auc", {})
    if not isinstance(auc, dict) or not isinstance(auc.get("value"), (int, float)) or not 0.5 <= auc["value"] <= 1:
        raise CheckFailed(f"The report has no AUC at {AUC_PATH} (it has {json.dumps(report)[:200]}).")
    if ctx.get("model_package_arn") != package["ModelPackageArn"]:
        raise CheckFailed("`model_package_arn` is not the package this execution registered.",
                          hint=f'steps["{REGISTER_STEP}"]["Metadata"]["RegisterModel"]["Arn"]')
    if ctx.get("evaluation") != report:
        raise CheckFailed("`evaluation` is not the report the package points to.",
                          hint="Read the S3 object at ModelMetrics.ModelQuality.Statistics.S3Uri and json.loads it.")


@graded(LAB, exercise="run", points=1, hidden=True,
        success="The package holds this execution's model and report, trained on the uploaded data.")
def package_holds_the_executions_model(ctx):
    _, steps = execution_of(ctx, "execution")
    package = registered_package(ctx, steps)
    job_arns = {name: next(iter(steps.get(name, {}).get("Metadata", {}).values()), {}).get("Arn", "")
                for name in ("TrainCreditModel", "PreprocessCreditData")}
    if not all(job_arns.values()):
        raise CheckFailed("The execution has no TrainCreditModel or PreprocessCreditData job.")
    model_data = sagemaker_call(ctx, "The training job", "describe_training_job",
                                TrainingJobName=job_arns["TrainCreditModel"].split("/")[-1])["ModelArtifacts"]["S3ModelArtifacts"]
    if package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] != model_data:
        raise CheckFailed("The registered package does not hold the model this execution trained.")
    execution_id = ctx.get("execution").arn.split("/")[-1]
    if execution_id not in package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]:
        raise CheckFailed("The package's metrics are not this execution's evaluation report (a fixed S3 path is "
                          "overwritten by every run).")
    job = sagemaker_call(ctx, "The preprocessing job", "describe_processing_job",
                         ProcessingJobName=job_arns["PreprocessCreditData"].split("/")[-1])
    if ctx.get("input_data_url") not in [item["S3Input"]["S3Uri"] for item in job["ProcessingInputs"]]:
        raise CheckFailed("The preprocessing job did not read `input_data_url`.")


@graded(LAB, exercise="fail_path", points=2, success="With AucThreshold 0.99 the execution failed at AucTooLow.")
def high_threshold_ends_at_the_fail_step(ctx):
    described, steps = execution_of(ctx, "failed_execution")
    if described["PipelineExecutionStatus"] != "Failed":
        raise CheckFailed(f"`failed_execution` is {described['PipelineExecutionStatus']}, not Failed.",
                          hint='Start it with parameters={"AucThreshold": 0.99, ...} and wait for it to end.')
    if steps.get(FAIL_STEP, {}).get("StepStatus") != "Failed":
        failed = [name for name, step in steps.items() if step["StepStatus"] == "Failed"]
        raise CheckFailed(f"The execution failed at {', '.join(failed) or 'no step'}, not at {FAIL_STEP}: "
                          f"{described.get('FailureReason', '')}",
                          hint="Only the threshold should change: fix the failing step, then start the execution again.")
    if REGISTER_STEP in steps:
        raise CheckFailed("The high-threshold execution registered a model anyway.")
    if not steps.get("CheckAucCreditEvaluation", {}).get("Metadata", {}).get("Condition"):
        raise CheckFailed("The condition step did not record its outcome.")


@graded(LAB, exercise="approve", points=1, success="The registered model is Approved.")
def package_approved(ctx):
    arn = ctx.get("model_package_arn")
    package = sagemaker_call(ctx, f"The model package {arn}", "describe_model_package", ModelPackageName=str(arn))
    status = package["ModelApprovalStatus"]
    if status != "Approved":
        raise CheckFailed(f"The model package is still {status}.",
                          hint='sm.update_model_package(ModelPackageArn=model_package_arn, ModelApprovalStatus="Approved", '
                               'ApprovalDescription=...)')
