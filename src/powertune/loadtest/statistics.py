"""Statistics of raw request samples: summary, per endpoint, timelines, slowest, errors.

Pure. Percentiles are numpy's linear interpolation over the raw response times
(failed requests included, as Locust and Postman count them), so any reader
can recompute them from the CSV. Throughput is requests divided by the span
from the first request's start to the last one's end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from powertune.loadtest.samples import RequestSample

PERCENTILES = (50, 90, 95, 99)


@dataclass(frozen=True, slots=True)
class LatencySummary:
    """Requests, throughput, latency and errors of a set of samples."""

    requests: int
    failures: int
    span_s: float
    throughput_rps: float
    avg_ms: float
    min_ms: float
    max_ms: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def error_rate_pct(self) -> float:
        return 100.0 * self.failures / self.requests if self.requests else 0.0

    def percentile_ms(self, q: int) -> float:
        return {50: self.p50_ms, 90: self.p90_ms, 95: self.p95_ms, 99: self.p99_ms}[q]


@dataclass(frozen=True, slots=True)
class EndpointSummary:
    name: str
    summary: LatencySummary


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    """One bucket of the timeline: requests started in [t_s, t_s + bucket_s)."""

    t_s: float
    requests: int
    failures: int
    throughput_rps: float
    avg_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float


@dataclass(frozen=True, slots=True)
class ErrorGroup:
    name: str
    error: str
    count: int


def span_s(samples: Sequence[RequestSample]) -> float:
    """First start to last end, in seconds (0 without samples)."""
    if not samples:
        return 0.0
    return max(s.end_s for s in samples) - min(s.start_s for s in samples)


def summarize(samples: Sequence[RequestSample], span: float | None = None) -> LatencySummary:
    """The summary of `samples`; `span` (s) overrides the measured span for the throughput."""
    width = span_s(samples) if span is None else span
    if not samples:
        return LatencySummary(0, 0, width, 0.0, *([float("nan")] * 7))
    times = np.asarray([s.response_time_ms for s in samples], dtype=float)
    p50, p90, p95, p99 = (float(v) for v in np.percentile(times, PERCENTILES))
    return LatencySummary(
        requests=len(samples),
        failures=sum(1 for s in samples if s.failed),
        span_s=width,
        throughput_rps=len(samples) / width if width > 0 else 0.0,
        avg_ms=float(times.mean()),
        min_ms=float(times.min()),
        max_ms=float(times.max()),
        p50_ms=p50,
        p90_ms=p90,
        p95_ms=p95,
        p99_ms=p99,
    )


def per_endpoint(samples: Sequence[RequestSample]) -> list[EndpointSummary]:
    """One summary per request name, busiest first; throughput over the whole run's span."""
    width = span_s(samples)
    names = Counter(s.name for s in samples)
    return [
        EndpointSummary(name, summarize([s for s in samples if s.name == name], width))
        for name, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def timeline(samples: Sequence[RequestSample], bucket_s: float) -> list[TimelinePoint]:
    """Buckets of `bucket_s` from the first request; empty buckets are kept (zero requests)."""
    if not samples:
        return []
    origin = min(s.start_s for s in samples)
    count = int(span_s(samples) // bucket_s) + 1
    buckets: list[list[RequestSample]] = [[] for _ in range(count)]
    for s in samples:
        buckets[min(int((s.start_s - origin) // bucket_s), count - 1)].append(s)
    points = []
    for i, bucket in enumerate(buckets):
        summary = summarize(bucket, bucket_s)
        points.append(
            TimelinePoint(
                t_s=i * bucket_s,
                requests=summary.requests,
                failures=summary.failures,
                throughput_rps=summary.throughput_rps,
                avg_ms=summary.avg_ms,
                p90_ms=summary.p90_ms,
                p95_ms=summary.p95_ms,
                p99_ms=summary.p99_ms,
            )
        )
    return points


def bucket_for(duration_s: float) -> float:
    """A timeline bucket giving 20-60 points: 1 s up to a minute, 5 s up to five, then 10 s."""
    if duration_s <= 60:
        return 1.0
    return 5.0 if duration_s <= 300 else 10.0


def slowest(samples: Sequence[RequestSample], count: int = 10) -> list[RequestSample]:
    """The `count` slowest requests, slowest first."""
    return sorted(samples, key=lambda s: s.response_time_ms, reverse=True)[:count]


def error_groups(samples: Sequence[RequestSample]) -> list[ErrorGroup]:
    """Failed requests grouped by endpoint and error text, most frequent first."""
    counts = Counter((s.name, s.error or "") for s in samples if s.failed)
    return [
        ErrorGroup(name, error, n)
        for (name, error), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
