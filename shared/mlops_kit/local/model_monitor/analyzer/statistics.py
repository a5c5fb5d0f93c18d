"""statistics.json: per-column profiles computed the way the analyzer (Deequ) computes them.

Numeric columns (Integral/Fractional) get count, mean, sum, population std_dev, min, max
and a KLL sketch with 10 equal-width buckets; String columns get the distinct count and
a categorical histogram. ``profile_columns`` also keeps, per column, how many values of
each type it saw, which the data type check needs.
"""

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from . import inference
from .kll import KLLSketch

VERSION = 0.0


@dataclass
class ColumnProfile:
    """What the analyzer learned about one column."""

    name: str
    type_counts: Counter
    inferred_type: str
    num_present: int
    num_missing: int
    numbers: np.ndarray | None = None
    sketch: KLLSketch | None = None
    categories: Counter = field(default_factory=Counter)

    @property
    def completeness(self) -> float:
        total = self.num_present + self.num_missing
        return self.num_present / total if total else 0.0

    def to_feature(self) -> dict:
        common = {"num_present": self.num_present, "num_missing": self.num_missing}
        feature = {"name": self.name, "inferred_type": self.inferred_type}
        if self.inferred_type in inference.NUMERIC_TYPES:
            feature["numerical_statistics"] = _numerical(common, self.numbers, self.sketch)
        else:
            buckets = [{"value": value, "count": count}
                       for value, count in sorted(self.categories.items(), key=lambda item: (-item[1], item[0]))]
            feature["string_statistics"] = {"common": common, "distinct_count": float(len(self.categories)),
                                            "distribution": {"categorical": {"buckets": buckets}}}
        return feature


def _numerical(common: dict, numbers: np.ndarray, sketch: KLLSketch) -> dict:
    if len(numbers) == 0:
        return {"common": common}
    minimum, maximum = float(numbers.min()), float(numbers.max())
    return {
        "common": common,
        "mean": float(numbers.mean()),
        "sum": float(numbers.sum()),
        "std_dev": float(numbers.std()),
        "min": minimum,
        "max": maximum,
        "distribution": {"kll": {"buckets": sketch.buckets(minimum, maximum), "sketch": sketch.to_json()}},
    }


def profile_column(name: str, values: list[str | None]) -> ColumnProfile:
    """Profile one column of raw CSV values (None or "" for a missing value)."""
    counts = inference.type_counts(values)
    inferred = inference.column_type(counts)
    present = [value for value in values if value not in (None, "")]
    profile = ColumnProfile(name=name, type_counts=counts, inferred_type=inferred,
                            num_present=len(present), num_missing=len(values) - len(present))
    if inferred in inference.NUMERIC_TYPES:
        profile.numbers = np.array([inference.to_number(value) for value in present], dtype=float)
        profile.sketch = KLLSketch()
        profile.sketch.update_all(profile.numbers.tolist())
    else:
        profile.categories = Counter(present)
    return profile


def profile_columns(names: list[str], rows: list[list[str | None]]) -> list[ColumnProfile]:
    """Profile every column of a table given as rows (short rows count as missing values)."""
    columns = [[row[index] if index < len(row) else None for row in rows] for index in range(len(names))]
    return [profile_column(name, values) for name, values in zip(names, columns)]


def statistics_json(profiles: list[ColumnProfile], item_count: int) -> dict:
    return {"version": VERSION, "dataset": {"item_count": item_count},
            "features": [profile.to_feature() for profile in profiles]}
