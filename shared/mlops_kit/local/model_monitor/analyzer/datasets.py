"""The analyzer's inputs read into rows of raw strings: a CSV baseline dataset, or capture files.

Errors are ``DatasetError``: the message names the file, the line and what to change, and
becomes the job's FailureReason.
"""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

ENCODING_MISMATCH = ("Encoding mismatch: Encoding is {input} for endpointInput, but Encoding is {output} for "
                     "endpointOutput. We currently only support the same type of input and output encoding at the "
                     "moment.")


class DatasetError(ValueError):
    """An input the analyzer cannot read; str() says which file and line, and what to do."""


@dataclass
class Table:
    names: list[str]
    rows: list[list[str | None]]


def data_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file() and not path.name.startswith("."))


def read_csv_dataset(folder: Path, header: bool) -> Table:
    """Every CSV file under ``folder`` as one table; with ``header`` each file starts with the same header."""
    files = data_files(folder)
    if not files:
        raise DatasetError(f"The baseline dataset folder {folder.name} is empty: point baseline_dataset at a CSV "
                           "file or an S3 prefix holding CSV files.")
    names: list[str] | None = None
    header_file: Path | None = None
    rows: list[list[str | None]] = []
    for path in files:
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        records = [record for record in records if record]
        if header and records:
            file_names, records = [name.strip() for name in records[0]], records[1:]
            if names is None:
                names, header_file = file_names, path
            elif file_names != names:
                raise DatasetError(
                    f"Header mismatch: {path.name} has the header {','.join(file_names)} but {header_file.name} has "
                    f"{','.join(names)}. Every file of a baseline dataset with header=True needs the same columns "
                    "in the same order.")
        width = len(names) if names is not None else None
        for line, record in enumerate(records, start=2 if header else 1):
            if width is None:
                width = len(record)
            if len(record) != width:
                what = "the header" if header else "the first row"
                raise DatasetError(
                    f"Header mismatch: {path.name} line {line} has {len(record)} values but {what} has {width} "
                    f"columns. Fix that row, or check dataset_format (DatasetFormat.csv(header=True) when the first "
                    "line holds the column names).")
            rows.append([value if value != "" else None for value in record])
        if names is None and width is not None:
            names = [f"_c{index}" for index in range(width)]
    return Table(names or [], rows)


@dataclass
class CaptureRecord:
    values: list[str | None]
    inference_time: str | None


def _csv_rows(data: str) -> list[list[str | None]]:
    return [[value if value != "" else None for value in row] for row in csv.reader(io.StringIO(data)) if row]


def parse_capture_line(line: str, where: str, index_names: list[str]) -> list[CaptureRecord]:
    """The rows of one capture line: endpointOutput's columns first, then endpointInput's (CSV only)."""
    try:
        record = json.loads(line)
        capture = record["captureData"]
        metadata = record.get("eventMetadata") or {}
    except (ValueError, KeyError, TypeError) as error:
        raise DatasetError(f"{where} is not a capture record ({type(error).__name__}: {error}): each line of a "
                           'capture file must be a JSON object with "captureData" and "eventMetadata".') from error
    payloads = {name: capture.get(name) for name in index_names if capture.get(name)}
    if "endpointInput" not in payloads:
        raise DatasetError(f'{where} has no captureData.endpointInput: enable CaptureMode "Input" in the '
                           "endpoint's DataCaptureConfig.")
    encodings = {name: payload.get("encoding") for name, payload in payloads.items()}
    if "endpointOutput" in encodings and encodings["endpointOutput"] != encodings["endpointInput"]:
        raise DatasetError(ENCODING_MISMATCH.format(input=encodings["endpointInput"], output=encodings["endpointOutput"])
                           + f" ({where})")
    if encodings["endpointInput"] != "CSV":
        raise DatasetError(f"{where}: endpointInput is encoded {encodings['endpointInput']}; the built-in analyzer "
                           'reads CSV captures: list "text/csv" in CaptureContentTypeHeader.CsvContentTypes and send '
                           "text/csv requests.")
    inputs = _csv_rows(str(payloads["endpointInput"].get("data", "")))
    outputs: list[list[str | None]] = []
    if "endpointOutput" in payloads:
        outputs = _csv_rows(str(payloads["endpointOutput"].get("data", "")))
        if len(outputs) == 1 and len(inputs) > 1 and len(outputs[0]) == len(inputs):
            outputs = [[value] for value in outputs[0]]  # XGBoost answers one line "p1,p2,..." for many rows
        if len(outputs) != len(inputs):
            raise DatasetError(f"{where}: endpointOutput has {len(outputs)} rows for {len(inputs)} endpointInput rows.")
    when = metadata.get("inferenceTime")
    return [CaptureRecord((outputs[index] if outputs else []) + row, when) for index, row in enumerate(inputs)]
