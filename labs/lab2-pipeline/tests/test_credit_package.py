"""Unit tests of the credit package's scripts: fast, on a small synthetic frame, no AWS."""

import numpy as np
import pandas as pd
import pytest

from pipelines.credit.evaluate import binary_classification_metrics
from pipelines.credit.preprocess import LABEL, split_and_scale


@pytest.fixture
def credit():
    """1,000 rows shaped like the credit data: label first, 20% defaults, amounts in the thousands."""
    rng = np.random.default_rng(0)
    columns = {LABEL: (rng.random(1000) < 0.2).astype(int), "LIMIT_BAL": rng.integers(10_000, 500_000, 1000),
               "PAY_0": rng.integers(-2, 9, 1000)}
    columns.update({f"BILL_AMT{month}": rng.integers(-5_000, 200_000, 1000) for month in range(1, 7)})
    columns.update({f"PAY_AMT{month}": rng.integers(0, 50_000, 1000) for month in range(1, 7)})
    return pd.DataFrame(columns)


def test_the_split_is_70_10_20_and_stratified(credit):
    parts = split_and_scale(credit, validation_ratio=0.1, test_ratio=0.2, random_state=0)
    assert {name: len(part) for name, part in parts.items()} == {"train": 700, "validation": 100, "test": 200}
    for part in parts.values():
        assert part[LABEL].mean() == pytest.approx(credit[LABEL].mean(), abs=0.01)


def test_the_scalers_are_fitted_on_train_only(credit):
    parts = split_and_scale(credit, validation_ratio=0.1, test_ratio=0.2, random_state=0)
    bill = [column for column in credit if column.startswith("BILL_AMT")]
    pay = [column for column in credit if column.startswith("PAY_AMT")]
    # TODO: assert that train's BILL_AMT* span exactly 0..1 and train's PAY_AMT* have mean 0 and standard deviation 1 (ddof=0), and that the other columns are unchanged
    raise NotImplementedError("assert that train's BILL_AMT* span exactly 0..1 and train's PAY_AMT* have mean 0 and standard deviation 1 (ddof=0), and that the other columns are unchanged")


def test_the_report_has_auc_first_under_binary_classification_metrics():
    report = binary_classification_metrics([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    assert list(report) == ["binary_classification_metrics"]
    metrics = report["binary_classification_metrics"]
    assert next(iter(metrics)) == "auc"
    assert metrics["auc"] == {"value": 0.75, "standard_deviation": "NaN"}


def test_the_other_metrics_use_the_half_threshold():
    # TODO: for labels [0, 0, 1, 1] and scores [0.1, 0.6, 0.4, 0.9], assert accuracy, precision and recall are 0.5 and the confusion matrix is {"0": {"0": 1, "1": 1}, "1": {"0": 1, "1": 1}}
    raise NotImplementedError("for labels [0, 0, 1, 1] and scores [0.1, 0.6, 0.4, 0.9], assert accuracy, precision and recall are 0.5 and the confusion matrix is {\"0\": {\"0\": 1, \"1\": 1}, \"1\": {\"0\": 1, \"1\": 1}}")
