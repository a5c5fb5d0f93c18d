"""A failing processing job reports the script's own error, and the server keeps serving."""

import threading
import time

import boto3
import pytest
from sagemaker.core import image_uris

from test_processing import BUCKET, RAW, log_messages, processor, run, s3, s3_input, wait_for, write_script

__all__ = ["s3"]  # the fixture, shared with test_processing


def test_script_that_raises_fails_with_its_own_error(s3, tmp_path):
    description = run(tmp_path, """
        import pandas as pd
        frame = pd.read_csv("/opt/ml/processing/input/credit.csv")
        print("columns", list(frame.columns))
        frame = frame.drop(columns=["LIMIT_BAL"])
        print(frame["LIMIT_BAL"].mean())
    """)
    assert description["ProcessingJobStatus"] == "Failed"
    reason = description["FailureReason"]
    assert reason.startswith("AlgorithmError: ")
    assert reason.endswith("KeyError: 'LIMIT_BAL'")
    assert 'File "/opt/ml/processing/input/code/preprocess.py", line 6' in reason
    assert description["ExitMessage"].endswith("KeyError: 'LIMIT_BAL'")
    messages = log_messages(description["ProcessingJobName"])
    assert "columns ['ID', 'LIMIT_BAL', 'AGE', 'default']" in messages
    assert "Traceback (most recent call last):" in messages


def test_syntax_error_names_the_line(s3, tmp_path):
    description = run(tmp_path, "import pandas as pd\nframe = pd.read_csv(\n")
    assert description["ProcessingJobStatus"] == "Failed"
    assert "SyntaxError: '(' was never closed" in description["FailureReason"]
    assert "preprocess.py\", line 2" in description["FailureReason"]


def test_non_zero_exit_without_traceback(s3, tmp_path):
    description = run(tmp_path, "import sys\nprint('no rows left after filtering')\nsys.exit(3)\n")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"] == "AlgorithmError: no rows left after filtering"


def test_missing_s3_input_fails_before_running(s3, tmp_path):
    description = run(tmp_path, "print('never runs')",
                      inputs=[s3_input("raw", f"s3://{BUCKET}/raw/missing.csv", "/opt/ml/processing/input")])
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"].startswith(
        f'ClientError: No S3 objects found under S3 URL "s3://{BUCKET}/raw/missing.csv"')
    assert "never runs" not in log_messages(description["ProcessingJobName"])


def test_unknown_image_lists_the_images_that_run(s3, tmp_path):
    description = run(tmp_path, "print('hi')",
                      image="123456789012.dkr.ecr.us-east-1.amazonaws.com/my-processing:latest")
    assert description["ProcessingJobStatus"] == "Failed"
    reason = description["FailureReason"]
    assert "my-processing:latest" in reason and 'image_uris.retrieve("sklearn"' in reason


def test_command_that_is_not_python_is_explained(s3):
    boto3.client("sagemaker").create_processing_job(
        ProcessingJobName="bash-job", RoleArn="arn:aws:iam::123456789012:role/SageMakerRole",
        AppSpecification={"ImageUri": image_uris.retrieve("sklearn", "us-east-1", "1.2-1"),
                          "ContainerEntrypoint": ["bash", "-c", "ls"]},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                               "VolumeSizeInGB": 5}})
    reason = wait_for("bash-job")["FailureReason"]
    assert reason.startswith("ClientError: the container command ['bash', '-c', 'ls'] does not run a Python script")
    assert "command=['python3']" in reason


def test_input_outside_opt_ml_processing_is_rejected(s3, tmp_path):
    description = run(tmp_path, "print('hi')", inputs=[s3_input("raw", f"s3://{BUCKET}/raw/", "/data/raw")])
    assert "LocalPath '/data/raw' must be under /opt/ml/processing/" in description["FailureReason"]


def test_server_keeps_serving_after_a_failed_script(s3, tmp_path):
    assert run(tmp_path, "raise RuntimeError('boom')")["ProcessingJobStatus"] == "Failed"
    assert run(tmp_path, "print('fine')")["ProcessingJobStatus"] == "Completed"
    boto3.client("s3").put_object(Bucket=BUCKET, Key="still/works.txt", Body=b"ok")


def test_reusing_a_job_name_is_a_validation_exception(s3, tmp_path):
    script_processor = processor()
    code = write_script(tmp_path, "print('once')")
    script_processor.run(code=code, inputs=[RAW], job_name="fixed-name", wait=False, logs=False)
    with pytest.raises(boto3.client("sagemaker").exceptions.ClientError) as raised:
        script_processor.run(code=code, inputs=[RAW], job_name="fixed-name", wait=False, logs=False)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "a job with this name already exists (fixed-name)" in raised.value.response["Error"]["Message"]
    assert wait_for("fixed-name")["ProcessingJobStatus"] == "Completed"


def test_a_script_over_max_runtime_is_stopped(s3, tmp_path):
    script_processor = processor()
    script_processor.max_runtime_in_seconds = 1
    script_processor.run(code=write_script(tmp_path, "import time\nprint('working', flush=True)\ntime.sleep(60)\n"),
                         inputs=[RAW], wait=False, logs=False)
    description = wait_for(script_processor.latest_job.processing_job_name, timeout=20)
    assert description["ProcessingJobStatus"] == "Stopped"
    assert "MaxRuntimeInSeconds (1 s)" in description["ExitMessage"]


def test_stop_processing_job_ends_the_script(s3, tmp_path):
    script_processor = processor()
    script_processor.run(code=write_script(tmp_path, "import time\ntime.sleep(60)\nopen('/opt/ml/processing/out/x', 'w')\n"),
                         inputs=[RAW], wait=False, logs=False)
    name = script_processor.latest_job.processing_job_name
    time.sleep(0.5)  # let the script start
    boto3.client("sagemaker").stop_processing_job(ProcessingJobName=name)
    assert wait_for(name, timeout=20)["ProcessingJobStatus"] == "Stopped"
    deadline = time.monotonic() + 10  # the server runs in this process: its job thread ends
    while any(t.name == f"mlops-kit-job-{name}" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the stopped script is still running"
        time.sleep(0.1)
