"""The XGBoost container's answers and refusals for text/csv requests."""

import math

import numpy as np
import pytest
import xgboost

from mlops_kit.local.endpoints.csv_inference import (
    RESPONSE_CONTENT_TYPE,
    InferenceError,
    media_type,
    parse_csv,
    predict,
)


@pytest.fixture(scope="module")
def booster():
    rng = np.random.default_rng(0)
    features = rng.random((100, 3))
    return xgboost.train({"objective": "binary:logistic"}, xgboost.DMatrix(features, label=features[:, 0] > 0.5), 5)


def test_media_type_ignores_parameters_and_case():
    assert media_type("Text/CSV; charset=utf-8") == "text/csv"
    assert media_type(None) == "text/csv"


def test_parse_one_row_and_many_rows_with_missing_values():
    assert parse_csv(b"1,2.5,-3\n").tolist() == [[1.0, 2.5, -3.0]]
    rows = parse_csv(b"1,,3\r\n4,5,6")
    assert rows.shape == (2, 3) and math.isnan(rows[0, 1]) and rows[1].tolist() == [4.0, 5.0, 6.0]


def test_parse_sniffs_another_delimiter():
    assert parse_csv(b"1\t2\t3").tolist() == [[1.0, 2.0, 3.0]]


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"1,x,3", "could not convert string to float: 'x' (row 1, column 2). Is the first line a header?"),
        (b"1,2,3\n4,y,6", "'y' (row 2, column 2)."),
        (b"1,2,3\n4,5", "row 2 has 2 values but row 1 has 3"),
        (b"\n \n", "the body is empty"),
        (b"\xff\xfe", "the body is not UTF-8 text"),
    ],
)
def test_unparseable_bodies_are_415_naming_the_problem(body, fragment):
    with pytest.raises(InferenceError) as raised:
        parse_csv(body)
    assert raised.value.status == 415
    assert str(raised.value).startswith("Loading csv data failed with Exception, please ensure data is in csv format")
    assert fragment in str(raised.value)


def test_predict_answers_like_the_container(booster):
    prediction = predict(booster, b"0.9,0.1,0.2\n0.1,0.2,0.3\n", "text/csv")
    expected = booster.predict(xgboost.DMatrix(np.array([[0.9, 0.1, 0.2], [0.1, 0.2, 0.3]])))
    assert prediction.body == f"{float(expected[0])},{float(expected[1])}".encode()
    assert prediction.content_type == RESPONSE_CONTENT_TYPE == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"1,0.9,0.1,0.2", "expected 3 features, got 4 — did you leave the label column in?"),
        (b"1,2,0.9,0.1,0.2", "expected 3 features, got 5 — send exactly the 3 feature columns"),
        (b"0.9,0.1", "expected 3 features, got 2 — each row needs all 3 feature columns"),
    ],
)
def test_wrong_feature_count_is_400(booster, body, fragment):
    with pytest.raises(InferenceError) as raised:
        predict(booster, body, "text/csv")
    assert raised.value.status == 400
    assert str(raised.value).startswith("Unable to evaluate payload provided: Feature shape mismatch")
    assert fragment in str(raised.value)


def test_other_content_types_are_415(booster):
    with pytest.raises(InferenceError) as raised:
        predict(booster, b"[1, 2, 3]", "application/json")
    assert raised.value.status == 415
    assert "Content-type application/json is not supported" in str(raised.value)
