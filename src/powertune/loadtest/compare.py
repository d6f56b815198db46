"""Comparison of two load tests (two sizes, or a size and a baseline): difference and significance.

For each metric the difference is B - A, absolute and relative. It is called:
- NO_CHANGE when the relative difference is below the "no change" threshold
  (default 5%): smaller changes are noise for a reviewer whatever a test says
  (the k6 users' request, grafana/k6#1843);
- BETTER / WORSE when it is above the threshold and the 95% bootstrap interval
  of the difference (resampling each side's raw samples) excludes zero;
- INCONCLUSIVE when it is above the threshold but the interval includes zero;
- UNTESTED for throughput, one number per run that cannot be resampled.
A Mann-Whitney U test on all response times is given beside, as a second
opinion that does not depend on one percentile. Pure (numpy, scipy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np
from scipy.stats import mannwhitneyu

from powertune.loadtest.samples import RequestSample
from powertune.loadtest.statistics import LatencySummary, summarize

DEFAULT_NO_CHANGE_PCT = 5.0
BOOTSTRAP_RESAMPLES = 2000
LEVEL = 0.95
Statistic = Callable[[np.ndarray], np.ndarray]


class Verdict(Enum):
    BETTER = "better"
    WORSE = "worse"
    NO_CHANGE = "no change"
    INCONCLUSIVE = "inconclusive"
    UNTESTED = "difference only"


@dataclass(frozen=True, slots=True)
class MetricDelta:
    """One metric at A and at B, B - A, its interval and the verdict."""

    metric: str
    unit: str
    a: float
    b: float
    interval: tuple[float, float] | None
    verdict: Verdict

    @property
    def delta(self) -> float:
        return self.b - self.a

    @property
    def delta_pct(self) -> float | None:
        return None if self.a == 0 or np.isnan(self.a) else 100.0 * self.delta / self.a


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a comparison: its label, raw samples and per-invocation costs (per million)."""

    label: str
    memory_mb: int
    samples: tuple[RequestSample, ...]
    cost_per_million: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    a: Side
    b: Side
    summary_a: LatencySummary
    summary_b: LatencySummary
    metrics: tuple[MetricDelta, ...]
    mann_whitney_p: float | None
    no_change_pct: float

    def metric(self, name: str) -> MetricDelta:
        return next(m for m in self.metrics if m.metric == name)


def bootstrap_interval(
    a: np.ndarray, b: np.ndarray, statistic: Statistic, *, seed: int = 0
) -> tuple[float, float] | None:
    """95% percentile-bootstrap interval of statistic(B) - statistic(A); None if a side is empty."""
    if len(a) == 0 or len(b) == 0:
        return None
    rng = np.random.default_rng(seed)
    diffs: list[np.ndarray] = []
    batch = max(1, 2_000_000 // max(len(a), len(b)))  # bounds memory on long runs
    for start in range(0, BOOTSTRAP_RESAMPLES, batch):
        k = min(batch, BOOTSTRAP_RESAMPLES - start)
        ra = a[rng.integers(0, len(a), size=(k, len(a)))]
        rb = b[rng.integers(0, len(b), size=(k, len(b)))]
        diffs.append(statistic(rb) - statistic(ra))
    all_diffs = np.concatenate(diffs)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(all_diffs, [tail, 100 - tail])
    return float(low), float(high)


def judge(
    a: float,
    b: float,
    interval: tuple[float, float] | None,
    no_change_pct: float,
    *,
    lower_is_better: bool,
) -> Verdict:
    """The verdict on B - A (see the module's docstring)."""
    if np.isnan(a) or np.isnan(b):
        return Verdict.INCONCLUSIVE
    scale = abs(a) if a != 0 else abs(b)
    if scale == 0 or 100.0 * abs(b - a) / scale < no_change_pct:
        return Verdict.NO_CHANGE
    if interval is None:
        return Verdict.UNTESTED
    if interval[0] <= 0 <= interval[1]:
        return Verdict.INCONCLUSIVE
    improved = (b < a) if lower_is_better else (b > a)
    return Verdict.BETTER if improved else Verdict.WORSE


def _percentile_of(q: float) -> Statistic:
    return lambda x: np.percentile(x, q, axis=-1)


def _mean(x: np.ndarray) -> np.ndarray:
    return np.asarray(x.mean(axis=-1))


def _delta(
    name: str,
    unit: str,
    a: np.ndarray,
    b: np.ndarray,
    statistic: Statistic,
    no_change_pct: float,
) -> MetricDelta:
    va = float(statistic(a)) if len(a) else float("nan")
    vb = float(statistic(b)) if len(b) else float("nan")
    interval = bootstrap_interval(a, b, statistic)
    verdict = judge(va, vb, interval, no_change_pct, lower_is_better=True)
    return MetricDelta(name, unit, va, vb, interval, verdict)


def compare(a: Side, b: Side, *, no_change_pct: float = DEFAULT_NO_CHANGE_PCT) -> Comparison:
    """Every metric of B against A, with its interval and verdict."""
    times_a = _times(a.samples)
    times_b = _times(b.samples)
    metrics = [_delta("avg", "ms", times_a, times_b, _mean, no_change_pct)]
    for q in (50, 90, 95, 99):
        metrics.append(_delta(f"p{q}", "ms", times_a, times_b, _percentile_of(q), no_change_pct))
    errors_a = np.asarray([100.0 if s.failed else 0.0 for s in a.samples])
    errors_b = np.asarray([100.0 if s.failed else 0.0 for s in b.samples])
    metrics.append(_delta("error rate", "%", errors_a, errors_b, _mean, no_change_pct))
    summary_a, summary_b = summarize(a.samples), summarize(b.samples)
    rps = judge(
        summary_a.throughput_rps,
        summary_b.throughput_rps,
        None,
        no_change_pct,
        lower_is_better=False,
    )
    metrics.append(
        MetricDelta(
            "throughput", "req/s", summary_a.throughput_rps, summary_b.throughput_rps, None, rps
        )
    )
    if a.cost_per_million and b.cost_per_million:
        cost_a, cost_b = np.asarray(a.cost_per_million), np.asarray(b.cost_per_million)
        metrics.append(_delta("Lambda cost / 1M", "USD", cost_a, cost_b, _mean, no_change_pct))
    return Comparison(
        a, b, summary_a, summary_b, tuple(metrics), _mann_whitney(times_a, times_b), no_change_pct
    )


def _times(samples: Sequence[RequestSample]) -> np.ndarray:
    return np.asarray([s.response_time_ms for s in samples], dtype=float)


def _mann_whitney(a: np.ndarray, b: np.ndarray) -> float | None:
    if len(a) == 0 or len(b) == 0:
        return None
    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
