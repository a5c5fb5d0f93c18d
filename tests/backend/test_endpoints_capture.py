"""Data Capture on local endpoints: S3 layout, JSON lines, encodings, sampling, flushing.

Capture files are written by a timer about a second after the first buffered record, and
at once when the endpoint is updated or deleted. Tests of the timer poll S3 for up to 5 s
(``capture_lines``), the way a learner waits for capture files; the others delete the
endpoint to write its buffer at once (``flushed_lines``).
"""

import base64
import json
import re
import time
from datetime import datetime, timezone

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from test_endpoints import (
    BUCKET, ROW, ROWS, create_config, create_model, deploy, invoke, train_booster, upload_model, wait_until_settled,
)

from mlops_kit.local.endpoints.capture import FLUSH_SECONDS

CAPTURE_URI = f"s3://{BUCKET}/datacapture"
KEY_PATTERN = re.compile(
    r"^datacapture/(?P<endpoint>[^/]+)/(?P<variant>[^/]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<h>\d{2})/"
    r"(?P<minute>\d{2})-(?P<second>\d{2})-(?P<milli>\d{3})-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.jsonl$"
)


def capture_config(percentage: int = 100, modes=("Input", "Output"), header: dict | None = None, enabled: bool = True) -> dict:
    config = {
        "EnableCapture": enabled,
        "InitialSamplingPercentage": percentage,
        "DestinationS3Uri": CAPTURE_URI,
        "CaptureOptions": [{"CaptureMode": mode} for mode in modes],
    }
    if header is not None:
        config["CaptureContentTypeHeader"] = header
    return config


CSV_HEADER = {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]}


def capture_keys(endpoint: str) -> list[str]:
    listing = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"datacapture/{endpoint}/")
    return sorted(item["Key"] for item in listing.get("Contents", []))


def read_lines(keys: list[str]) -> list[dict]:
    s3 = boto3.client("s3")
    return [
        json.loads(line)
        for key in keys
        for line in s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode().splitlines()
    ]


def flushed_lines(endpoint: str) -> list[dict]:
    """Delete the endpoint (which writes what it buffered) and read its capture records."""
    boto3.client("sagemaker").delete_endpoint(EndpointName=endpoint)
    return read_lines(capture_keys(endpoint))


def capture_lines(endpoint: str, expected: int, timeout: float = 5.0) -> list[dict]:
    """Poll until ``expected`` records are in S3 (or the timeout passes); return them all."""
    deadline = time.monotonic() + timeout
    while True:
        lines = read_lines(capture_keys(endpoint))
        if len(lines) >= expected or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_describe_endpoint_reports_the_capture_summary():
    description = deploy("summary", train_booster(1), capture_config(percentage=37, header=CSV_HEADER))
    assert description["DataCaptureConfig"] == {
        "EnableCapture": True, "CaptureStatus": "Started",
        "CurrentSamplingPercentage": 37, "DestinationS3Uri": CAPTURE_URI,
    }


def test_capture_files_follow_the_service_layout_and_format():
    booster = train_booster(2)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    deploy("layout", booster, capture_config(header=CSV_HEADER))
    answer = invoke("layout", ROWS, InferenceId="loan-42")["Body"].decode()
    invoke("layout", ROW)
    lines = capture_lines("layout", 2)
    after = datetime.now(timezone.utc)

    keys = capture_keys("layout")
    match = KEY_PATTERN.match(keys[0])
    assert match, keys[0]
    assert (match["endpoint"], match["variant"]) == ("layout", "AllTraffic")
    file_time = datetime(int(match["y"]), int(match["m"]), int(match["d"]), int(match["h"]), int(match["minute"]),
                         int(match["second"]), int(match["milli"]) * 1000, tzinfo=timezone.utc)
    assert before <= file_time <= after

    first, second = lines
    assert first["eventVersion"] == "0"
    assert first["captureData"] == {
        "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": ROWS, "encoding": "CSV"},
        "endpointOutput": {"observedContentType": "text/csv; charset=utf-8", "mode": "OUTPUT", "data": answer, "encoding": "CSV"},
    }
    assert first["eventMetadata"]["inferenceId"] == "loan-42"
    assert "inferenceId" not in second["eventMetadata"]
    assert second["captureData"]["endpointInput"]["data"] == ROW
    assert first["eventMetadata"]["eventId"] != second["eventMetadata"]["eventId"]
    inference_time = datetime.strptime(first["eventMetadata"]["inferenceTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert before <= inference_time <= after
    raw = boto3.client("s3").get_object(Bucket=BUCKET, Key=keys[0])["Body"].read().decode()
    assert raw.startswith('{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT"')


def test_records_are_written_by_the_timer_in_few_files():
    deploy("buffered", train_booster(3), capture_config(header=CSV_HEADER))
    for _ in range(30):
        invoke("buffered", ROW)
    assert len(capture_lines("buffered", 30)) == 30
    assert len(capture_keys("buffered")) <= 3


@pytest.mark.parametrize(
    "header, encoding",
    [
        ({"CsvContentTypes": ["text/csv"]}, "CSV"),
        ({"JsonContentTypes": ["text/csv"]}, "JSON"),
        ({"CsvContentTypes": ["application/x-something-else"]}, "BASE64"),
        (None, "BASE64"),
    ],
    ids=["csv", "json", "not-listed", "no-header"],
)
def test_encoding_follows_the_capture_content_type_header(header, encoding):
    deploy("encoded", train_booster(4), capture_config(header=header))
    answer = invoke("encoded", ROW)["Body"]
    (line,) = flushed_lines("encoded")
    captured_input, captured_output = line["captureData"]["endpointInput"], line["captureData"]["endpointOutput"]
    assert captured_input["encoding"] == captured_output["encoding"] == encoding
    if encoding == "BASE64":
        assert base64.b64decode(captured_input["data"]) == ROW.encode()
        assert base64.b64decode(captured_output["data"]) == answer
    else:
        assert (captured_input["data"], captured_output["data"]) == (ROW, answer.decode())


@pytest.mark.parametrize("modes, present", [(("Input",), {"endpointInput"}), (("Output",), {"endpointOutput"})])
def test_capture_options_choose_input_or_output(modes, present):
    deploy("half", train_booster(5), capture_config(modes=modes, header=CSV_HEADER))
    invoke("half", ROW)
    (line,) = flushed_lines("half")
    assert set(line["captureData"]) == present


@pytest.mark.parametrize("percentage, low, high", [(0, 0, 0), (100, 100, 100), (50, 25, 75)])
def test_sampling_percentage(percentage, low, high):
    """A random draw per request: 50% of 100 falls in 25..75 except with probability < 1e-6."""
    deploy("sampled", train_booster(6), capture_config(percentage=percentage, header=CSV_HEADER))
    for _ in range(100):
        invoke("sampled", ROW)
    assert low <= len(flushed_lines("sampled")) <= high


def test_disabled_capture_reports_stopped_and_writes_nothing():
    description = deploy("stopped", train_booster(7), capture_config(enabled=False, header=CSV_HEADER))
    assert description["DataCaptureConfig"]["CaptureStatus"] == "Stopped"
    assert description["DataCaptureConfig"]["EnableCapture"] is False
    invoke("stopped", ROW)
    assert flushed_lines("stopped") == []


def test_failed_invocations_are_not_captured():
    deploy("refused", train_booster(8), capture_config(header=CSV_HEADER))
    with pytest.raises(ClientError, match="ModelError"):
        invoke("refused", "not,a,number,row")
    invoke("refused", ROW)
    assert [line["captureData"]["endpointInput"]["data"] for line in flushed_lines("refused")] == [ROW]


def test_delete_writes_buffered_records_at_once():
    deploy("flushed", train_booster(9), capture_config(header=CSV_HEADER))
    invoke("flushed", ROW)
    assert len(flushed_lines("flushed")) == 1


def test_update_writes_buffered_records_and_applies_the_new_capture_config():
    deploy("recapture", train_booster(10), capture_config(header=CSV_HEADER))
    invoke("recapture", ROW)
    create_model("recapture-model-2", upload_model(train_booster(11), "recapture/v2/model.tar.gz"))
    create_config("recapture-config-2", "recapture-model-2", capture_config(percentage=0, header=CSV_HEADER))
    boto3.client("sagemaker").update_endpoint(EndpointName="recapture", EndpointConfigName="recapture-config-2")
    description = wait_until_settled("recapture")
    assert len(read_lines(capture_keys("recapture"))) == 1
    assert description["DataCaptureConfig"]["CurrentSamplingPercentage"] == 0
    invoke("recapture", ROW)
    assert len(flushed_lines("recapture")) == 1


def test_records_buffered_at_a_reset_are_dropped(server_url):
    deploy("before-reset", train_booster(13), capture_config(header=CSV_HEADER))
    invoke("before-reset", ROW)
    requests.post(f"{server_url}/moto-api/reset", timeout=10)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    time.sleep(FLUSH_SECONDS + 0.5)  # the buffer's timer has fired
    assert capture_keys("before-reset") == []


def test_capture_to_a_missing_bucket_keeps_the_endpoint_serving():
    booster = train_booster(12)
    config = capture_config(header=CSV_HEADER) | {"DestinationS3Uri": "s3://no-such-capture-bucket/capture"}
    deploy("nowhere", booster, config)
    invoke("nowhere", ROW)
    boto3.client("sagemaker").delete_endpoint(EndpointName="nowhere")
    deploy("still-here", booster)
    assert invoke("still-here", ROW)["Body"]
