"""Summary statistics of samples: mean, spread, percentiles, confidence intervals.

Pure functions over sequences of floats. Confidence intervals of a mean use
Student's t with n-1 degrees of freedom (quantiles from scipy.special, which
imports in a quarter of the time scipy.stats takes): exact for normal data and close for
the moderately skewed durations Lambda produces once cold starts are set
apart; the decision-quality benchmark (`benchmarks/decision/`) measures how
often they really contain the true value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.special import stdtr, stdtrit

from powertune.tuning.models import ConfidenceInterval

#: Minimum samples before a percentile is reported: p90 needs 10, p99 needs 100,
#: so that at least one sample lies beyond the percentile.
MIN_SAMPLES_FOR_PERCENTILE = {50: 1, 90: 10, 99: 100}


def min_samples_for(percentile: int) -> int:
    """How many samples a percentile needs before it is reported or used."""
    return MIN_SAMPLES_FOR_PERCENTILE.get(percentile, math.ceil(100 / (100 - percentile)))


def percentile(values: Sequence[float] | np.ndarray, q: int) -> float | None:
    """The q-th percentile (linear interpolation), or None when there are too few samples."""
    if len(values) < min_samples_for(q):
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


def mean_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> ConfidenceInterval:
    """Two-sided t confidence interval of the mean; no interval (NaN bounds) for n < 2.

    One sample says nothing about the spread, so it gets no interval rather than a
    zero-width one.
    """
    arr = np.asarray(values, dtype=float)
    n = arr.size
    if n < 2:
        return ConfidenceInterval(math.nan, math.nan, level)
    mean = float(arr.mean())
    sem = float(arr.std(ddof=1)) / math.sqrt(n)
    half = float(stdtrit(n - 1, 0.5 + level / 2.0)) * sem
    return ConfidenceInterval(mean - half, mean + half, level)


def stdev(values: Sequence[float] | np.ndarray) -> float:
    """Sample standard deviation (0 for fewer than two samples)."""
    arr = np.asarray(values, dtype=float)
    return float(arr.std(ddof=1)) if arr.size > 1 else 0.0


def intervals_overlap(a: ConfidenceInterval, b: ConfidenceInterval) -> bool:
    """True when two intervals share a point (or either is missing)."""
    if any(math.isnan(x) for x in (a.low, a.high, b.low, b.high)):
        return True
    return a.low <= b.high and b.low <= a.high


def welch_p_value(
    mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int
) -> float:
    """Two-sided p-value of Welch's t-test that two means differ (1.0 below 2 samples each).

    A test of the difference, not an overlap of two intervals (which is far
    stricter: means 100 vs 106, sd 10, n 30 each overlap, yet p = 0.023).
    """
    if n_a < 2 or n_b < 2 or any(math.isnan(x) for x in (mean_a, mean_b, sd_a, sd_b)):
        return 1.0
    va, vb = sd_a * sd_a / n_a, sd_b * sd_b / n_b
    if va + vb <= 0:
        return 1.0 if mean_a == mean_b else 0.0
    t = abs(mean_a - mean_b) / math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va * va / (n_a - 1) + vb * vb / (n_b - 1))
    return float(2.0 * stdtr(dof, -t))
