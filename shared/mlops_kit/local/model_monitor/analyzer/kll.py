"""Deequ's KLL quantile sketch (``QuantileNonSample``), with the analyzer's parameters.

Why a sketch and not the raw values: statistics.json stores the sketch, and the drift
distance compares sketches, so the local analyzer must build the same one. Items enter
level 0; when the sketch holds more items than its total capacity, the lowest full level
is compacted: sorted, every other item (alternating offset) promoted one level up, where
it weighs twice as much (an item at level i weighs 2^i). A level's capacity is
``2*(ceil(k*c^d/2)+1)`` with d its depth below the top level, so with k=2048 and
c=0.64 up to 2,050 values stay exact (one uncompacted level).
"""

import math
from collections.abc import Iterable, Sequence

import numpy as np

SKETCH_SIZE = 2048
SHRINKING_FACTOR = 0.64
BUCKET_COUNT = 10


class KLLSketch:
    """A mergeless KLL sketch of floats; ``levels[i]`` holds the items of weight 2^i."""

    def __init__(self, sketch_size: int = SKETCH_SIZE, shrinking_factor: float = SHRINKING_FACTOR):
        self.sketch_size = sketch_size
        self.shrinking_factor = shrinking_factor
        self.levels: list[list[float]] = [[]]
        self._compactions: list[int] = [0]

    @classmethod
    def from_data(cls, data: Sequence[Sequence[float]], sketch_size: float = SKETCH_SIZE,
                  shrinking_factor: float = SHRINKING_FACTOR) -> "KLLSketch":
        """Rebuild a sketch from statistics.json's ``sketch.data`` (one list per level)."""
        sketch = cls(int(sketch_size), float(shrinking_factor))
        sketch.levels = [[float(item) for item in level] for level in data] or [[]]
        sketch._compactions = [0] * len(sketch.levels)
        return sketch

    def capacity(self, level: int) -> int:
        depth = len(self.levels) - level - 1
        return 2 * (math.ceil(self.sketch_size * self.shrinking_factor ** depth / 2) + 1)

    def total_capacity(self) -> int:
        return sum(self.capacity(level) for level in range(len(self.levels)))

    def size(self) -> int:
        return sum(len(level) for level in self.levels)

    def update_all(self, items: Iterable[float]) -> None:
        """Add items in order; same result as adding them one by one (compaction triggers alike)."""
        pending = list(items)
        start = 0
        while start < len(pending):
            room = self.total_capacity() - self.size() + 1  # items until the sketch overflows
            chunk = pending[start:start + room]
            self.levels[0].extend(chunk)
            start += len(chunk)
            if self.size() > self.total_capacity():
                self._condense()

    def _condense(self) -> None:
        while self.size() > self.total_capacity():
            for level in range(len(self.levels)):
                if len(self.levels[level]) >= self.capacity(level):
                    if level + 1 == len(self.levels):
                        self.levels.append([])
                        self._compactions.append(0)
                    self.levels[level + 1].extend(self._compact(level))
                    break

    def _compact(self, level: int) -> list[float]:
        ordered = sorted(self.levels[level])
        kept_back = ordered[-1:] if len(ordered) % 2 else []
        even = ordered[: len(ordered) - len(kept_back)]
        offset = self._compactions[level] % 2
        self._compactions[level] += 1
        self.levels[level] = kept_back
        return even[offset::2]

    # ---- queries ----------------------------------------------------------------

    def _weighted(self) -> tuple[np.ndarray, np.ndarray]:
        """All items sorted, with their weights."""
        items = np.concatenate([np.asarray(level, dtype=float) for level in self.levels])
        weights = np.concatenate([np.full(len(level), 2.0 ** index) for index, level in enumerate(self.levels)])
        order = np.argsort(items, kind="stable")
        return items[order], weights[order]

    def total_weight(self) -> float:
        return float(sum(len(level) * 2.0 ** index for index, level in enumerate(self.levels)))

    def ranks(self, points: np.ndarray, inclusive: bool = True) -> np.ndarray:
        """Weight of the items <= each point (< with ``inclusive=False``)."""
        items, weights = self._weighted()
        cumulative = np.concatenate([[0.0], np.cumsum(weights)])
        side = "right" if inclusive else "left"
        return cumulative[np.searchsorted(items, np.asarray(points, dtype=float), side=side)]

    def items(self) -> np.ndarray:
        return self._weighted()[0]

    def buckets(self, minimum: float, maximum: float, count: int = BUCKET_COUNT) -> list[dict]:
        """Equal-width buckets from min to max; counts from the sketch's ranks (the last bucket is closed)."""
        bounds = [minimum + (maximum - minimum) * index / count for index in range(count + 1)]
        below = self.ranks(np.array(bounds), inclusive=False)
        upto_max = self.ranks(np.array([bounds[-1]]))[0]
        result = []
        for index in range(count):
            upper = upto_max if index == count - 1 else below[index + 1]
            result.append({"lower_bound": bounds[index], "upper_bound": bounds[index + 1],
                           "count": float(upper - below[index])})
        return result

    def to_json(self) -> dict:
        """statistics.json's ``distribution.kll.sketch``."""
        return {"parameters": {"c": self.shrinking_factor, "k": float(self.sketch_size)},
                "data": [list(level) for level in self.levels]}
