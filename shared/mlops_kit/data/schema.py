"""The demo's credit table (24 integer columns, ``Label`` first) and its validation.

Every frame the kit hands to a lab goes through :func:`validate_credit_frame`, so a
learner who loads their own copy of the data gets a message naming the column and the
row to fix instead of a model that silently trains on garbage.
"""

from __future__ import annotations

import pandas as pd

LABEL = "Label"
PAY_STATUS = ["PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"]
BILL_AMOUNTS = [f"BILL_AMT{month}" for month in range(1, 7)]
PAY_AMOUNTS = [f"PAY_AMT{month}" for month in range(1, 7)]
FEATURES = ["LIMIT_BAL", "SEX", "EDUCATION", "MARRIAGE", "AGE", *PAY_STATUS, *BILL_AMOUNTS, *PAY_AMOUNTS]
COLUMNS = [LABEL, *FEATURES]


class CreditDataError(ValueError):
    """Credit data that does not fit the demo's schema, or cannot be read at all.

    ``column``, ``row`` (0-based position of the first offending data row) and ``count``
    (how many rows are affected) are set when the problem is about particular values.
    """

    def __init__(self, message: str, *, column: str | None = None, row: int | None = None, count: int = 0):
        super().__init__(message)
        self.column = column
        self.row = row
        self.count = count


def validate_credit_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` as the demo's schema: the 24 columns in order, all int64.

    Columns in another order are reordered silently (order carries no meaning in a
    table with a header); everything else that does not fit raises CreditDataError.
    Rows are named by their 0-based position among the data rows. Blank text counts
    as a missing value.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"validate_credit_frame expects a pandas DataFrame, got {type(df).__name__}")
    df = df.rename(columns=str)
    _check_column_names(df)
    checked = {}
    for column in COLUMNS:
        checked[column] = _integer_column(df[column], column)
    _check_label_values(checked[LABEL])
    return pd.DataFrame(checked, index=df.index)[COLUMNS]


def _check_column_names(df: pd.DataFrame) -> None:
    names = [str(name) for name in df.columns]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise CreditDataError(f"duplicated column(s) {_listing(duplicated)}: keep one of each.")
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise CreditDataError(
            f"missing column(s) {_listing(missing)}: the credit data needs the 24 columns "
            f"{', '.join(COLUMNS)}, named in a header row.",
            column=missing[0],
        )
    extra = [name for name in names if name not in COLUMNS]
    if extra:
        raise CreditDataError(
            f"unexpected column(s) {_listing(extra)}: drop them; the credit data has exactly "
            f"the 24 columns {', '.join(COLUMNS)}.",
            column=extra[0],
        )


def _integer_column(values: pd.Series, column: str) -> pd.Series:
    """The column as int64, or a CreditDataError naming its first bad row."""
    absent = (values.isna() | values.astype("str").str.strip().eq("")).to_numpy()
    _raise_if_any(absent, values, column, lambda first, more: (
        f"column {column!r} has missing values: first at row {first}{more}. "
        "Fill them in or drop those rows."
    ))
    numbers = pd.to_numeric(values.astype("object"), errors="coerce")
    not_numeric = numbers.isna().to_numpy()
    _raise_if_any(not_numeric, values, column, lambda first, more: (
        f"column {column!r} has a non-numeric value {_shown(values.iloc[first])} at row {first}{more}. "
        "Every value must be a whole number: correct or drop those rows."
    ))
    fractional = (numbers != numbers.round()).to_numpy()
    _raise_if_any(fractional, values, column, lambda first, more: (
        f"column {column!r} has a non-integer value {_shown(numbers.iloc[first])} at row {first}{more}. "
        "The credit data is all whole numbers; load the raw data, not scaled or averaged values."
    ))
    return numbers.astype("int64")


def _check_label_values(labels: pd.Series) -> None:
    wrong = (~labels.isin([0, 1])).to_numpy()
    _raise_if_any(wrong, labels, LABEL, lambda first, more: (
        f"column {LABEL!r} has the value {_shown(labels.iloc[first])} at row {first}{more}, but a label "
        "must be 0 (paid) or 1 (defaulted next month): recode or drop those rows."
    ))


def _raise_if_any(bad, values: pd.Series, column: str, message) -> None:
    if not bad.any():
        return
    first = int(bad.argmax())
    count = int(bad.sum())
    more = f" ({count} rows in all)" if count > 1 else " (the only one)"
    raise CreditDataError(message(first, more), column=column, row=first, count=count)


def _shown(value) -> str:
    """A value as the user typed it: 20000, not np.int64(20000)."""
    return repr(value.item() if hasattr(value, "item") else value)


def _listing(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)
