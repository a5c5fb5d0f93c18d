"""The KLL sketch with Deequ's parameters: exact below its capacity, weighted after compaction."""

import numpy as np
import pytest

from mlops_kit.local.model_monitor.analyzer.kll import KLLSketch


def test_one_level_holds_2050_items_exactly():
    sketch = KLLSketch()
    assert sketch.capacity(0) == 2 * (1024 + 1)
    sketch.update_all(range(2050))

    assert len(sketch.levels) == 1 and sketch.levels[0] == list(range(2050))
    assert sketch.to_json()["parameters"] == {"c": 0.64, "k": 2048.0}


def test_the_2051st_item_compacts_level_0_into_level_1():
    sketch = KLLSketch()
    sketch.update_all(float(value) for value in range(2051))

    assert len(sketch.levels) == 2
    assert sketch.levels[0] == [2050.0]  # an odd buffer keeps its largest item back
    assert sketch.levels[1] == [float(value) for value in range(0, 2050, 2)]  # alternate items promoted
    assert sketch.total_weight() == 2051  # each promoted item weighs 2


def test_capacities_shrink_by_c_below_the_top_level():
    sketch = KLLSketch()
    sketch.levels = [[], [], []]

    assert [sketch.capacity(level) for level in range(3)] == [2 * (int(np.ceil(2048 * 0.64 ** 2 / 2)) + 1),
                                                               2 * (int(np.ceil(2048 * 0.64 / 2)) + 1), 2050]


def test_adding_in_chunks_equals_adding_one_by_one():
    values = np.random.default_rng(3).normal(size=7000).tolist()
    together, one_by_one = KLLSketch(), KLLSketch()
    together.update_all(values)
    for value in values:
        one_by_one.update_all([value])

    assert together.levels == one_by_one.levels


def test_weights_and_quantiles_stay_close_on_a_large_stream():
    values = np.random.default_rng(0).uniform(0, 1, size=100_000)
    sketch = KLLSketch()
    sketch.update_all(values.tolist())

    assert sketch.total_weight() == 100_000
    assert sketch.size() < 6000
    for point in (0.1, 0.5, 0.9):
        assert sketch.ranks(np.array([point]))[0] / 100_000 == pytest.approx(point, abs=0.01)


def test_buckets_are_ten_equal_width_ranges_with_the_last_one_closed():
    sketch = KLLSketch()
    sketch.update_all([0.0, 1.0, 1.0, 5.0, 10.0])
    buckets = sketch.buckets(0.0, 10.0)

    assert [bucket["lower_bound"] for bucket in buckets] == [float(value) for value in range(10)]
    assert [bucket["count"] for bucket in buckets] == [1.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]


def test_a_constant_column_puts_everything_in_the_last_bucket():
    sketch = KLLSketch()
    sketch.update_all([3.0] * 4)

    assert [bucket["count"] for bucket in sketch.buckets(3.0, 3.0)] == [0.0] * 9 + [4.0]


def test_from_data_rebuilds_levels_and_weights():
    sketch = KLLSketch.from_data([[5.0], [1.0, 3.0]], 2048.0, 0.64)

    assert sketch.total_weight() == 5
    assert sketch.ranks(np.array([3.0]))[0] == 4.0
