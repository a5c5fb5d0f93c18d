"""Benchmark: endpoint creation time and single-row CSV invocations per second with Data Capture on.

Run: .venv/bin/python benchmarks/endpoint.py [--requests N]
Starts its own local server (a separate process, as a learner's notebook talks to it) on a
free port with a temporary kit home, deploys a 23-feature binary:logistic XGBoost model
(100 rounds, depth 5), and measures:
- CreateEndpoint -> InService (DescribeEndpoint polled every 10 ms; median of 3);
- invocations/s of single-row text/csv requests with capture at 100 %: one sequential
  boto3 client, then 2 threads with a client each;
- a baseline: the same sequential requests to an unknown endpoint (HTTP, boto3 and moto
  only), to tell the endpoint's own cost from the server's;
- that every request was captured (records counted after DeleteEndpoint writes the buffer).
Goal (issue 3): at least 200 invocations/s on 2 cores.
"""

import argparse
import io
import json
import statistics
import tarfile
import threading
import time

import boto3
import numpy as np
import xgboost

from local_server import fresh_local_server

BUCKET = "endpoint-benchmark"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
N_FEATURES = 23


def model_tarball() -> tuple[bytes, str]:
    rng = np.random.default_rng(0)
    features = rng.random((5000, N_FEATURES))
    labels = (features[:, 0] + features[:, 1] > 1).astype(int)
    booster = xgboost.train({"objective": "binary:logistic", "max_depth": 5, "eta": 0.2},
                            xgboost.DMatrix(features, label=labels), num_boost_round=100)
    raw = bytes(booster.save_raw("ubj"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    return buffer.getvalue(), ",".join(f"{value:.4f}" for value in features[0])


def create_endpoint(sagemaker, name: str) -> float:
    """Seconds from CreateEndpoint to InService."""
    began = time.perf_counter()
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName="bench-config")
    while (status := sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"]) != "InService":
        if status == "Failed":
            raise RuntimeError(sagemaker.describe_endpoint(EndpointName=name)["FailureReason"])
        time.sleep(0.01)
    return time.perf_counter() - began


def invoke_many(name: str, row: str, count: int) -> None:
    runtime = boto3.client("sagemaker-runtime")
    for _ in range(count):
        runtime.invoke_endpoint(EndpointName=name, ContentType="text/csv", Body=row)["Body"].read()


def unknown_endpoint_rate(row: str, count: int) -> float:
    """Requests/s when the server answers at once (ValidationError): HTTP, boto3 and moto alone."""
    runtime = boto3.client("sagemaker-runtime")
    began = time.perf_counter()
    for _ in range(count):
        try:
            runtime.invoke_endpoint(EndpointName="no-such-endpoint", ContentType="text/csv", Body=row)
        except runtime.exceptions.ValidationError:
            pass
    return count / (time.perf_counter() - began)


def rate(name: str, row: str, total: int, threads: int) -> float:
    workers = [threading.Thread(target=invoke_many, args=(name, row, total // threads)) for _ in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return (total // threads * threads) / (time.perf_counter() - began)


def captured_records(s3, name: str) -> int:
    paginator = s3.get_paginator("list_objects_v2")
    return sum(
        len(s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read().splitlines())
        for page in paginator.paginate(Bucket=BUCKET, Prefix=f"capture/{name}/")
        for item in page.get("Contents", [])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="invocations per measurement (default 1000)")
    total = parser.parse_args().requests
    with fresh_local_server():
        archive, row = model_tarball()
        s3, sagemaker = boto3.client("s3"), boto3.client("sagemaker")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="model/model.tar.gz", Body=archive)
        sagemaker.create_model(ModelName="bench-model", ExecutionRoleArn=ROLE, PrimaryContainer={
            "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "ModelDataUrl": f"s3://{BUCKET}/model/model.tar.gz"})
        sagemaker.create_endpoint_config(
            EndpointConfigName="bench-config",
            ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": "bench-model",
                                 "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
            DataCaptureConfig={"EnableCapture": True, "InitialSamplingPercentage": 100,
                               "DestinationS3Uri": f"s3://{BUCKET}/capture",
                               "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
                               "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]}})
        creations = [create_endpoint(sagemaker, f"bench-{index}") for index in range(3)]
        invoke_many("bench-0", row, 50)  # warm-up: connections, first predictions
        sequential = rate("bench-0", row, total, threads=1)
        two_threads = rate("bench-0", row, total, threads=2)
        baseline = unknown_endpoint_rate(row, total)
        sagemaker.delete_endpoint(EndpointName="bench-0")
        captured = captured_records(s3, "bench-0")
    print(f"endpoint creation (CreateEndpoint -> InService): median {statistics.median(creations) * 1000:.0f} ms "
          f"(runs: {', '.join(f'{seconds * 1000:.0f}' for seconds in creations)} ms)")
    print(f"single-row text/csv invocations with capture on, sequential client: {sequential:.0f}/s")
    print(f"single-row text/csv invocations with capture on, 2 threads: {two_threads:.0f}/s")
    print(f"baseline, same client against an unknown endpoint (no model, no capture): {baseline:.0f}/s")
    expected = 50 + (total // 1) + (total // 2 * 2)
    print(f"captured records: {captured} of {expected} requests"
          f"{'' if captured == expected else '  <-- MISMATCH'}")
    print(json.dumps({"creation_ms_median": round(statistics.median(creations) * 1000),
                      "invocations_per_s_sequential": round(sequential),
                      "invocations_per_s_2_threads": round(two_threads)}))


if __name__ == "__main__":
    main()
