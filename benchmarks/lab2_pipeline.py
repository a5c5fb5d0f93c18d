"""Benchmark: lab 2 on the local backend: the solution's credit pipeline (the package the
learner completes, `solutions/lab2-pipeline/`) executing end to end on 30,000 synthetic
rows, and the whole solution notebook run with papermill.

Figures: StartPipelineExecution to the first step running and to Succeeded (polled every
0.01 s, so the SDK's 30 s wait does not blur them), each step's span, and the notebook's wall time
(two executions, the package's tests, the checks). Goal: an execution under 30 s on
2 cores (roughly 15-25 minutes on SageMaker).

Run: .venv/bin/python benchmarks/lab2_pipeline.py
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3

from local_server import fresh_local_server
from pipeline import timed_execution
from mlops_kit.data import synthetic_credit_data

REGION = "us-east-1"

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "lab2-pipeline.ipynb"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
BUCKET = "lab2-benchmark"
RUNS = 3  # the first is reported apart: it pays one-time start-up costs


def pipeline_figures() -> list[dict]:
    with fresh_local_server(REGION), tempfile.TemporaryDirectory() as folder:
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        data = Path(folder, "credit.csv")
        synthetic_credit_data().to_csv(data, index=False)
        boto3.client("s3", region_name=REGION).upload_file(str(data), BUCKET, "lab2/raw/credit.csv")
        sys.path.insert(0, str(SOLUTION.with_suffix("")))
        from pipelines.credit.pipeline import get_pipeline

        pipeline = get_pipeline(REGION, ROLE, BUCKET, "lab2-benchmark-models", "lab2-benchmark", "lab2")
        pipeline.upsert(role_arn=ROLE)
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        return [timed_execution(sagemaker, pipeline) for _ in range(RUNS)]


def notebook_seconds() -> float:
    """The solution notebook end to end on a fresh backend, as `run-workshop` runs it (the solution is not touched)."""
    import papermill

    from mlops_kit.grading.execution import KERNEL_CONFIG
    from mlops_kit.local.isolation import own_local_backend

    with tempfile.TemporaryDirectory(prefix="lab2-benchmark-") as scratch, own_local_backend(Path(scratch, "home")):
        began = time.perf_counter()
        papermill.execute_notebook(str(SOLUTION), str(Path(scratch, SOLUTION.name)), cwd=str(SOLUTION.parent),
                                   kernel_name="python3", progress_bar=False, config=KERNEL_CONFIG)
        return time.perf_counter() - began


def main() -> None:
    runs = pipeline_figures()
    later = runs[1:]
    print("lab 2's credit pipeline on the local backend, 30,000 rows, 100 rounds:")
    print(f"  StartPipelineExecution to Succeeded: median {statistics.median(r['total'] for r in later):.2f} s "
          f"(goal < 30 s; first execution {runs[0]['total']:.2f} s)")
    print(f"  StartPipelineExecution to first step running: median "
          f"{statistics.median(r['first_step'] for r in later):.3f} s")
    for name in runs[-1]["spans"]:
        print(f"  step {name}: median {statistics.median(r['spans'][name] for r in later):.2f} s")
    print(f"solution notebook end to end (papermill, fresh backend): {notebook_seconds():.1f} s")


if __name__ == "__main__":
    main()
