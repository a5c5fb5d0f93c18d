"""Processing jobs run the learner's unmodified script: SDK v3 ScriptProcessor and boto3 over HTTP."""

import functools
import io
import json
import os
import tarfile
import textwrap
import time
from pathlib import Path

import boto3
import numpy as np
import pytest
import xgboost as xgb
from sagemaker.core import image_uris
from sagemaker.core.helper.session_helper import Session
from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.resources import ProcessingJob
from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output

from polling import wait_until

REGION = "us-east-1"
BUCKET = "processing-tests"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
CREDIT_CSV = "ID,LIMIT_BAL,AGE,default\n1,20000,24,1\n2,120000,26,1\n3,90000,34,0\n4,50000,37,0\n"


@pytest.fixture
def s3():
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="raw/credit.csv", Body=CREDIT_CSV)
    return client


@functools.cache
def sagemaker_session():
    """One SDK session for the module: building one loads botocore's SageMaker model (~2 s)."""
    return Session(boto_session=boto3.Session(region_name=REGION), default_bucket=BUCKET)


def processor(image=None, env=None):
    session = sagemaker_session()
    return ScriptProcessor(role=ROLE, image_uri=image or image_uris.retrieve("sklearn", REGION, "1.2-1"),
                           command=["python3"], instance_count=1, instance_type="ml.m5.large",
                           env=env, base_job_name="prep", sagemaker_session=session)


def s3_input(name, uri, path):
    return ProcessingInput(input_name=name, s3_input=ProcessingS3Input(
        s3_uri=uri, local_path=path, s3_data_type="S3Prefix", s3_input_mode="File"))


def s3_output(name, path):
    return ProcessingOutput(output_name=name, s3_output=ProcessingS3Output(
        s3_uri=f"s3://{BUCKET}/processed/{name}", local_path=path, s3_upload_mode="EndOfJob"))


RAW = s3_input("raw", f"s3://{BUCKET}/raw/credit.csv", "/opt/ml/processing/input")


def write_script(tmp_path, source, name="preprocess.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def wait_for(name, timeout=60):
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    return wait_until(lambda: sagemaker.describe_processing_job(ProcessingJobName=name), "ProcessingJobStatus",
                      lambda status: status in ("Completed", "Failed", "Stopped"), timeout, f"processing job {name}")


def run(tmp_path, source, inputs=(RAW,), outputs=(), arguments=None, env=None, image=None):
    """ScriptProcessor.run without the SDK's 10 s first poll; returns the final description."""
    script_processor = processor(image=image, env=env)
    script_processor.run(code=write_script(tmp_path, source), inputs=list(inputs),
                         outputs=list(outputs), arguments=arguments, wait=False, logs=False)
    return wait_for(script_processor.latest_job.processing_job_name)


def s3_text(s3, key):
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()


def log_messages(job_name):
    logs = boto3.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/ProcessingJobs",
                                        logStreamNamePrefix=f"{job_name}/")["logStreams"]
    assert [s["logStreamName"].startswith(f"{job_name}/algo-1-") for s in streams] == [True]
    events = logs.get_log_events(logGroupName="/aws/sagemaker/ProcessingJobs",
                                 logStreamName=streams[0]["logStreamName"], startFromHead=True)["events"]
    return [event["message"] for event in events]


def test_script_processor_runs_and_waits_with_logs_end_to_end(s3, tmp_path, capsys):
    script_processor = processor()
    script_processor.run(
        code=write_script(tmp_path, """
            import pandas as pd
            frame = pd.read_csv("/opt/ml/processing/input/credit.csv")
            print(f"read {len(frame)} rows")
            frame.drop(columns=["ID"]).to_csv("/opt/ml/processing/train/train.csv", index=False)
        """),
        inputs=[RAW], outputs=[s3_output("train", "/opt/ml/processing/train")], wait=True, logs=True)
    name = script_processor.latest_job.processing_job_name

    assert "read 4 rows" in capsys.readouterr().out  # the SDK streamed the job's log
    job = ProcessingJob.get(name)  # sagemaker-core parses the whole describe (pydantic)
    assert job.processing_job_status == "Completed"
    assert job.processing_end_time >= job.processing_start_time
    assert job.app_specification.container_entrypoint == ["python3", "/opt/ml/processing/input/code/preprocess.py"]
    assert s3_text(s3, "processed/train/train.csv").splitlines()[0] == "LIMIT_BAL,AGE,default"


def test_xgboost_image_evaluates_a_model_from_absolute_container_paths(s3, tmp_path):
    rng = np.random.default_rng(0)
    features = rng.normal(size=(60, 3))
    label = (features[:, 0] > 0).astype(int)
    booster = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(features, label=label), 5)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        raw = bytes(booster.save_raw("ubj"))
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    s3.put_object(Bucket=BUCKET, Key="model/model.tar.gz", Body=archive.getvalue())
    test_csv = "\n".join(",".join(f"{v:.6g}" for v in [y, *x]) for y, x in zip(label, features))
    s3.put_object(Bucket=BUCKET, Key="test/test.csv", Body=test_csv)

    description = run(tmp_path, """
        import json, tarfile
        import pandas as pd
        import xgboost
        from sklearn.metrics import roc_auc_score
        with tarfile.open("/opt/ml/processing/model/model.tar.gz") as tar:
            tar.extractall(path="/opt/ml/processing/model")
        model = xgboost.Booster()
        model.load_model("/opt/ml/processing/model/xgboost-model")
        test = pd.read_csv("/opt/ml/processing/test/test.csv", header=None)
        scores = model.predict(xgboost.DMatrix(test.iloc[:, 1:].values))
        report = {"binary_classification_metrics": {"auc": {"value": roc_auc_score(test[0], scores)}}}
        with open("/opt/ml/processing/evaluation/evaluation.json", "w") as out:
            json.dump(report, out)
    """, inputs=[s3_input("model", f"s3://{BUCKET}/model/model.tar.gz", "/opt/ml/processing/model"),
                 s3_input("test", f"s3://{BUCKET}/test/", "/opt/ml/processing/test")],
        outputs=[s3_output("evaluation", "/opt/ml/processing/evaluation")],
        image=image_uris.retrieve("xgboost", REGION, "1.7-1"))
    assert description["ProcessingJobStatus"] == "Completed", description.get("FailureReason")
    report = json.loads(s3_text(s3, "processed/evaluation/evaluation.json"))
    assert report["binary_classification_metrics"]["auc"]["value"] > 0.9


def test_arguments_and_environment_pass_through(s3, tmp_path):
    description = run(tmp_path, """
        import argparse, json, os, sys
        parser = argparse.ArgumentParser()
        parser.add_argument("--test-ratio", type=float)
        args = parser.parse_args()
        with open("/opt/ml/processing/out/seen.json", "w") as out:
            json.dump({"ratio": args.test_ratio, "argv0": sys.argv[0],
                       "stage": os.environ.get("STAGE")}, out)
    """, outputs=[s3_output("out", "/opt/ml/processing/out")], arguments=["--test-ratio", "0.2"],
        env={"STAGE": "dev"})
    assert description["ProcessingJobStatus"] == "Completed", description.get("FailureReason")
    assert description["Environment"] == {"STAGE": "dev"}
    assert description["ProcessingResources"]["ClusterConfig"]["InstanceCount"] == 1
    assert s3_text(s3, "processed/out/seen.json") == (
        '{"ratio": 0.2, "argv0": "/opt/ml/processing/input/code/preprocess.py", "stage": "dev"}')


def test_container_paths_land_in_the_job_folder_for_every_file_api(s3, tmp_path):
    assert not Path("/opt/ml/processing").exists()
    description = run(tmp_path, """
        import glob, os, pathlib, shutil
        import pandas as pd
        base = "/opt/ml/processing"
        frame = pd.read_csv(f"{base}/input/credit.csv")
        os.makedirs(f"{base}/train/nested/deeper", exist_ok=True)
        frame.to_csv(f"{base}/train/nested/deeper/pandas.csv", index=False, header=False)
        pathlib.Path(f"{base}/train/pathlib.txt").write_text("pathlib")
        with open(f"{base}/train/open.txt", "w") as handle:
            handle.write("open")
        shutil.copy(f"{base}/input/credit.csv", f"{base}/train/copied.csv")
        found = sorted(glob.glob(f"{base}/train/**/*", recursive=True))
        walked = sorted(os.path.join(d, f) for d, _, files in os.walk(f"{base}/train") for f in files)
        listed = sorted(p.name for p in pathlib.Path(f"{base}/train").iterdir())
        assert os.path.isdir(f"{base}/train/nested") and os.path.exists(f"{base}/train/open.txt")
        with open(f"{base}/report/paths.txt", "w") as report:
            report.write("\\n".join(found + ["--"] + walked + ["--"] + listed))
    """, outputs=[s3_output("train", "/opt/ml/processing/train"),
                  s3_output("report", "/opt/ml/processing/report")])
    assert description["ProcessingJobStatus"] == "Completed", description.get("FailureReason")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="processed/train/")["Contents"]}
    assert keys == {f"processed/train/{name}" for name in
                    ("nested/deeper/pandas.csv", "pathlib.txt", "open.txt", "copied.csv")}
    assert s3_text(s3, "processed/train/nested/deeper/pandas.csv").startswith("1,20000,24,1")
    report = s3_text(s3, "processed/report/paths.txt").split("\n--\n")
    assert "/opt/ml/processing/train/nested/deeper/pandas.csv" in report[0].splitlines()
    assert "/opt/ml/processing/train/open.txt" in report[1].splitlines()
    assert report[2].splitlines() == ["copied.csv", "nested", "open.txt", "pathlib.txt"]
    assert not Path("/opt/ml/processing").exists()
    job_folder = Path(os.environ["MLOPS_KIT_HOME"]) / "work" / "processing-jobs" / description["ProcessingJobName"]
    assert (job_folder / "opt/ml/processing/train/pathlib.txt").read_text() == "pathlib"


def test_job_is_in_progress_while_the_script_runs(s3, tmp_path):
    script_processor = processor()
    script_processor.run(code=write_script(tmp_path, "import time; time.sleep(1)"),
                         inputs=[RAW], wait=False, logs=False)
    name = script_processor.latest_job.processing_job_name
    first = boto3.client("sagemaker").describe_processing_job(ProcessingJobName=name)
    assert first["ProcessingJobStatus"] == "InProgress"
    assert "ProcessingEndTime" not in first
    assert wait_for(name)["ProcessingJobStatus"] == "Completed"


def test_a_script_calling_boto3_reaches_this_server(s3, tmp_path):
    description = run(tmp_path, f"""
        import boto3
        keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="{BUCKET}")["Contents"]]
        open("/opt/ml/processing/out/keys.txt", "w").write(" ".join(sorted(keys)))
    """, outputs=[s3_output("out", "/opt/ml/processing/out")])
    assert description["ProcessingJobStatus"] == "Completed", description.get("FailureReason")
    assert "raw/credit.csv" in s3_text(s3, "processed/out/keys.txt").split()
