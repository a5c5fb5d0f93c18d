"""Data Capture records, keys, sampling and buffering (pure pieces, no server)."""

import base64
import json
import random
import re
import threading
from datetime import datetime, timezone

import pytest

from mlops_kit.local.endpoints.capture import (
    CaptureBuffer,
    CaptureSettings,
    Sampler,
    build_record,
    capture_key,
)

CONFIG = {
    "EnableCapture": True,
    "InitialSamplingPercentage": 20,
    "DestinationS3Uri": "s3://bucket/datacapture/",
    "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
    "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]},
}
WHEN = datetime(2022, 4, 18, 0, 20, 48, 871000, tzinfo=timezone.utc)


def settings(**changes) -> CaptureSettings:
    return CaptureSettings.from_config(CONFIG | changes)


def test_no_config_means_no_capture():
    assert CaptureSettings.from_config(None) is None
    assert CaptureSettings.from_config({}) is None


def test_summary_is_describe_endpoints_shape():
    assert settings().summary() == {
        "EnableCapture": True, "CaptureStatus": "Started",
        "CurrentSamplingPercentage": 20, "DestinationS3Uri": "s3://bucket/datacapture/",
    }
    assert settings(EnableCapture=False).summary()["CaptureStatus"] == "Stopped"


def test_record_matches_the_real_line():
    record = build_record(
        settings(),
        input_body=b"132,10,182.9,0,1",
        input_content_type="text/csv",
        output_body=b"0.036397725343704224",
        output_content_type="text/csv; charset=utf-8",
        inference_time=WHEN,
        event_id="f04a8538-696c-4648-8064-8b680b2e3318",
    )
    real = ('{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"132,10,182.9,0,1",'
            '"encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT",'
            '"data":"0.036397725343704224","encoding":"CSV"}},"eventMetadata":{"eventId":"f04a8538-696c-4648-8064-'
            '8b680b2e3318","inferenceTime":"2022-04-18T00:20:48Z"},"eventVersion":"0"}')
    assert json.dumps(record, separators=(",", ":")) == real


def test_inference_id_and_capture_options():
    record = build_record(
        settings(CaptureOptions=[{"CaptureMode": "Output"}]),
        input_body=b"1", input_content_type="text/csv", output_body=b"0.5",
        output_content_type="text/csv", inference_time=WHEN, inference_id="abc",
    )
    assert list(record["captureData"]) == ["endpointOutput"]
    assert record["eventMetadata"]["inferenceId"] == "abc"
    assert re.fullmatch(r"[0-9a-f-]{36}", record["eventMetadata"]["eventId"])


@pytest.mark.parametrize(
    "content_type, data, encoding, stored",
    [
        ("text/csv", b"1,2\n", "CSV", "1,2\n"),
        ("text/csv; charset=utf-8", b"0.5", "CSV", "0.5"),
        ("application/json", b'{"a": 1}', "JSON", '{"a": 1}'),
        ("application/x-npy", b"\x93NUMPY", "BASE64", base64.b64encode(b"\x93NUMPY").decode()),
        (None, b"1,2", "BASE64", base64.b64encode(b"1,2").decode()),
        ("text/csv", b"\xff\xfe", "BASE64", base64.b64encode(b"\xff\xfe").decode()),
    ],
)
def test_encoding_per_content_type_header(content_type, data, encoding, stored):
    assert settings().encode(data, content_type) == (encoding, stored)


def test_without_a_header_everything_is_base64():
    no_header = {key: value for key, value in CONFIG.items() if key != "CaptureContentTypeHeader"}
    assert CaptureSettings.from_config(no_header).encode(b"1,2", "text/csv")[0] == "BASE64"


def test_capture_key_layout():
    bucket, key = capture_key("s3://bucket/datacapture/", "my-endpoint", "AllTraffic", WHEN)
    assert bucket == "bucket"
    assert re.fullmatch(r"datacapture/my-endpoint/AllTraffic/2022/04/18/00/20-48-871-[0-9a-f-]{36}\.jsonl", key), key
    assert capture_key("s3://bucket", "e", "v", WHEN)[1].startswith("e/v/2022/04/18/00/")


@pytest.mark.parametrize("percentage, low, high", [(0, 0, 0), (100, 1000, 1000), (30, 250, 350)])
def test_sampler_draws_per_request(percentage, low, high):
    sampler = Sampler(percentage, random.Random(7))
    assert low <= sum(sampler.should_capture() for _ in range(1000)) <= high


class Recorder:
    def __init__(self):
        self.files: dict[tuple[str, str], bytes] = {}
        self.written = threading.Event()

    def __call__(self, bucket, key, body):
        self.files[(bucket, key)] = body
        self.written.set()


def test_buffer_writes_one_file_per_variant_and_hour_on_flush():
    recorder = Recorder()
    buffer = CaptureBuffer("s3://bucket/dc", "ep", recorder, flush_seconds=60)
    later = WHEN.replace(hour=1)
    for variant, when in [("A", WHEN), ("A", WHEN), ("B", WHEN), ("A", later)]:
        buffer.add(variant, {"when": when.isoformat(), "variant": variant}, when)
    assert recorder.files == {}
    buffer.flush()
    keys = sorted(key for _, key in recorder.files)
    assert [key.rsplit("/", 1)[0] for key in keys] == ["dc/ep/A/2022/04/18/00", "dc/ep/A/2022/04/18/01", "dc/ep/B/2022/04/18/00"]
    first_file = recorder.files[("bucket", keys[0])].decode()
    assert first_file.endswith("\n") and len(first_file.splitlines()) == 2
    buffer.flush()
    assert len(recorder.files) == 3


def test_buffer_writes_when_a_file_is_full(monkeypatch):
    monkeypatch.setattr("mlops_kit.local.endpoints.capture.MAX_RECORDS_PER_FILE", 3)
    recorder = Recorder()
    buffer = CaptureBuffer("s3://bucket/dc", "ep", recorder, flush_seconds=60)
    for number in range(3):
        buffer.add("A", {"n": number}, WHEN)
    (body,) = recorder.files.values()
    assert body.decode().splitlines() == ['{"n":0}', '{"n":1}', '{"n":2}']


def test_buffer_writes_on_its_timer():
    recorder = Recorder()
    buffer = CaptureBuffer("s3://bucket/dc", "ep", recorder, flush_seconds=0.05)
    buffer.add("A", {"n": 1}, WHEN)
    assert recorder.written.wait(5)
    assert [body for body in recorder.files.values()] == [b'{"n":1}\n']


def test_a_failed_write_is_logged_and_serving_goes_on(caplog):
    def failing(bucket, key, body):
        raise RuntimeError("NoSuchBucket")

    buffer = CaptureBuffer("s3://gone/dc", "ep", failing, flush_seconds=60)
    buffer.add("A", {"n": 1}, WHEN)
    buffer.flush()
    assert "could not write s3://gone/dc/ep/A/2022/04/18/00/" in caplog.text
    assert "1 records dropped" in caplog.text and "DestinationS3Uri" in caplog.text
