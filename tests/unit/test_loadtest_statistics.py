"""Statistics of raw samples: exact percentiles, throughput, endpoints, timelines, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from powertune.loadtest.samples import RequestSample, read_csv, read_jsonl, write_csv
from powertune.loadtest.statistics import (
    bucket_for,
    error_groups,
    per_endpoint,
    slowest,
    summarize,
    timeline,
)


def sample(
    start_s: float, ms: float, name: str = "GET /items", error: str | None = None
) -> RequestSample:
    return RequestSample(start_s, name.split()[0], name, ms, 100, 500 if error else 200, error)


def test_percentiles_are_exact_not_bucketed() -> None:
    # Locust would report 147 as 150; the raw samples keep it.
    times = [147.0, 3432.0, 12.3, 58.7, 99.9]
    s = summarize([sample(i, t) for i, t in enumerate(times)])
    assert s.p50_ms == pytest.approx(float(np.percentile(times, 50)))
    assert s.p95_ms == pytest.approx(float(np.percentile(times, 95)))
    assert s.avg_ms == pytest.approx(sum(times) / 5)
    assert (s.min_ms, s.max_ms) == (12.3, 3432.0)


def test_throughput_is_requests_over_the_span() -> None:
    samples = [sample(100.0, 500.0), sample(101.0, 1000.0), sample(103.0, 1000.0)]
    s = summarize(samples)
    assert s.span_s == pytest.approx(4.0)  # 100.0 .. 103.0 + 1.0
    assert s.throughput_rps == pytest.approx(3 / 4.0)


def test_endpoints_errors_slowest() -> None:
    samples = [
        sample(0, 10, "GET /items"),
        sample(1, 30, "GET /items"),
        sample(2, 900, "GET /items/export"),
        sample(3, 5, "POST /items", error="HTTPError: 500"),
        sample(4, 6, "POST /items", error="HTTPError: 500"),
        sample(5, 7, "POST /items", error="Timeout"),
    ]
    endpoints = per_endpoint(samples)
    assert [(e.name, e.summary.requests) for e in endpoints] == [
        ("POST /items", 3),
        ("GET /items", 2),
        ("GET /items/export", 1),
    ]
    assert endpoints[0].summary.error_rate_pct == pytest.approx(100.0)
    assert [(g.name, g.error, g.count) for g in error_groups(samples)] == [
        ("POST /items", "HTTPError: 500", 2),
        ("POST /items", "Timeout", 1),
    ]
    assert [s.response_time_ms for s in slowest(samples, 2)] == [900, 30]


def test_timeline_buckets_keep_empty_seconds() -> None:
    samples = [sample(10.0, 5), sample(10.5, 15), sample(13.2, 7)]
    points = timeline(samples, 1.0)
    assert [p.requests for p in points] == [2, 0, 0, 1]
    assert points[0].avg_ms == pytest.approx(10.0)
    assert points[0].throughput_rps == pytest.approx(2.0)
    assert (bucket_for(30), bucket_for(120), bucket_for(900)) == (1.0, 5.0, 10.0)


def test_csv_round_trip_is_lossless(tmp_path: Path) -> None:
    folder = tmp_path
    samples = [sample(1796153751.865066, 10.60906600105227), sample(2.0, 3.0, error='x, "y"')]
    write_csv(folder / "s.csv", samples)
    assert read_csv(folder / "s.csv") == samples


def test_a_torn_last_json_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"start_s": 2.0, "method": "GET", "name": "GET /items", "response_time_ms": 4.5, '
        '"response_length": 7, "status_code": 200, "error": null}\n'
        '{"start_s": 1.0, "method": "GET", "name": "GET /items", "response_time_ms": 3.5, '
        '"response_length": 7, "status_code": 200, "error": null}\n{"start_s": 3.'
    )
    got = read_jsonl(path)
    assert [s.start_s for s in got] == [1.0, 2.0]
