"""Deequ's distribution distances (Distance.scala), as baseline_drift_check applies them.

Simple: the largest gap between the two empirical CDFs (numeric: at every item of either
KLL sketch; categorical: between per-category frequencies, "LInfinity"). Robust: the simple
distance minus a sample-size allowance, ``max(0, simple - 1.8*sqrt((n+m)/(n*m)))``, so
small windows do not raise drift alarms on noise.
"""

import math

import numpy as np

from .kll import KLLSketch

SIMPLE = "Simple"
ROBUST = "Robust"
METHODS = (SIMPLE, ROBUST)


def _select(simple: float, n: float, m: float, method: str) -> float:
    if method == SIMPLE:
        return simple
    if method == ROBUST:
        return max(0.0, simple - 1.8 * math.sqrt((n + m) / (n * m)))
    raise ValueError(f"comparison_method {method!r} is not one of {', '.join(METHODS)}")


def numerical_distance(baseline: KLLSketch, current: KLLSketch, method: str = ROBUST) -> float:
    """Max |CDF_baseline(x) - CDF_current(x)| over every sketch item x, then Simple or Robust."""
    n, m = baseline.total_weight(), current.total_weight()
    if n == 0 or m == 0:
        return 0.0
    keys = np.union1d(baseline.items(), current.items())
    gap = np.abs(baseline.ranks(keys) / n - current.ranks(keys) / m)
    return _select(float(gap.max()), n, m, method)


def categorical_distance(baseline: dict[str, float], current: dict[str, float], method: str = ROBUST) -> float:
    """Max |share_baseline(v) - share_current(v)| over every category v (LInfinity), then Simple or Robust."""
    n, m = float(sum(baseline.values())), float(sum(current.values()))
    if n == 0 or m == 0:
        return 0.0
    simple = max(abs(baseline.get(key, 0) / n - current.get(key, 0) / m) for key in set(baseline) | set(current))
    return _select(simple, n, m, method)
