"""Model Monitor baselines on the local backend: DefaultModelMonitor.suggest_baseline (SDK v3) end to end.

Helpers here (a credit model behind an endpoint with Data Capture, a baseline, polling)
are reused by test_model_monitor_schedules.py and test_model_monitor_executions.py.
``suggest_baseline(wait=True)`` polls every 10 s; the tests start it with ``wait=False``
and poll DescribeProcessingJob themselves.
"""

import functools
import json

import boto3
import numpy as np
import pytest
import xgboost
from polling import wait_until
from test_endpoints import ROLE, deploy, upload_model

from mlops_kit.data.schema import FEATURES, LABEL
from mlops_kit.data.synthetic import synthetic_credit_data

REGION = "us-east-1"
BUCKET = "monitor-tests"
CAPTURE_URI = f"s3://{BUCKET}/datacapture"
REPORTS_URI = f"s3://{BUCKET}/reports"
SCORE = "score"  # the model's output, first in the baseline dataset (output_columns_position START)


@functools.cache
def session():
    """One SDK session per test module (building one loads botocore's SageMaker model)."""
    from sagemaker.core.helper.session_helper import Session

    return Session(boto_session=boto3.Session(region_name=REGION), default_bucket=BUCKET)


def monitor():
    from sagemaker.core.model_monitor import DefaultModelMonitor

    return DefaultModelMonitor(role=ROLE, instance_count=1, instance_type="ml.m5.xlarge", sagemaker_session=session())


@functools.cache
def credit_model() -> xgboost.Booster:
    """A small XGBoost model of default on the 23 features, trained once per test session."""
    train = synthetic_credit_data(3000, seed=11)
    return xgboost.train({"objective": "binary:logistic", "max_depth": 3, "seed": 0},
                         xgboost.DMatrix(train[FEATURES].to_numpy(float), label=train[LABEL]), num_boost_round=10)


def scores(rows: np.ndarray) -> np.ndarray:
    return credit_model().predict(xgboost.DMatrix(rows.astype(float)))


def baseline_csv(rows: int = 2000, seed: int = 1, with_score: bool = True) -> str:
    """Training data as the baseline: the model's score first (its output column), then the features."""
    data = synthetic_credit_data(rows, seed=seed)[FEATURES]
    if with_score:
        data.insert(0, SCORE, scores(data.to_numpy()))
    return data.to_csv(index=False)


def make_bucket() -> None:
    boto3.client("s3").create_bucket(Bucket=BUCKET)


def wait_for_job(name: str, timeout: float = 30) -> dict:
    sagemaker = boto3.client("sagemaker")
    return wait_until(lambda: sagemaker.describe_processing_job(ProcessingJobName=name), "ProcessingJobStatus",
                      lambda status: status not in ("InProgress", "Stopping"), timeout, f"processing job {name}")


def suggest_baseline(csv_text: str | None = None, key: str = "baseline/train.csv", header: bool = True):
    """Upload the baseline CSV and run suggest_baseline; return (monitor, finished job description)."""
    from sagemaker.core.model_monitor import DatasetFormat

    make_bucket()
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=csv_text if csv_text is not None else baseline_csv())
    default_monitor = monitor()
    default_monitor.suggest_baseline(baseline_dataset=f"s3://{BUCKET}/{key}",
                                     dataset_format=DatasetFormat.csv(header=header),
                                     output_s3_uri=f"s3://{BUCKET}/baseline/results", wait=False, logs=False)
    return default_monitor, wait_for_job(default_monitor.latest_baselining_job_name)


def read_json(key: str) -> dict:
    return json.loads(boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read())


def deploy_with_capture(endpoint_name: str) -> dict:
    url = upload_model(credit_model(), f"models/{endpoint_name}/model.tar.gz")
    return deploy(endpoint_name, model_data_url=url, data_capture={
        "EnableCapture": True, "InitialSamplingPercentage": 100, "DestinationS3Uri": CAPTURE_URI,
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]},
    })


def features_by_name(document: dict) -> dict:
    return {feature["name"]: feature for feature in document["features"]}


# ---- tests ----------------------------------------------------------------------------


def test_suggest_baseline_runs_the_analyzer_image_with_the_sdks_environment():
    default_monitor, job = suggest_baseline()

    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    assert job["ExitMessage"] == "Completed: Job completed successfully with no violations."
    assert job["AppSpecification"]["ImageUri"].endswith(".amazonaws.com/sagemaker-model-monitor-analyzer")
    assert job["ProcessingJobName"].startswith("baseline-suggestion-job-")
    assert job["Environment"]["dataset_source"] == "/opt/ml/processing/input/baseline_dataset_input"
    assert json.loads(job["Environment"]["dataset_format"]) == {"csv": {"header": True, "output_columns_position": "START"}}
    # The SDK reads the files back through its own helpers.
    assert default_monitor.baseline_statistics().body_dict["dataset"] == {"item_count": 2000}
    assert default_monitor.suggested_constraints().body_dict["monitoring_config"]["distribution_constraints"][
        "comparison_method"] == "Robust"


def test_baseline_statistics_match_the_real_analyzers_output():
    suggest_baseline()
    statistics = features_by_name(read_json("baseline/results/statistics.json"))
    data = synthetic_credit_data(2000, seed=1)

    assert list(statistics) == [SCORE, *FEATURES]
    limit = statistics["LIMIT_BAL"]
    assert limit["inferred_type"] == "Integral"
    assert statistics[SCORE]["inferred_type"] == "Fractional"
    numbers = limit["numerical_statistics"]
    assert numbers["common"] == {"num_present": 2000, "num_missing": 0}
    assert numbers["mean"] == pytest.approx(data["LIMIT_BAL"].mean())
    assert numbers["std_dev"] == pytest.approx(data["LIMIT_BAL"].std(ddof=0))
    assert (numbers["min"], numbers["max"]) == (data["LIMIT_BAL"].min(), data["LIMIT_BAL"].max())
    kll = numbers["distribution"]["kll"]
    assert kll["sketch"]["parameters"] == {"c": 0.64, "k": 2048.0}
    assert len(kll["sketch"]["data"]) == 1 and sorted(kll["sketch"]["data"][0]) == sorted(data["LIMIT_BAL"].astype(float))
    assert len(kll["buckets"]) == 10 and sum(bucket["count"] for bucket in kll["buckets"]) == 2000
    assert kll["buckets"][0]["lower_bound"] == numbers["min"] and kll["buckets"][-1]["upper_bound"] == numbers["max"]


def test_baseline_constraints_have_completeness_non_negativity_and_the_analyzers_defaults():
    suggest_baseline()
    constraints = read_json("baseline/results/constraints.json")
    features = features_by_name(constraints)

    assert {feature["completeness"] for feature in features.values()} == {1.0}
    assert features["AGE"]["num_constraints"] == {"is_non_negative": True}
    assert features["LIMIT_BAL"]["num_constraints"] == {"is_non_negative": True}
    assert features["PAY_0"]["num_constraints"] == {"is_non_negative": False}  # -2 and -1 occur
    assert constraints["monitoring_config"] == {
        "evaluate_constraints": "Enabled", "emit_metrics": "Enabled",
        "datatype_check_threshold": 1.0, "domain_content_threshold": 1.0,
        "distribution_constraints": {"perform_comparison": "Enabled", "comparison_threshold": 0.1,
                                     "comparison_method": "Robust", "categorical_comparison_threshold": 0.1,
                                     "categorical_drift_method": "LInfinity"},
    }


def test_string_columns_get_string_statistics_and_domains():
    csv_text = "grade,amount\n" + "".join(f"{grade},{amount}\n" for grade, amount in
                                          [("A", "1.5"), ("B", "2"), ("A", ""), ("C", "3e2")] * 5)
    _, job = suggest_baseline(csv_text)
    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    statistics = features_by_name(read_json("baseline/results/statistics.json"))
    constraints = features_by_name(read_json("baseline/results/constraints.json"))

    grade = statistics["grade"]
    assert grade["inferred_type"] == "String"
    assert grade["string_statistics"]["distinct_count"] == 3.0
    assert grade["string_statistics"]["distribution"]["categorical"]["buckets"][0] == {"value": "A", "count": 10}
    assert constraints["grade"]["string_constraints"] == {"domains": ["A", "B", "C"]}
    assert statistics["amount"]["inferred_type"] == "Fractional"
    assert statistics["amount"]["numerical_statistics"]["common"] == {"num_present": 15, "num_missing": 5}
    assert constraints["amount"]["completeness"] == 0.75


def test_a_row_that_does_not_match_the_header_fails_the_baseline_naming_file_and_line():
    _, job = suggest_baseline("a,b,c\n1,2,3\n4,5\n")

    assert job["ProcessingJobStatus"] == "Failed"
    assert "train.csv line 3 has 2 values but the header has 3 columns" in job["FailureReason"]


def test_files_with_different_headers_fail_the_baseline():
    make_bucket()
    s3 = boto3.client("s3")
    s3.put_object(Bucket=BUCKET, Key="split/part-2.csv", Body="a,c\n1,2\n")
    _, job = suggest_baseline("a,b\n1,2\n", key="split/part-1.csv")
    # suggest_baseline was pointed at the file; point a second run at the whole prefix
    from sagemaker.core.model_monitor import DatasetFormat

    prefix_monitor = monitor()
    prefix_monitor.suggest_baseline(baseline_dataset=f"s3://{BUCKET}/split", dataset_format=DatasetFormat.csv(header=True),
                                    output_s3_uri=f"s3://{BUCKET}/split-results", wait=False, logs=False)
    failed = wait_for_job(prefix_monitor.latest_baselining_job_name)

    assert job["ProcessingJobStatus"] == "Completed"
    assert failed["ProcessingJobStatus"] == "Failed"
    assert "Header mismatch: part-2.csv has the header a,c but part-1.csv has a,b" in failed["FailureReason"]
