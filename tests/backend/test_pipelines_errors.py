"""Pipelines that go wrong fail at the right step with the underlying message, and stop.

A script that raises, a wrong hyperparameter, a condition on a JSON path the evaluation
file lacks, StopPipelineExecution; built with the SDK v3 classes, run on the local backend.
"""

import time

import pytest
from botocore.exceptions import WaiterError
from test_pipelines import (BUCKET, ROLE, WAIT, credit_pipeline, processor, s3, s3_output, session,  # noqa: F401
                            sm, steps_by_name, workflow, write)

WRITE_EVALUATION = """\
    import json, pathlib
    out = pathlib.Path("/opt/ml/processing/evaluation")
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps({"metrics": {"auc": {"value": 0.8}}}))
"""


def wait_failed(execution):
    with pytest.raises(WaiterError, match="terminal failure state"):
        execution.wait(**WAIT)
    return execution.describe()


def processing_step(tmp_path, name, source, outputs=(), property_files=()):
    sess = session()
    args = processor(sess, name.lower()).run(code=write(tmp_path, f"{name}.py", source), outputs=list(outputs))
    return workflow()["ProcessingStep"](name=name, step_args=args, property_files=list(property_files))


def pipeline_of(name, steps, parameters=()):
    return workflow()["Pipeline"](name=name, steps=steps, parameters=list(parameters), sagemaker_session=session())


def test_a_script_that_raises_fails_its_step_with_the_scripts_error(tmp_path, s3, sm):
    # The script reaches the local server through boto3 first (the step passes the server's URL).
    step = processing_step(tmp_path, "Prepare", f"import boto3\nboto3.client('s3').head_bucket(Bucket='{BUCKET}')\n"
                                                "raise ValueError('column LIMIT_BAL is missing')\n")
    pipeline = pipeline_of("raises", [step])
    pipeline.upsert(role_arn=ROLE)

    described = wait_failed(pipeline.start())

    assert described["PipelineExecutionStatus"] == "Failed"
    assert described["FailureReason"].startswith("Step Prepare failed: AlgorithmError:")
    assert "ValueError: column LIMIT_BAL is missing" in described["FailureReason"]
    [prepare] = sm.list_pipeline_execution_steps(
        PipelineExecutionArn=described["PipelineExecutionArn"])["PipelineExecutionSteps"]
    assert prepare["StepStatus"] == "Failed"
    assert "ValueError: column LIMIT_BAL is missing" in prepare["FailureReason"]
    job = sm.describe_processing_job(ProcessingJobName=prepare["Metadata"]["ProcessingJob"]["Arn"].split("/")[-1])
    assert job["ProcessingJobStatus"] == "Failed" and job["FailureReason"] in prepare["FailureReason"]


def test_a_wrong_hyperparameter_fails_the_training_step(tmp_path, s3, sm):
    pipeline = credit_pipeline(tmp_path, name="bad-hyperparameter",
                               hyperparameters={"objective": "binary:logistic", "num_round": "5", "max_depth": "deep"})
    pipeline.upsert(role_arn=ROLE)

    execution = pipeline.start()
    described = wait_failed(execution)

    steps = steps_by_name(execution)
    assert set(steps) == {"Preprocess", "Train"}  # nothing after the failed step starts
    assert steps["Train"]["StepStatus"] == "Failed"
    assert "max_depth" in steps["Train"]["FailureReason"]
    assert steps["Train"]["FailureReason"].startswith("ClientError")
    assert described["FailureReason"] == f"Step Train failed: {steps['Train']['FailureReason']}"
    job = sm.describe_training_job(TrainingJobName=steps["Train"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1])
    assert job["TrainingJobStatus"] == "Failed"


def evaluation_and_condition(tmp_path, json_path):
    w = workflow()
    evaluation = w["PropertyFile"](name="Evaluation", output_name="evaluation", path="evaluation.json")
    evaluate = processing_step(
        tmp_path, "Evaluate", WRITE_EVALUATION, property_files=[evaluation],
        outputs=[s3_output("evaluation", f"s3://{BUCKET}/evaluation", "/opt/ml/processing/evaluation")])
    auc = w["JsonGet"](step_name="Evaluate", property_file=evaluation, json_path=json_path)
    fail = w["FailStep"](name="TooLow", error_message="AUC too low")
    check = w["ConditionStep"](name="CheckAuc", if_steps=[], else_steps=[fail], conditions=[
        w["ConditionGreaterThanOrEqualTo"](left=auc, right=0.7)])
    return pipeline_of("evaluation", [evaluate, check])


def test_a_condition_on_a_json_path_the_file_lacks_fails_the_condition_step(tmp_path, s3, sm):
    pipeline = evaluation_and_condition(tmp_path, "binary_classification_metrics.auc.value")
    pipeline.upsert(role_arn=ROLE)

    execution = pipeline.start()
    described = wait_failed(execution)

    steps = steps_by_name(execution)
    assert steps["Evaluate"]["StepStatus"] == "Succeeded"
    assert set(steps) == {"Evaluate", "CheckAuc"}
    reason = steps["CheckAuc"]["FailureReason"]
    assert "binary_classification_metrics.auc.value" in reason
    assert "property file Evaluation of step Evaluate" in reason and "['metrics']" in reason
    assert described["FailureReason"] == f"Step CheckAuc failed: {reason}"


def test_the_fixed_json_path_upserted_again_runs_the_if_branch(tmp_path, s3, sm):
    evaluation_and_condition(tmp_path, "binary_classification_metrics.auc.value").upsert(role_arn=ROLE)
    pipeline = evaluation_and_condition(tmp_path, "metrics.auc.value")
    pipeline.upsert(role_arn=ROLE)  # the pipeline exists: the SDK updates it

    execution = pipeline.start()
    execution.wait(**WAIT)

    steps = steps_by_name(execution)
    assert steps["CheckAuc"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    assert "TooLow" not in steps


SLEEP = "import time\ntime.sleep(30)\n"


def test_stopping_an_execution_stops_its_running_steps(tmp_path, s3, sm):
    first = processing_step(tmp_path, "SleepA", SLEEP)
    second = processing_step(tmp_path, "SleepB", SLEEP)
    after = processing_step(tmp_path, "After", "print('never')\n")
    after.add_depends_on([first])
    pipeline = pipeline_of("sleepy", [first, second, after])
    pipeline.upsert(role_arn=ROLE)
    execution = pipeline.start()

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        statuses = {s["StepName"]: s["StepStatus"] for s in execution.list_steps()}
        if statuses == {"SleepA": "Executing", "SleepB": "Executing"}:
            break  # independent steps run at the same time; After waits for SleepA
        time.sleep(0.05)
    assert statuses == {"SleepA": "Executing", "SleepB": "Executing"}

    execution.stop()
    assert execution.describe()["PipelineExecutionStatus"] in ("Stopping", "Stopped")
    deadline = time.monotonic() + 10
    while execution.describe()["PipelineExecutionStatus"] == "Stopping" and time.monotonic() < deadline:
        time.sleep(0.05)

    assert execution.describe()["PipelineExecutionStatus"] == "Stopped"
    steps = steps_by_name(execution)
    assert {name: step["StepStatus"] for name, step in steps.items()} == {"SleepA": "Stopped", "SleepB": "Stopped"}
    for step in steps.values():
        job = sm.describe_processing_job(ProcessingJobName=step["Metadata"]["ProcessingJob"]["Arn"].split("/")[-1])
        assert job["ProcessingJobStatus"] == "Stopped"
    with pytest.raises(sm.exceptions.ConflictException, match="is Stopped"):
        sm.stop_pipeline_execution(PipelineExecutionArn=execution.arn)
