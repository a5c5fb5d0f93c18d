"""Benchmark: Model Monitor on the local backend (issue 6's figures).

Run: .venv/bin/python benchmarks/model_monitor.py [--baseline-rows 24000] [--records 5000]
Starts its own local server (a separate process, as a learner's notebook talks to it) with
a temporary kit home, and measures:
- the baseline job on the analyzer image for 24,000 rows x 24 columns (score + 23 features),
  CreateProcessingJob -> Completed, DescribeProcessingJob polled every 10 ms;
- one monitoring execution over 5,000 captured records: 5,000 single-row text/csv requests
  (capture 100 %), then ``clock.advance(hours=1)``, which returns once the execution for
  the tick has finished (statistics, checks, report, metrics);
- in-process, without the server: the drift distance of each demo scenario on its feature
  against the threshold (0.1, Robust), and the largest distance on any feature over 10
  seeds of normal traffic (undrifted: the false-alarm margin).
"""

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "backend"))

from mlops_kit.data.schema import FEATURES  # noqa: E402
from mlops_kit.data.synthetic import synthetic_credit_data  # noqa: E402
from mlops_kit.local import clock  # noqa: E402
from mlops_kit.local.model_monitor.analyzer.container import analyse_window  # noqa: E402
from mlops_kit.local.model_monitor.analyzer.constraints import constraints_json  # noqa: E402
from mlops_kit.local.model_monitor.analyzer.statistics import profile_columns, statistics_json  # noqa: E402
from local_server import fresh_local_server


def timed_baseline(rows: int) -> float:
    from test_model_monitor import baseline_csv
    from test_model_monitor_executions import ANALYZER, BUCKET, ROLE

    boto3.client("s3").create_bucket(Bucket=BUCKET)
    boto3.client("s3").put_object(Bucket=BUCKET, Key="baseline/train.csv", Body=baseline_csv(rows=rows))
    sagemaker = boto3.client("sagemaker")
    started = time.perf_counter()
    sagemaker.create_processing_job(
        ProcessingJobName="baseline-benchmark", RoleArn=ROLE, AppSpecification={"ImageUri": ANALYZER},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
        ProcessingInputs=[{"InputName": "baseline_dataset_input", "S3Input": {
            "S3Uri": f"s3://{BUCKET}/baseline/train.csv", "LocalPath": "/opt/ml/processing/input/baseline_dataset_input",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        ProcessingOutputConfig={"Outputs": [{"OutputName": "out", "S3Output": {
            "S3Uri": f"s3://{BUCKET}/baseline/results", "LocalPath": "/opt/ml/processing/output",
            "S3UploadMode": "EndOfJob"}}]},
        Environment={"dataset_format": json.dumps({"csv": {"header": True, "output_columns_position": "START"}}),
                     "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
                     "output_path": "/opt/ml/processing/output"})
    while True:
        status = sagemaker.describe_processing_job(ProcessingJobName="baseline-benchmark")
        if status["ProcessingJobStatus"] != "InProgress":
            break
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    assert status["ProcessingJobStatus"] == "Completed", status.get("FailureReason")
    return elapsed


def timed_execution(records: int) -> tuple[float, float, dict]:
    import test_model_monitor_executions as scenario

    scenario.deploy_with_capture(scenario.ENDPOINT)
    scenario.five_past_next_hour()
    scenario.create_schedule()
    lines = scenario.traffic(rows=records, seed=7)
    started = time.perf_counter()
    scenario.send(lines)
    sending = time.perf_counter() - started
    started = time.perf_counter()
    answer = clock.advance(hours=1)
    elapsed = time.perf_counter() - started
    return sending, elapsed, answer["executions"][0]


def drift_figures(baseline_rows: int, records: int) -> None:
    baseline = synthetic_credit_data(baseline_rows, seed=1)[FEATURES].astype(str).values.tolist()
    profiles = profile_columns(FEATURES, baseline)
    statistics, constraints = statistics_json(profiles, len(baseline)), constraints_json(profiles)

    simple = copy.deepcopy(constraints)
    simple["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Simple"

    def window(seed: int, change=None, method_constraints=constraints):
        data = synthetic_credit_data(records, seed=seed)[FEATURES]
        if change:
            data = change(data)
        return analyse_window(data.astype(str).values.tolist(), statistics, method_constraints)

    print(f"Drift distances (Robust, threshold 0.1), baseline {baseline_rows} rows, windows of {records} records:")
    scenarios = {
        "LIMIT_BAL sign flip": ("LIMIT_BAL", lambda d: d.assign(LIMIT_BAL=-d["LIMIT_BAL"])),
        "SEX as floats": ("SEX", lambda d: d.assign(SEX=d["SEX"].astype(float))),
        "AGE + 23": ("AGE", lambda d: d.assign(AGE=d["AGE"] + 23)),
    }
    for name, (feature, change) in scenarios.items():
        report = window(7, change)
        checks = sorted({v["constraint_check_type"] for v in report.violations if v["feature_name"] == feature})
        print(f"  {name:20s} {feature}: distance {report.drift.get(feature, 0.0):.4f}  violations {checks}")
    for method, method_constraints in (("Robust", constraints), ("Simple", simple)):
        largest = []
        for seed in range(100, 110):
            report = window(seed, method_constraints=method_constraints)
            feature, distance = max(report.drift.items(), key=lambda item: item[1])
            largest.append((distance, feature, seed, len(report.violations)))
        distance, feature, seed, _ = max(largest)
        print(f"  normal traffic, 10 seeds, {method}: largest distance {distance:.4f} ({feature}, seed {seed}); "
              f"violations per window {[count for *_, count in largest]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-rows", type=int, default=24_000)
    parser.add_argument("--records", type=int, default=5_000)
    arguments = parser.parse_args()
    with fresh_local_server():
        seconds = timed_baseline(arguments.baseline_rows)
        print(f"Baseline job, {arguments.baseline_rows} rows x 24 columns: {seconds:.2f} s "
              "(CreateProcessingJob -> Completed)")
        sending, elapsed, execution = timed_execution(arguments.records)
        print(f"Traffic: {arguments.records} single-row requests in {sending:.1f} s "
              f"({arguments.records / sending:.0f}/s, capture 100 %)")
        print(f"Monitoring execution over {arguments.records} captured records: {elapsed:.2f} s "
              f"(clock.advance(hours=1) until done; status {execution['status']})")
    started = time.perf_counter()
    drift_figures(arguments.baseline_rows, arguments.records)
    print(f"(drift figures computed in {time.perf_counter() - started:.1f} s, in-process)")


if __name__ == "__main__":
    main()
