"""Answer a ``text/csv`` request the way the built-in XGBoost serving container does.

Container behaviour mirrored (aws/sagemaker-xgboost-container, algorithm_mode/serve.py):
the body is stripped, split into rows on newlines, the delimiter is sniffed from the first
row, empty fields are missing values; the answer is the predictions joined by commas
(one per row, also for several rows: the container keeps this for backwards
compatibility) as ``text/csv; charset=utf-8``. A body it cannot parse is answered with
415, a row the model cannot score with 400. Stricter than the container, on purpose: a
row with fewer features than the model is rejected too (XGBoost would silently treat
the missing columns as missing values), and messages name the row, column and fix.
"""

import csv
import math
from dataclasses import dataclass

import numpy as np
import xgboost

CSV_CONTENT_TYPE = "text/csv"
RESPONSE_CONTENT_TYPE = "text/csv; charset=utf-8"
UNSUPPORTED_MEDIA_TYPE = 415
BAD_REQUEST = 400


class InferenceError(Exception):
    """The container refused the request: ``status`` is its HTTP status, ``str()`` its message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Prediction:
    body: bytes
    content_type: str


def media_type(content_type: str | None) -> str:
    """``text/csv; charset=utf-8`` -> ``text/csv`` (no content type counts as CSV, as in the container)."""
    return (content_type or CSV_CONTENT_TYPE).split(";")[0].strip().lower()


def _csv_failure(detail: str) -> InferenceError:
    return InferenceError(
        UNSUPPORTED_MEDIA_TYPE,
        f"Loading csv data failed with Exception, please ensure data is in csv format: {detail}",
    )


def _delimiter(first_row: str) -> str:
    """The container sniffs the first row; a comma is by far the common case, so skip the costly sniff then."""
    if "," in first_row:
        return ","
    try:
        sniffed = csv.Sniffer().sniff(first_row[:512]).delimiter
    except csv.Error:
        return ","
    return "," if sniffed.isalnum() else sniffed


def _to_float(field: str, row_number: int, column_number: int) -> float:
    if field == "":
        return math.nan
    try:
        return float(field)
    except ValueError:
        hint = " Is the first line a header? Send rows without a header line." if row_number == 1 else ""
        raise _csv_failure(
            f"could not convert string to float: {field!r} (row {row_number}, column {column_number}).{hint}"
        ) from None


def parse_csv(body: bytes) -> np.ndarray:
    """Rows of numbers from a CSV body with no header; raise InferenceError(415) naming what is wrong."""
    try:
        text = body.decode("utf-8").strip()
    except UnicodeDecodeError as error:
        raise _csv_failure(f"the body is not UTF-8 text ({error})") from None
    if not text:
        raise _csv_failure("the body is empty; send one or more rows of comma-separated numbers")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    delimiter = _delimiter(lines[0])
    rows = []
    for row_number, line in enumerate(lines, start=1):
        fields = line.split(delimiter)
        if rows and len(fields) != len(rows[0]):
            raise _csv_failure(
                f"row {row_number} has {len(fields)} values but row 1 has {len(rows[0])}; every row needs the same columns"
            )
        rows.append([_to_float(field.strip(), row_number, column) for column, field in enumerate(fields, start=1)])
    return np.array(rows, dtype=np.float64)


def _check_feature_count(rows: np.ndarray, expected: int) -> None:
    got = rows.shape[1]
    if got == expected:
        return
    if got == expected + 1:
        hint = "did you leave the label column in? Send only the feature columns, without the label."
    elif got > expected:
        hint = f"send exactly the {expected} feature columns the model was trained on, in training order."
    else:
        hint = f"each row needs all {expected} feature columns, in training order (without the label)."
    raise InferenceError(
        BAD_REQUEST,
        f"Unable to evaluate payload provided: Feature shape mismatch, expected {expected} features, got {got} — {hint}",
    )


def predict(booster: xgboost.Booster, body: bytes, content_type: str | None) -> Prediction:
    """The container's answer to one InvokeEndpoint request; raise InferenceError for what it refuses."""
    if media_type(content_type) != CSV_CONTENT_TYPE:
        raise InferenceError(
            UNSUPPORTED_MEDIA_TYPE,
            f"Content-type {content_type} is not supported. The local XGBoost endpoint reads text/csv: "
            "send ContentType='text/csv' with one row of features per line and no header.",
        )
    rows = parse_csv(body)
    _check_feature_count(rows, booster.num_features())
    predictions = booster.predict(xgboost.DMatrix(rows, nthread=1), validate_features=False)
    return Prediction(",".join(map(str, predictions.tolist())).encode("utf-8"), RESPONSE_CONTENT_TYPE)
