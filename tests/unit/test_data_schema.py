"""The demo's credit schema and the validation errors a learner's own data can hit."""

import re

import numpy as np
import pandas as pd
import pytest

from mlops_kit.data import COLUMNS, FEATURES, LABEL, CreditDataError, synthetic_credit_data, validate_credit_frame


@pytest.fixture
def frame():
    return synthetic_credit_data(n_rows=12, seed=3)


def test_schema_is_the_demos_24_columns_label_first():
    assert LABEL == "Label"
    assert COLUMNS[0] == LABEL and COLUMNS[1:] == FEATURES
    assert FEATURES == (["LIMIT_BAL", "SEX", "EDUCATION", "MARRIAGE", "AGE", "PAY_0"]
                        + [f"PAY_{m}" for m in range(2, 7)] + [f"BILL_AMT{m}" for m in range(1, 7)]
                        + [f"PAY_AMT{m}" for m in range(1, 7)])
    assert len(FEATURES) == 23 and len(set(COLUMNS)) == 24


def test_a_valid_frame_comes_back_as_int64_in_schema_order(frame):
    as_text_and_floats = frame.astype({"AGE": "float64", "SEX": "str"})[list(reversed(COLUMNS))]
    checked = validate_credit_frame(as_text_and_floats)
    assert list(checked.columns) == COLUMNS
    assert set(checked.dtypes) == {np.dtype("int64")}
    pd.testing.assert_frame_equal(checked, frame)


def test_missing_column_is_named(frame):
    expected = r"missing column\(s\) 'AGE', 'PAY_AMT6': the credit data needs the 24 columns Label, LIMIT_BAL"
    with pytest.raises(CreditDataError, match=expected) as caught:
        validate_credit_frame(frame.drop(columns=["AGE", "PAY_AMT6"]))
    assert caught.value.column == "AGE"


def test_extra_column_is_named_and_must_be_dropped(frame):
    with pytest.raises(CreditDataError, match=r"unexpected column\(s\) 'ID': drop them") as caught:
        validate_credit_frame(frame.assign(ID=range(len(frame))))
    assert caught.value.column == "ID"


def test_duplicated_column_is_named(frame):
    doubled = pd.concat([frame, frame[["AGE"]]], axis=1)
    with pytest.raises(CreditDataError, match=r"duplicated column\(s\) 'AGE'"):
        validate_credit_frame(doubled)


def test_non_numeric_value_names_column_row_value_and_count(frame):
    bad = frame.astype({"LIMIT_BAL": "object"})
    bad.loc[4, "LIMIT_BAL"] = "20k"
    bad.loc[9, "LIMIT_BAL"] = "n/a"
    with pytest.raises(CreditDataError) as caught:
        validate_credit_frame(bad)
    message = str(caught.value)
    assert "column 'LIMIT_BAL'" in message and "'20k'" in message and "row 4" in message
    assert "2 rows in all" in message and "correct or drop" in message
    assert (caught.value.column, caught.value.row, caught.value.count) == ("LIMIT_BAL", 4, 2)


def test_missing_values_name_column_first_row_and_count(frame):
    bad = frame.astype({"BILL_AMT3": "float64"})
    bad.loc[7, "BILL_AMT3"] = np.nan
    with pytest.raises(CreditDataError, match=re.escape("column 'BILL_AMT3' has missing values: first at row 7 "
                                                        "(the only one). Fill them in or drop")) as caught:
        validate_credit_frame(bad)
    assert (caught.value.row, caught.value.count) == (7, 1)


def test_blank_text_is_a_missing_value(frame):
    bad = frame.astype({"EDUCATION": "object"})
    bad.loc[[2, 3], "EDUCATION"] = "  "
    expected = "column 'EDUCATION' has missing values: first at row 2 \\(2 rows in all\\)"
    with pytest.raises(CreditDataError, match=expected):
        validate_credit_frame(bad)


def test_something_other_than_a_frame_is_a_type_error(frame):
    with pytest.raises(TypeError, match="expects a pandas DataFrame, got ndarray"):
        validate_credit_frame(frame.to_numpy())


def test_row_is_the_position_even_with_a_shuffled_index(frame):
    bad = frame.astype({"AGE": "float64"}).set_axis(range(100, 112))
    bad.iloc[2, bad.columns.get_loc("AGE")] = np.nan
    with pytest.raises(CreditDataError, match="first at row 2 "):
        validate_credit_frame(bad)


def test_fractional_value_is_refused_with_a_hint_about_scaled_data(frame):
    bad = frame.astype({"PAY_AMT2": "float64"})
    bad.loc[0, "PAY_AMT2"] = 0.37
    with pytest.raises(CreditDataError, match=r"column 'PAY_AMT2' has a non-integer value 0.37 at row 0.*scaled"):
        validate_credit_frame(bad)


@pytest.mark.parametrize("wrong", [2, -1])
def test_label_other_than_0_or_1_is_named(frame, wrong):
    bad = frame.copy()
    bad.loc[[5, 6, 8], LABEL] = wrong
    with pytest.raises(CreditDataError) as caught:
        validate_credit_frame(bad)
    message = str(caught.value)
    assert f"column 'Label' has the value {wrong} at row 5 (3 rows in all)" in message
    assert "must be 0 (paid) or 1 (defaulted next month)" in message


def test_error_is_a_value_error():
    assert issubclass(CreditDataError, ValueError)
