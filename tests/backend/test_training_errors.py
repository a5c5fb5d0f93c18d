"""Bad training input fails the job as the real service does, with a message saying what to fix."""

import boto3
import pytest
from sagemaker.core import image_uris
from sagemaker.core.utils.exceptions import FailedStatusError
from sagemaker.train import ModelTrainer
from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig

from test_training import BUCKET, HYPERPARAMETERS, REGION, ROLE, channel, create_job, rows_csv, s3, wait_for

__all__ = ["s3"]  # the fixture, shared with test_training


def failure_of(name, **job):
    create_job(name, **job)
    description = wait_for(name)
    assert description["TrainingJobStatus"] == "Failed"
    assert description["SecondaryStatus"] == "Failed"
    assert "ModelArtifacts" not in description
    return description["FailureReason"]


def test_model_trainer_raises_with_the_bad_hyperparameter_named(s3):
    trainer = ModelTrainer(
        training_image=image_uris.retrieve("xgboost", REGION, "3.2-0"), role=ROLE,
        compute=Compute(instance_type="ml.m5.large", instance_count=1),
        hyperparameters={"objective": "binary:logistic", "num_round": 5, "eta": 1.5},
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{BUCKET}/models"),
    )
    with pytest.raises(FailedStatusError, match=r"ClientError: Hyperparameter eta: 1.5 is not in \[0, 1\]"):
        trainer.train(input_data_config=[InputData(channel_name="train", content_type="text/csv",
                                                   data_source=f"s3://{BUCKET}/data/train")],
                      wait=True, logs=False)


def test_unknown_image_fails_listing_the_supported_images(s3):
    reason = failure_of("unknown-image", image="123456789012.dkr.ecr.us-east-1.amazonaws.com/my-trainer:latest")
    assert reason.startswith("ClientError: The training image")
    assert "my-trainer:latest" in reason
    assert "1.7-1" in reason and "3.0-5" in reason and "3.2-0" in reason


def test_unsupported_xgboost_version_fails(s3):
    reason = failure_of("old-version", image=image_uris.retrieve("xgboost", REGION, "0.90-1"))
    assert "sagemaker-xgboost:0.90-1" in reason and "supported versions" in reason


def test_missing_num_round(s3):
    hyperparameters = {k: v for k, v in HYPERPARAMETERS.items() if k != "num_round"}
    assert failure_of("no-rounds", hyperparameters=hyperparameters).startswith(
        "ClientError: Missing required hyperparameter: num_round")


def test_bad_objective_lists_the_accepted_ones(s3):
    reason = failure_of("bad-objective", hyperparameters={**HYPERPARAMETERS, "objective": "binary:logistc"})
    assert "Hyperparameter objective: value binary:logistc not in range" in reason
    assert "binary:logistic" in reason


def test_empty_s3_prefix_fails_as_the_service_does(s3):
    reason = failure_of("empty-prefix", channels=[channel("train", "nothing/here")])
    assert reason.startswith(f'ClientError: No S3 objects found under S3 URL "s3://{BUCKET}/nothing/here"')


def test_missing_train_channel(s3):
    reason = failure_of("no-train", channels=[channel("validation", "data/validation")])
    assert reason.startswith("ClientError: Missing required channel: train")


def test_csv_with_a_header_says_how_to_write_it(s3):
    s3.put_object(Bucket=BUCKET, Key="header/train.csv", Body=rows_csv(20, header=True))
    reason = failure_of("header", channels=[channel("train", "header/")])
    assert "Non-numeric value 'default'" in reason and "header=False" in reason


def test_csv_sent_without_content_type_is_read_as_libsvm_and_says_so(s3):
    reason = failure_of("no-content-type", channels=[channel("train", "data/train", content_type=None)])
    assert "set the channel's content type to 'text/csv'" in reason


def test_server_keeps_training_after_failures(s3):
    failure_of("first-fails", hyperparameters={**HYPERPARAMETERS, "max_depth": "deep"})
    create_job("then-works")
    assert wait_for("then-works")["TrainingJobStatus"] == "Completed"


def test_reusing_a_job_name_is_a_validation_exception(s3):
    sagemaker = create_job("same-name")
    with pytest.raises(sagemaker.exceptions.ClientError) as raised:
        create_job("same-name")
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "a training job with this name already exists (same-name)" in error["Message"]
    assert wait_for("same-name")["TrainingJobStatus"] == "Completed"


def test_script_mode_is_refused_with_what_to_do_instead(s3):
    boto3.client("sagemaker").create_training_job(
        TrainingJobName="script-mode", RoleArn=ROLE, HyperParameters=HYPERPARAMETERS,
        AlgorithmSpecification={"TrainingImage": image_uris.retrieve("xgboost", REGION, "1.7-1"),
                                "TrainingInputMode": "File",
                                "ContainerEntrypoint": ["/bin/bash"],
                                "ContainerArguments": ["/opt/ml/input/data/sm_drivers/sm_train.sh"]},
        InputDataConfig=[channel("train", "data/train")],
        OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 600})
    reason = wait_for("script-mode")["FailureReason"]
    assert reason.startswith("ClientError: The local backend runs the built-in XGBoost algorithm (no source_code")
