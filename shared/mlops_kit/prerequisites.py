"""What a lab needs from earlier labs, re-created in seconds, so that every lab stands alone.

``approved_credit_model(session)`` gives lab 4 (monitoring) what labs 1-2 would have left
behind: the credit data split and uploaded to S3, a model trained by a real training job
of the built-in XGBoost algorithm, and that model registered as an **Approved** package
in the model registry. It uses only boto3 calls of the session, so it works the same on
the local backend (seconds) and on AWS (a training job: 3-5 minutes, a few cents).
It prints each step, so a learner sees what was made for them.
"""

import io
import time
from datetime import datetime, timezone

import pandas as pd
from sklearn.model_selection import train_test_split

from mlops_kit.data import FEATURES, LABEL, synthetic_credit_data

MODEL_PACKAGE_GROUP = "CreditModels"  # the group lab 2's pipeline registers into
XGBOOST_VERSION = "1.7-1"
HYPERPARAMETERS = {"max_depth": "5", "eta": "0.2", "gamma": "4", "min_child_weight": "6", "subsample": "0.8",
                   "objective": "binary:logistic", "eval_metric": "auc", "num_round": "100"}  # lab 1's
FINISHED = ("Completed", "Failed", "Stopped")


class PrerequisiteError(RuntimeError):
    """A prerequisite could not be made; the message says which step and what to do."""


def approved_credit_model(session, *, rows: int = 6000, seed: int = 0, prefix: str = "prerequisites",
                          model_package_group: str = MODEL_PACKAGE_GROUP, poll_seconds: float | None = None) -> dict:
    """Split, upload, train and register an Approved credit model; return where everything is.

    Returns a dict with ``model_package_arn``, ``model_package_group``, ``model_data`` (the
    model.tar.gz), ``image_uri``, ``training_job_name``, ``train_with_header_uri`` (the
    training rows with their header, label first: what lab 1 wrote for monitoring),
    ``train_uri``/``validation_uri`` (label first, no header), and ``train_features`` /
    ``test_features`` (DataFrames of the 23 features, for baselines and traffic).
    """
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d-%H-%M-%S-%f")[:-3]  # as the SDK's unique names
    poll = poll_seconds if poll_seconds is not None else (0.2 if session.backend == "local" else 15)
    data = synthetic_credit_data(rows, seed=seed)
    rest, test = train_test_split(data, test_size=0.2, stratify=data[LABEL], random_state=seed)
    train, validation = train_test_split(rest, test_size=0.125, stratify=rest[LABEL], random_state=seed)
    folder = f"{prefix}/credit-{stamp}"
    base = f"s3://{session.bucket}/{folder}"
    uris = {
        "train_uri": _upload(session, train, f"{folder}/train/train.csv", header=False),
        "validation_uri": _upload(session, validation, f"{folder}/validation/validation.csv", header=False),
        "train_with_header_uri": _upload(session, train, f"{folder}/train_headers/train_data_with_headers.csv",
                                         header=True),
    }
    print(f"1. Uploaded synthetic credit data ({len(train):,} train, {len(validation):,} validation, "
          f"{len(test):,} test rows) under {base}/")

    image_uri = _xgboost_image(session)
    job_name = f"prerequisite-xgboost-{stamp}"
    model_data = _train(session, job_name, image_uri, base, uris, poll)
    print(f"2. Trained XGBoost {XGBOOST_VERSION} (lab 1's hyperparameters) in training job {job_name}: {model_data}")

    package_arn = _register_approved(session, model_package_group, image_uri, model_data, job_name)
    print(f"3. Registered it in model package group {model_package_group!r} as Approved: {package_arn}")
    return {
        "model_package_arn": package_arn, "model_package_group": model_package_group, "model_data": model_data,
        "image_uri": image_uri, "training_job_name": job_name, **uris,
        "train_features": train[FEATURES].reset_index(drop=True),
        "test_features": test[FEATURES].reset_index(drop=True),
    }


def _upload(session, frame: pd.DataFrame, key: str, header: bool) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, header=header, index=False)
    session.client("s3").put_object(Bucket=session.bucket, Key=key, Body=buffer.getvalue().encode())
    return f"s3://{session.bucket}/{key}"


def _xgboost_image(session) -> str:
    from sagemaker.core import image_uris

    return image_uris.retrieve("xgboost", session.region, XGBOOST_VERSION)


def _train(session, job_name: str, image_uri: str, base: str, uris: dict, poll: float) -> str:
    sagemaker = session.client("sagemaker")

    def channel(name: str) -> dict:
        prefix = uris[f"{name}_uri"].rsplit("/", 1)[0] + "/"
        return {"ChannelName": name, "ContentType": "text/csv", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": prefix, "S3DataDistributionType": "FullyReplicated"}}}

    sagemaker.create_training_job(
        TrainingJobName=job_name, RoleArn=session.role_arn, HyperParameters=HYPERPARAMETERS,
        AlgorithmSpecification={"TrainingImage": image_uri, "TrainingInputMode": "File"},
        InputDataConfig=[channel("train"), channel("validation")],
        OutputDataConfig={"S3OutputPath": f"{base}/models"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 1800},
    )
    while True:
        job = sagemaker.describe_training_job(TrainingJobName=job_name)
        if job["TrainingJobStatus"] in FINISHED:
            break
        time.sleep(poll)
    if job["TrainingJobStatus"] != "Completed":
        raise PrerequisiteError(f"Training job {job_name} is {job['TrainingJobStatus']}: "
                                f"{job.get('FailureReason', 'no reason given')}. Read its log in CloudWatch Logs "
                                "(/aws/sagemaker/TrainingJobs), then run this cell again.")
    return job["ModelArtifacts"]["S3ModelArtifacts"]


def _register_approved(session, group: str, image_uri: str, model_data: str, job_name: str) -> str:
    sagemaker = session.client("sagemaker")
    try:
        sagemaker.describe_model_package_group(ModelPackageGroupName=group)
    except sagemaker.exceptions.ClientError:
        sagemaker.create_model_package_group(ModelPackageGroupName=group,
                                             ModelPackageGroupDescription="Credit default models (XGBoost)")
    return sagemaker.create_model_package(
        ModelPackageGroupName=group, ModelApprovalStatus="Approved",
        ModelPackageDescription=f"Re-created for a stand-alone lab from training job {job_name}",
        InferenceSpecification={
            "Containers": [{"Image": image_uri, "ModelDataUrl": model_data}],
            "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"],
            "SupportedRealtimeInferenceInstanceTypes": ["ml.m5.large"],
            "SupportedTransformInstanceTypes": ["ml.m5.large"],
        },
    )["ModelPackageArn"]
