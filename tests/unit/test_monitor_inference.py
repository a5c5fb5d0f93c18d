"""Deequ's type inference as the Model Monitor analyzer applies it to CSV values."""

import pytest

from mlops_kit.local.model_monitor.analyzer.inference import (
    FRACTIONAL, INTEGRAL, STRING, UNKNOWN, column_type, matching_fraction, to_number, type_counts, value_type,
)


@pytest.mark.parametrize("value, expected", [
    ("0", INTEGRAL), ("-12", INTEGRAL), ("+7", INTEGRAL), ("- 5", INTEGRAL),
    ("1.0", FRACTIONAL), ("-0.25", FRACTIONAL), ("3e2", FRACTIONAL), ("1.5E-3", FRACTIONAL), ("+ 2.5", FRACTIONAL),
    ("1.", STRING), (".5", STRING), ("abc", STRING), ("true", STRING), ("1,000", STRING), ("1 ", STRING), (" 1", INTEGRAL),
    ("", None), (None, None),
])
def test_value_types_follow_deequs_patterns(value, expected):
    assert value_type(value) == expected


@pytest.mark.parametrize("values, expected", [
    (["1", "2", None], INTEGRAL),
    (["1", "2.5"], FRACTIONAL),
    (["1", "2.5", "x"], STRING),
    ([None, ""], UNKNOWN),
])
def test_one_fractional_value_makes_a_fractional_column_and_one_other_value_a_string_column(values, expected):
    assert column_type(type_counts(values)) == expected


def test_matching_fraction_counts_integral_values_as_fractional_but_not_the_reverse():
    counts = type_counts(["1", "2", "3.5", None])

    assert matching_fraction(counts, FRACTIONAL) == 1.0
    assert matching_fraction(counts, INTEGRAL) == pytest.approx(2 / 3)
    assert matching_fraction(type_counts(["1.0", "2.0"]), INTEGRAL) == 0.0


def test_signed_values_with_a_space_are_read_as_numbers():
    assert to_number("- 5") == -5.0 and to_number("+ 2.5") == 2.5
