"""The synthetic credit data: deterministic, the real data's value sets, calibrated, learnable."""

import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from mlops_kit.data import COLUMNS, FEATURES, LABEL, synthetic_credit_data, validate_credit_frame

# The demo's built-in XGBoost hyperparameters (docs/seed-demo-facts.md).
DEMO_XGBOOST = dict(max_depth=5, eta=0.2, gamma=4, min_child_weight=6, subsample=0.8,
                    objective="binary:logistic", nthread=2, seed=0)
PAY = ["PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"]


@pytest.fixture(scope="module")
def data():
    return synthetic_credit_data()  # the full 30,000 rows, as the labs use


def test_schema_and_types(data):
    assert data.shape == (30_000, 24)
    assert list(data.columns) == COLUMNS
    assert set(data.dtypes) == {np.dtype("int64")}
    pd.testing.assert_frame_equal(validate_credit_frame(data), data)


def test_same_seed_same_frame_other_seed_other_frame():
    first = synthetic_credit_data(n_rows=500, seed=7)
    pd.testing.assert_frame_equal(first, synthetic_credit_data(n_rows=500, seed=7))
    other = synthetic_credit_data(n_rows=500, seed=8)
    assert (first != other).to_numpy().mean() > 0.5


@pytest.mark.parametrize("n_rows", [1, 37])
def test_any_size(n_rows):
    frame = synthetic_credit_data(n_rows=n_rows, seed=1)
    assert frame.shape == (n_rows, 24)
    validate_credit_frame(frame)


@pytest.mark.parametrize("n_rows", [0, -5, 2.5])
def test_impossible_size_is_refused(n_rows):
    with pytest.raises(ValueError, match="n_rows must be a whole number of at least 1"):
        synthetic_credit_data(n_rows=n_rows)


def test_value_sets_are_the_real_ones(data):
    assert set(data[LABEL]) == {0, 1}
    assert set(data.SEX) == {1, 2}
    assert set(data.EDUCATION) == set(range(7))
    assert set(data.MARRIAGE) == {0, 1, 2, 3}
    for column in PAY:
        assert set(data[column]) <= set(range(-2, 9)), column
    assert set(data.PAY_0) == set(range(-2, 9))
    assert (data[[f"PAY_AMT{m}" for m in range(1, 7)]] >= 0).all().all()
    assert data.AGE.between(21, 79).all() and data.AGE.min() == 21
    assert (data.LIMIT_BAL % 10_000 == 0).all() and data.LIMIT_BAL.between(10_000, 1_000_000).all()
    for m in range(1, 7):
        bill = data[f"BILL_AMT{m}"]
        assert 0.01 < (bill < 0).mean() < 0.04 and 0.04 < (bill == 0).mean() < 0.15, m


def test_default_rate_is_the_real_22_percent(data):
    assert 0.20 <= data[LABEL].mean() <= 0.24


@pytest.mark.parametrize("column, mean, std, q25, q50, q75, tolerance", [
    ("LIMIT_BAL", 167_484, 129_748, 50_000, 140_000, 240_000, 0.05),
    ("AGE", 35.49, 9.22, 28, 34, 41, 0.05),
    ("BILL_AMT1", 51_223, 73_636, 3_559, 22_382, 67_091, 0.10),
    ("BILL_AMT6", 38_872, 59_554, 1_256, 17_071, 49_198, 0.10),
    ("PAY_AMT1", 5_664, 16_563, 1_000, 2_100, 5_006, 0.15),
])
def test_marginals_match_the_real_data(data, column, mean, std, q25, q50, q75, tolerance):
    values = data[column]
    assert values.mean() == pytest.approx(mean, rel=tolerance)
    assert values.std() == pytest.approx(std, rel=tolerance)
    assert values.quantile([0.25, 0.5, 0.75]).tolist() == pytest.approx([q25, q50, q75], rel=0.02)


def test_category_shares_match_the_real_data(data):
    shares = {column: data[column].value_counts(normalize=True)
              for column in ["SEX", "EDUCATION", "MARRIAGE", "PAY_0"]}
    assert shares["SEX"][2] == pytest.approx(18_112 / 30_000, abs=0.01)
    assert shares["EDUCATION"][2] == pytest.approx(14_030 / 30_000, abs=0.01)
    assert shares["MARRIAGE"][1] == pytest.approx(13_659 / 30_000, abs=0.02)
    assert shares["PAY_0"][0] == pytest.approx(14_737 / 30_000, abs=0.01)
    assert shares["PAY_0"][2] == pytest.approx(2_667 / 30_000, abs=0.01)
    assert (data.PAY_2 == 1).mean() < 0.005  # the real data has almost no 1 after September


def test_default_rate_by_latest_repayment_status(data):
    rate = data.groupby(data.PAY_0.clip(upper=4))[LABEL].mean()
    real = {-2: 0.132, -1: 0.168, 0: 0.128, 1: 0.339, 2: 0.691, 3: 0.758, 4: 0.6}
    for status, expected in real.items():
        assert rate[status] == pytest.approx(expected, abs=0.04 if status < 3 else 0.12), status


@pytest.mark.parametrize("first, second, real", [
    ("BILL_AMT1", "BILL_AMT2", 0.951),
    ("PAY_0", "PAY_2", 0.672),
    ("LIMIT_BAL", "BILL_AMT1", 0.285),
    (LABEL, "PAY_0", 0.325),
    (LABEL, "PAY_2", 0.264),
    (LABEL, "PAY_6", 0.187),
    (LABEL, "LIMIT_BAL", -0.154),
    (LABEL, "PAY_AMT1", -0.073),
    (LABEL, "SEX", -0.040),
    (LABEL, "AGE", 0.014),
    (LABEL, "BILL_AMT1", -0.020),
])
def test_correlations_match_the_real_data(data, first, second, real):
    assert data[first].corr(data[second]) == pytest.approx(real, abs=0.05)


def test_demo_xgboost_learns_a_realistic_not_trivial_model(data):
    train, test = train_test_split(data, test_size=0.2, random_state=0, stratify=data[LABEL])
    model = xgboost.train(DEMO_XGBOOST, xgboost.DMatrix(train[FEATURES], train[LABEL]), num_boost_round=100)
    auc = roc_auc_score(test[LABEL], model.predict(xgboost.DMatrix(test[FEATURES])))
    assert 0.74 <= auc <= 0.81
