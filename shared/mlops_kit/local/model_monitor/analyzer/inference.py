"""Deequ's data type inference, as the analyzer applies it to every CSV value.

A value is missing (empty), Integral, Fractional or String by the regular expressions
below; a column is String if any present value is a String, else Fractional if any is
Fractional, else Integral, and Unknown when no value is present. Booleans are Strings
here: SageMaker's ``inferred_type`` has no Boolean.
"""

import re
from collections import Counter
from collections.abc import Iterable

INTEGRAL = "Integral"
FRACTIONAL = "Fractional"
STRING = "String"
UNKNOWN = "Unknown"
NUMERIC_TYPES = (INTEGRAL, FRACTIONAL)

_INTEGRAL = re.compile(r"^(-|\+)? ?\d+$")
_FRACTIONAL = re.compile(r"^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$")


def value_type(value: str | None) -> str | None:
    """The type of one raw value, or None when it is missing."""
    if value is None or value == "":
        return None
    if _INTEGRAL.match(value):
        return INTEGRAL
    if _FRACTIONAL.match(value):
        return FRACTIONAL
    return STRING


def type_counts(values: Iterable[str | None]) -> Counter:
    """How many values of each type (None counts the missing ones)."""
    return Counter(value_type(value) for value in values)


def column_type(counts: Counter) -> str:
    """The column's inferred type from its value types."""
    if counts.get(STRING):
        return STRING
    if counts.get(FRACTIONAL):
        return FRACTIONAL
    if counts.get(INTEGRAL):
        return INTEGRAL
    return UNKNOWN


def to_number(value: str) -> float:
    """A numeric value as the analyzer reads it ("- 5" and "+ 5" allow one space after the sign)."""
    return float(value.replace(" ", ""))


def matching_fraction(counts: Counter, expected: str) -> float:
    """Share of present values that satisfy the expected type (an Integral value is also Fractional)."""
    present = sum(count for kind, count in counts.items() if kind is not None)
    if present == 0:
        return 1.0
    if expected == STRING or expected == UNKNOWN:
        return 1.0
    accepted = (INTEGRAL,) if expected == INTEGRAL else NUMERIC_TYPES
    return sum(counts.get(kind, 0) for kind in accepted) / present
