"""Data Capture as SageMaker writes it: JSON lines in S3 files, one file per short period.

Format and layout follow docs/model-monitor-formats.md ("Data Capture"):
``{DestinationS3Uri}/{endpoint}/{variant}/yyyy/mm/dd/hh/{MM}-{SS}-{mmm}-{uuid}.jsonl``
(UTC, the time of the file's first record). Records are buffered and written together,
as the real service does, so that capture does not cost an S3 object per request: a
buffer is written ``FLUSH_SECONDS`` after its first record, at ``MAX_RECORDS_PER_FILE``,
and whenever the endpoint is updated or deleted.
"""

import base64
import json
import logging
import random
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ...s3_uri import split_s3_prefix
from .csv_inference import media_type

FLUSH_SECONDS = 1.0
MAX_RECORDS_PER_FILE = 1000

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaptureSettings:
    """An endpoint config's DataCaptureConfig, read once."""

    enabled: bool
    sampling_percentage: int
    destination_s3_uri: str
    capture_input: bool
    capture_output: bool
    csv_content_types: frozenset[str]
    json_content_types: frozenset[str]

    @classmethod
    def from_config(cls, config: dict | None) -> "CaptureSettings | None":
        """None when the endpoint config has no DataCaptureConfig."""
        if not config:
            return None
        modes = {option["CaptureMode"] for option in config.get("CaptureOptions", [])}
        header = config.get("CaptureContentTypeHeader") or {}
        return cls(
            enabled=config.get("EnableCapture", True),
            sampling_percentage=int(config["InitialSamplingPercentage"]),
            destination_s3_uri=config["DestinationS3Uri"],
            capture_input="Input" in modes,
            capture_output="Output" in modes,
            csv_content_types=frozenset(media_type(t) for t in header.get("CsvContentTypes", [])),
            json_content_types=frozenset(media_type(t) for t in header.get("JsonContentTypes", [])),
        )

    def summary(self) -> dict:
        """DescribeEndpoint's DataCaptureConfigSummary."""
        return {
            "EnableCapture": self.enabled,
            "CaptureStatus": "Started" if self.enabled else "Stopped",
            "CurrentSamplingPercentage": self.sampling_percentage,
            "DestinationS3Uri": self.destination_s3_uri,
        }

    def encode(self, data: bytes, content_type: str | None) -> tuple[str, str]:
        """(encoding, data as stored): verbatim text for CSV/JSON content types, else base64."""
        kind = media_type(content_type) if content_type else ""
        encoding = "CSV" if kind in self.csv_content_types else "JSON" if kind in self.json_content_types else "BASE64"
        if encoding != "BASE64":
            try:
                return encoding, data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return "BASE64", base64.b64encode(data).decode("ascii")


def _payload(settings: CaptureSettings, mode: str, data: bytes, content_type: str | None) -> dict:
    encoding, stored = settings.encode(data, content_type)
    return {"observedContentType": content_type or "", "mode": mode, "data": stored, "encoding": encoding}


def build_record(
    settings: CaptureSettings,
    *,
    input_body: bytes,
    input_content_type: str | None,
    output_body: bytes,
    output_content_type: str,
    inference_time: datetime,
    inference_id: str | None = None,
    event_id: str | None = None,
) -> dict:
    """One captured invocation, shaped like a line of a real capture file."""
    capture_data = {}
    if settings.capture_input:
        capture_data["endpointInput"] = _payload(settings, "INPUT", input_body, input_content_type)
    if settings.capture_output:
        capture_data["endpointOutput"] = _payload(settings, "OUTPUT", output_body, output_content_type)
    metadata = {"eventId": event_id or str(uuid.uuid4()), "inferenceTime": inference_time.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if inference_id:
        metadata["inferenceId"] = inference_id
    return {"captureData": capture_data, "eventMetadata": metadata, "eventVersion": "0"}


def capture_key(destination_s3_uri: str, endpoint: str, variant: str, first_record_time: datetime) -> tuple[str, str]:
    """(bucket, key) of a new capture file."""
    bucket, prefix = split_s3_prefix(destination_s3_uri)
    when = first_record_time
    name = f"{when:%M-%S}-{when.microsecond // 1000:03d}-{uuid.uuid4()}.jsonl"
    key = "/".join(part for part in (prefix, endpoint, variant, f"{when:%Y/%m/%d/%H}", name) if part)
    return bucket, key


class Sampler:
    """A random draw per request against the sampling percentage."""

    def __init__(self, percentage: int, rng: random.Random | None = None):
        self.percentage = percentage
        self._rng = rng or random.Random()

    def should_capture(self) -> bool:
        return self._rng.random() * 100 < self.percentage


WriteObject = Callable[[str, str, bytes], None]


class CaptureBuffer:
    """Collects one endpoint's capture lines and writes them as files through ``write(bucket, key, body)``."""

    def __init__(self, destination_s3_uri: str, endpoint: str, write: WriteObject, flush_seconds: float = FLUSH_SECONDS):
        self.destination_s3_uri = destination_s3_uri
        self.endpoint = endpoint
        self._write = write
        self._flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._pending: list[tuple[str, datetime, str]] = []
        self._timer: threading.Timer | None = None

    def add(self, variant: str, record: dict, inference_time: datetime) -> None:
        line = json.dumps(record, separators=(",", ":"))
        with self._lock:
            self._pending.append((variant, inference_time, line))
            full = len(self._pending) >= MAX_RECORDS_PER_FILE
            if not full and self._timer is None:
                self._timer = threading.Timer(self._flush_seconds, self.flush)
                self._timer.daemon = True
                self._timer.start()
        if full:
            self.flush()

    def flush(self) -> None:
        """Write every pending record now: one file per variant and hour."""
        with self._lock:
            pending, self._pending = self._pending, []
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        files: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
        for variant, when, line in pending:
            files[(variant, f"{when:%Y%m%d%H}")].append((when, line))
        for (variant, _hour), records in files.items():
            bucket, key = capture_key(self.destination_s3_uri, self.endpoint, variant, records[0][0])
            body = "".join(line + "\n" for _, line in records).encode("utf-8")
            try:
                self._write(bucket, key, body)
            except Exception as error:  # the real service drops capture it cannot write, and keeps serving
                logger.warning(
                    "Data capture for endpoint %s could not write s3://%s/%s (%d records dropped): %s. "
                    "Check that the bucket in DataCaptureConfig.DestinationS3Uri exists.",
                    self.endpoint, bucket, key, len(records), error,
                )
