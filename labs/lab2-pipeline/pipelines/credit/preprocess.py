"""Processing script: split the credit data into train/validation/test and scale the amounts.

SageMaker runs this file alone in the processing container: it imports nothing from the
package. It reads `/opt/ml/processing/input/credit.csv` (with its header) and writes
each part as CSV without header, label first, the format the XGBoost algorithm reads.
"""

import argparse
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler

BASE = Path("/opt/ml/processing")
LABEL = "Label"


def split_and_scale(df: pd.DataFrame, validation_ratio: float, test_ratio: float,
                    random_state: int) -> dict[str, pd.DataFrame]:
    """Stratified train/validation/test parts, amounts scaled by scalers fitted on train only."""
    bill = [column for column in df.columns if column.startswith("BILL_AMT")]
    pay = [column for column in df.columns if column.startswith("PAY_AMT")]
    # TODO: split df (stratified on LABEL, seeded), fit a MinMaxScaler on train's BILL_AMT* and a StandardScaler on train's PAY_AMT*, transform all three parts, return {"train": ..., "validation": ..., "test": ...}
    raise NotImplementedError("split df (stratified on LABEL, seeded), fit a MinMaxScaler on train's BILL_AMT* and a StandardScaler on train's PAY_AMT*, transform all three parts, return {\"train\": ..., \"validation\": ..., \"test\": ...}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--validation-ratio", type=float, default=0.1)
    parser.add_argument("--test-ratio", type=float, default=0.2)
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()

    df = pd.read_csv(BASE / "input" / "credit.csv")
    if df.columns[0] != LABEL:
        raise ValueError(f"The first column of credit.csv is {df.columns[0]!r}, not {LABEL!r}: "
                         "upload the data with its header, label first.")
    parts = split_and_scale(df, args.validation_ratio, args.test_ratio, args.random_state)
    for name, part in parts.items():
        (BASE / name).mkdir(parents=True, exist_ok=True)
        part.to_csv(BASE / name / f"{name}.csv", header=False, index=False)
    print(", ".join(f"{name} {len(part)} rows" for name, part in parts.items()))


if __name__ == "__main__":
    main()
