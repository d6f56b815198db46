"""Summary statistics: percentiles only with enough samples, t intervals, overlap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from powertune.tuning.models import ConfidenceInterval
from powertune.tuning.stats import (
    intervals_overlap,
    mean_interval,
    min_samples_for,
    percentile,
    stdev,
    welch_p_value,
)


def test_min_samples_for_percentiles() -> None:
    assert min_samples_for(50) == 1
    assert min_samples_for(90) == 10
    assert min_samples_for(99) == 100
    assert min_samples_for(95) == 20


def test_percentile_needs_enough_samples() -> None:
    assert percentile(list(range(9)), 90) is None
    assert percentile([float(x) for x in range(1, 11)], 90) == pytest.approx(9.1)
    assert percentile([1.0] * 99, 99) is None
    assert percentile([1.0] * 100, 99) == 1.0


def test_percentile_is_linear_interpolation() -> None:
    values = [float(x) for x in range(100)]
    assert percentile(values, 50) == pytest.approx(49.5)
    assert percentile(values, 99) == pytest.approx(98.01)


def test_mean_interval_matches_t_formula() -> None:
    values = [10.0, 12.0, 11.0, 13.0, 9.0]
    ci = mean_interval(values, 0.95)
    sem = float(np.std(values, ddof=1)) / math.sqrt(5)
    half = float(scipy_stats.t.ppf(0.975, 4)) * sem
    assert ci.low == pytest.approx(11.0 - half)
    assert ci.high == pytest.approx(11.0 + half)
    assert ci.level == 0.95


def test_mean_interval_widens_with_level() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    narrow, wide = mean_interval(values, 0.8), mean_interval(values, 0.99)
    assert wide.low < narrow.low < narrow.high < wide.high


def test_one_sample_has_no_interval() -> None:
    one = mean_interval([5.0])
    assert math.isnan(one.low) and math.isnan(one.high)
    empty = mean_interval([])
    assert math.isnan(empty.low)
    assert math.isnan(empty.high)


def test_stdev() -> None:
    assert stdev([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]) == pytest.approx(2.138, abs=1e-3)
    assert stdev([3.0]) == 0.0


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((1.0, 2.0), (2.0, 3.0), True),
        ((1.0, 2.0), (2.1, 3.0), False),
        ((1.0, 5.0), (2.0, 3.0), True),
        ((4.0, 5.0), (1.0, 3.0), False),
    ],
)
def test_intervals_overlap(a: tuple[float, float], b: tuple[float, float], overlap: bool) -> None:
    ia, ib = ConfidenceInterval(*a, 0.95), ConfidenceInterval(*b, 0.95)
    assert intervals_overlap(ia, ib) is overlap
    assert intervals_overlap(ib, ia) is overlap


def test_welch_calls_a_real_difference_significant_where_intervals_overlap() -> None:
    # n = 30, sd 10, means 100 vs 106: the 95% intervals overlap, Welch's p = 0.023
    assert welch_p_value(100.0, 10.0, 30, 106.0, 10.0, 30) == pytest.approx(0.0237, abs=1e-3)
    a = mean_interval([100.0 + 10.0 * ((i % 2) * 2 - 1) for i in range(30)])
    b = mean_interval([106.0 + 10.0 * ((i % 2) * 2 - 1) for i in range(30)])
    assert intervals_overlap(a, b)


def test_welch_below_two_samples_is_never_significant() -> None:
    assert welch_p_value(1.0, 0.0, 1, 100.0, 0.0, 1) == 1.0
    assert welch_p_value(1.0, 1.0, 1, 100.0, 1.0, 50) == 1.0


def test_missing_interval_overlaps_everything() -> None:
    nan = ConfidenceInterval(math.nan, math.nan, 0.95)
    assert intervals_overlap(nan, ConfidenceInterval(1.0, 2.0, 0.95))
