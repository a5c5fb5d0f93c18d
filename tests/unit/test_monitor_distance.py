"""Deequ's Simple and Robust distances, with the test vectors of docs/model-monitor-formats.md."""

import pytest

from mlops_kit.local.model_monitor.analyzer.distance import categorical_distance, numerical_distance
from mlops_kit.local.model_monitor.analyzer.kll import KLLSketch


def sketch(values) -> KLLSketch:
    built = KLLSketch()
    built.update_all(values)
    return built


def test_numeric_vector_simple_and_robust():
    first, second = sketch([1, 2, 3, 4]), sketch([2, 3, 4, 5])

    assert numerical_distance(first, second, "Simple") == 0.25
    assert numerical_distance(first, second, "Robust") == 0.0


def test_categorical_vector_simple_and_robust():
    first = {"a": 10, "b": 20, "c": 25, "d": 10, "e": 5}
    second = {"a": 11, "b": 20, "c": 25, "d": 10, "e": 10}

    assert categorical_distance(first, second, "Simple") == 0.06015037593984962
    assert categorical_distance(first, second, "Robust") == 0.0


def test_robust_subtracts_the_sample_size_allowance():
    first, second = sketch(range(1000)), sketch(range(500, 1500))

    simple = numerical_distance(first, second, "Simple")
    assert simple == pytest.approx(0.5)
    assert numerical_distance(first, second, "Robust") == pytest.approx(simple - 1.8 * (2000 / 1e6) ** 0.5)


def test_a_category_missing_on_one_side_counts_fully():
    assert categorical_distance({"a": 5}, {"b": 5}, "Simple") == 1.0


def test_an_unknown_method_is_named():
    with pytest.raises(ValueError, match="'Median' is not one of Simple, Robust"):
        numerical_distance(sketch([1]), sketch([2]), "Median")
