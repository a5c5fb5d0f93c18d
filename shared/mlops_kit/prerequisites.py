"""What a lab needs from earlier labs, re-created in seconds, so that every lab stands alone.

``approved_credit_model(session)`` gives lab 4 (monitoring) what lab 2 would have left
behind: lab 2's pipeline (``CreditPipeline``, built by the workshop's reference solution
``solutions/lab2-pipeline``), one run of it on the credit data, and the model that run
registered, **Approved** in the model registry. The pipeline stays, so lab 4 can retrain
with it. Only SageMaker SDK and boto3 calls of the session are used, so it works the
same on the local backend (seconds) and on AWS (a pipeline run: 15-25 minutes, a few
cents). It prints each step, so a learner sees what was made for them.
"""

import importlib.util
import io
import logging
import time
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from mlops_kit.data import COLUMNS, FEATURES, synthetic_credit_data
from mlops_kit.lab_kernel import DEFINITION_LOGGERS, PIPELINE_SESSION_WARNING
from mlops_kit.project import NotInWorkshopError, repo_root
from mlops_kit.s3_uri import split_s3_uri

PIPELINE_NAME = "CreditPipeline"  # get_pipeline's defaults in lab 2's reference solution
MODEL_PACKAGE_GROUP = "CreditModels"
REFERENCE_PIPELINE = Path("solutions", "lab2-pipeline", "pipelines", "credit", "pipeline.py")
FINISHED = ("Succeeded", "Failed", "Stopped")
# Building a definition, the SDK warns that it leaves out job names (SageMaker names each run's jobs).


class PrerequisiteError(RuntimeError):
    """A prerequisite could not be made; the message says which step and what to do."""


def approved_credit_model(session, *, rows: int = 6000, seed: int = 0, prefix: str = "prerequisites",
                          pipeline_name: str = PIPELINE_NAME, model_package_group: str = MODEL_PACKAGE_GROUP,
                          poll_seconds: float | None = None) -> dict:
    """Run lab 2's pipeline on synthetic credit data and approve the model it registers; return where things are.

    Returns a dict with ``pipeline_name``, ``pipeline_execution_arn``, ``input_data_url``
    (the raw CSV the run read), ``model_package_arn``, ``model_package_group``,
    ``model_data`` (the model.tar.gz), and ``train_features`` / ``test_features``:
    DataFrames of the 23 features as the pipeline prepared them (amounts scaled), the
    model's training rows and the rows it never saw.
    """
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d-%H-%M-%S-%f")[:-3]  # as the SDK's unique names
    poll = poll_seconds if poll_seconds is not None else (0.2 if session.backend == "local" else 30)
    sagemaker = session.client("sagemaker")

    key = f"{prefix}/raw-{stamp}/credit.csv"
    session.client("s3").put_object(Bucket=session.bucket, Key=key,
                                    Body=synthetic_credit_data(rows, seed=seed).to_csv(index=False).encode())
    input_data_url = f"s3://{session.bucket}/{key}"
    print(f"1. Uploaded {rows:,} rows of synthetic credit data: {input_data_url}")

    _upsert_reference_pipeline(session, pipeline_name, model_package_group, prefix)
    execution_arn = sagemaker.start_pipeline_execution(
        PipelineName=pipeline_name, PipelineExecutionDescription="approved_credit_model",
        PipelineParameters=[{"Name": "InputDataUrl", "Value": input_data_url}])["PipelineExecutionArn"]
    steps = _finished_steps(sagemaker, pipeline_name, execution_arn, poll)
    print(f"2. Ran lab 2's pipeline {pipeline_name!r}: " + " -> ".join(steps))

    package_arn = steps["RegisterCreditModel"]["Metadata"]["RegisterModel"]["Arn"]
    sagemaker.update_model_package(ModelPackageArn=package_arn, ModelApprovalStatus="Approved",
                                   ApprovalDescription="Approved by approved_credit_model for a stand-alone lab")
    print(f"3. Approved the model it registered in {model_package_group!r}: {package_arn}")

    package = sagemaker.describe_model_package(ModelPackageName=package_arn)
    parts = _processing_outputs(sagemaker, steps["PreprocessCreditData"])
    return {
        "pipeline_name": pipeline_name, "pipeline_execution_arn": execution_arn, "input_data_url": input_data_url,
        "model_package_arn": package_arn, "model_package_group": model_package_group,
        "model_data": package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"],
        "train_features": _features(session, f"{parts['train']}/train.csv"),
        "test_features": _features(session, f"{parts['test']}/test.csv"),
    }


def credit_pipeline_package() -> Path:
    """Lab 2's package ``pipelines/credit`` as the workshop's reference solution has it (lab 3's modelbuild uses it)."""
    try:
        path = repo_root(Path(__file__).parent) / REFERENCE_PIPELINE
    except NotInWorkshopError:
        path = None
    if path is None or not path.is_file():
        raise PrerequisiteError(f"Lab 2's reference pipeline ({REFERENCE_PIPELINE}) is not next to the kit: install "
                                "the kit from a clone of the workshop repository (./workshop, or pip install -e ./shared).")
    return path.parent


def _upsert_reference_pipeline(session, pipeline_name: str, model_package_group: str, prefix: str) -> None:
    """Create or update lab 2's pipeline, built by the reference solution's own ``get_pipeline``."""
    path = credit_pipeline_package() / REFERENCE_PIPELINE.name
    spec = importlib.util.spec_from_file_location("mlops_kit_reference_credit_pipeline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with _quiet_definition_building():
        pipeline = module.get_pipeline(region=session.region, role=session.role_arn, default_bucket=session.bucket,
                                       model_package_group_name=model_package_group, pipeline_name=pipeline_name,
                                       base_job_prefix=prefix)
        pipeline.upsert(role_arn=session.role_arn,
                        description="Lab 2's credit pipeline, re-created by approved_credit_model")


@contextmanager
def _quiet_definition_building():
    loggers = [logging.getLogger(name) for name in DEFINITION_LOGGERS]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PIPELINE_SESSION_WARNING)
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)


def _finished_steps(sagemaker, pipeline_name: str, execution_arn: str, poll: float) -> dict:
    """Wait for the run; its steps by name, or a PrerequisiteError naming the step that failed."""
    while True:
        execution = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn)
        if execution["PipelineExecutionStatus"] in FINISHED:
            break
        time.sleep(poll)
    listed = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution_arn, SortOrder="Ascending")
    steps = {step["StepName"]: step for step in listed["PipelineExecutionSteps"]}
    if execution["PipelineExecutionStatus"] != "Succeeded" or "RegisterCreditModel" not in steps:
        failed = [f"{name}: {step.get('FailureReason', step['StepStatus'])}" for name, step in steps.items()
                  if step["StepStatus"] != "Succeeded"]
        raise PrerequisiteError(f"Pipeline {pipeline_name} ended {execution['PipelineExecutionStatus']} without "
                                f"registering a model ({'; '.join(failed) or execution.get('FailureReason')}). Look "
                                f"at the run {execution_arn} (list_pipeline_execution_steps), then run this cell "
                                "again.")
    return steps


def _processing_outputs(sagemaker, step: dict) -> dict:
    job_name = step["Metadata"]["ProcessingJob"]["Arn"].split("/")[-1]
    outputs = sagemaker.describe_processing_job(ProcessingJobName=job_name)["ProcessingOutputConfig"]["Outputs"]
    return {output["OutputName"]: output["S3Output"]["S3Uri"].rstrip("/") for output in outputs}


def _features(session, uri: str) -> pd.DataFrame:
    """A part the pipeline wrote (label first, no header), as the 23 features the model reads."""
    bucket, key = split_s3_uri(uri)
    body = session.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return pd.read_csv(io.BytesIO(body), header=None, names=COLUMNS)[FEATURES]
