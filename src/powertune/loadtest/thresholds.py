"""Pass conditions of a load test (`--threshold`), as k6's thresholds (`p(95)<300`).

Grammar (spaces allowed around the parts, case-insensitive):

    p50|p90|p95|p99|avg < N ms     latency (the `ms` may be left out)
    errors < N %                   share of failed requests (the `%` may be left out)
    rps > N                        throughput, requests per second

A threshold is checked against each memory size's summary; a breach names the
threshold, the size and the measured value. Pure.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum

from powertune.errors import ConfigError, PowertuneError
from powertune.loadtest.statistics import LatencySummary

GRAMMAR = "p50|p90|p95|p99|avg<N ms, errors<N%, rps>N (e.g. 'p95<300ms', 'errors<1%', 'rps>5')"

_LATENCY = re.compile(r"^\s*(p50|p90|p95|p99|avg)\s*<\s*(\d+(?:\.\d+)?)\s*(ms)?\s*$", re.I)
_ERRORS = re.compile(r"^\s*errors\s*<\s*(\d+(?:\.\d+)?)\s*%?\s*$", re.I)
_RPS = re.compile(r"^\s*rps\s*>\s*(\d+(?:\.\d+)?)\s*$", re.I)


class ThresholdMetric(Enum):
    P50 = "p50"
    P90 = "p90"
    P95 = "p95"
    P99 = "p99"
    AVG = "avg"
    ERRORS = "errors"
    RPS = "rps"


class ThresholdBreached(PowertuneError):
    """A load test ran but broke one of its `--threshold` conditions (exit 1)."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """`metric` must stay below `limit` (above it, for rps)."""

    metric: ThresholdMetric
    limit: float

    @property
    def text(self) -> str:
        if self.metric is ThresholdMetric.RPS:
            return f"rps>{self.limit:g}"
        if self.metric is ThresholdMetric.ERRORS:
            return f"errors<{self.limit:g}%"
        return f"{self.metric.value}<{self.limit:g}ms"

    def measured(self, summary: LatencySummary) -> float:
        """The value of this threshold's metric in `summary`."""
        if self.metric is ThresholdMetric.RPS:
            return summary.throughput_rps
        if self.metric is ThresholdMetric.ERRORS:
            return summary.error_rate_pct
        if self.metric is ThresholdMetric.AVG:
            return summary.avg_ms
        return summary.percentile_ms(int(self.metric.value[1:]))

    def holds(self, summary: LatencySummary) -> bool:
        value = self.measured(summary)
        if math.isnan(value):
            return False  # no request at all: nothing shows the condition held
        if self.metric is ThresholdMetric.RPS:
            return value > self.limit
        return value < self.limit


@dataclass(frozen=True, slots=True)
class ThresholdOutcome:
    threshold: Threshold
    memory_mb: int
    measured: float
    passed: bool

    @property
    def line(self) -> str:
        unit = {ThresholdMetric.RPS: " req/s", ThresholdMetric.ERRORS: "%"}.get(
            self.threshold.metric, " ms"
        )
        verdict = "passed" if self.passed else "BROKEN"
        return (
            f"{self.threshold.text} at {self.memory_mb} MB: {verdict} "
            f"(measured {self.measured:.2f}{unit})"
        )


def parse_threshold(text: str) -> Threshold:
    """One `--threshold` value; a ConfigError quoting the grammar when it does not fit."""
    for pattern, metric in ((_ERRORS, ThresholdMetric.ERRORS), (_RPS, ThresholdMetric.RPS)):
        match = pattern.match(text)
        if match:
            return Threshold(metric, float(match.group(1)))
    match = _LATENCY.match(text)
    if match:
        return Threshold(ThresholdMetric(match.group(1).lower()), float(match.group(2)))
    raise ConfigError(f"--threshold {text!r} is not a threshold; write one of: {GRAMMAR}")


def check_thresholds(
    thresholds: tuple[Threshold, ...], summaries: dict[int, LatencySummary]
) -> list[ThresholdOutcome]:
    """Every threshold at every size, sizes in order."""
    return [
        ThresholdOutcome(t, memory_mb, t.measured(summary), t.holds(summary))
        for memory_mb, summary in sorted(summaries.items())
        for t in thresholds
    ]


def raise_on_breach(outcomes: list[ThresholdOutcome]) -> None:
    """ThresholdBreached naming every broken threshold, if any broke."""
    broken = [o for o in outcomes if not o.passed]
    if broken:
        raise ThresholdBreached(
            "load-test threshold broken: "
            + "; ".join(o.line for o in broken)
            + ". Fix the regression, or relax the --threshold if the limit was too tight"
        )
