"""The comparison: bootstrap intervals, the "no change" threshold, Mann-Whitney, verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from powertune.loadtest.compare import (
    Side,
    Verdict,
    bootstrap_interval,
    compare,
    judge,
)
from powertune.loadtest.comparison_text import headline, metric_rows
from powertune.loadtest.samples import RequestSample


def side(label: str, times: np.ndarray, costs: tuple[float, ...] = ()) -> Side:
    samples = tuple(
        RequestSample(float(i) * 0.1, "GET", "GET /items/export", float(t), 10, 200)
        for i, t in enumerate(times)
    )
    return Side(label, int(label.split()[0]), samples, costs)


def lognormal(median_ms: float, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(np.log(median_ms), 0.3, n)


def test_a_clear_speed_up_is_better_with_an_interval_below_zero() -> None:
    a, b = side("512 MB", lognormal(200, 400, 1)), side("1024 MB", lognormal(100, 400, 2))
    c = compare(a, b)
    p95 = c.metric("p95")
    assert p95.verdict is Verdict.BETTER
    assert p95.interval is not None and p95.interval[1] < 0
    assert p95.interval[0] < p95.delta < p95.interval[1]
    assert c.mann_whitney_p is not None and c.mann_whitney_p < 1e-6
    assert "faster" in headline(c)


def test_the_same_distribution_is_no_change_or_inconclusive_never_better() -> None:
    a, b = side("512 MB", lognormal(100, 300, 3)), side("1024 MB", lognormal(100, 300, 4))
    c = compare(a, b)
    for metric in ("avg", "p50", "p95"):
        assert c.metric(metric).verdict in (Verdict.NO_CHANGE, Verdict.INCONCLUSIVE)
    assert c.mann_whitney_p is not None and c.mann_whitney_p > 0.01


def test_a_change_below_the_threshold_is_no_change_even_when_significant() -> None:
    times = lognormal(100, 2000, 5)
    a, b = side("512 MB", times), side("1024 MB", times * 1.04)  # 4% slower, every sample
    c = compare(a, b, no_change_pct=5.0)
    assert c.metric("p50").verdict is Verdict.NO_CHANGE
    assert c.metric("p50").delta_pct == pytest.approx(4.0)
    strict = compare(a, b, no_change_pct=1.0)
    assert strict.metric("p50").verdict is Verdict.WORSE


def test_judge_rules() -> None:
    assert judge(100, 50, (-60, -40), 5, lower_is_better=True) is Verdict.BETTER
    assert judge(100, 150, (40, 60), 5, lower_is_better=True) is Verdict.WORSE
    assert judge(100, 150, (-10, 110), 5, lower_is_better=True) is Verdict.INCONCLUSIVE
    assert judge(100, 102, (1, 3), 5, lower_is_better=True) is Verdict.NO_CHANGE
    assert judge(10, 20, None, 5, lower_is_better=False) is Verdict.UNTESTED
    assert judge(0, 0, None, 5, lower_is_better=True) is Verdict.NO_CHANGE


def test_bootstrap_is_reproducible_and_empty_sides_have_none() -> None:
    a, b = lognormal(100, 50, 6), lognormal(120, 50, 7)
    stat = lambda x: np.percentile(x, 95, axis=-1)  # noqa: E731
    assert bootstrap_interval(a, b, stat) == bootstrap_interval(a, b, stat)
    assert bootstrap_interval(a, np.asarray([]), stat) is None


def test_cost_is_compared_when_both_sides_have_bills() -> None:
    a = side("512 MB", lognormal(100, 100, 8), tuple([1.0] * 50))
    b = side("1024 MB", lognormal(100, 100, 9), tuple([2.0] * 50))
    c = compare(a, b)
    cost = c.metric("Lambda cost / 1M")
    assert (cost.a, cost.b, cost.verdict) == (pytest.approx(1.0), pytest.approx(2.0), Verdict.WORSE)
    rows = metric_rows(c)
    assert rows[0][:3] == ["Metric", "A: 512 MB", "B: 1024 MB"]
    assert rows[-1][0] == "Lambda cost / 1M" and rows[-1][-1] == "worse"
