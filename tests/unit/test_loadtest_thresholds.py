"""`--threshold` grammar and checks: parse, hold, breach (exit 1), bad syntax (exit 2)."""

from __future__ import annotations

import pytest

from powertune.errors import ConfigError
from powertune.loadtest.samples import RequestSample
from powertune.loadtest.statistics import summarize
from powertune.loadtest.thresholds import (
    GRAMMAR,
    Threshold,
    ThresholdBreached,
    ThresholdMetric,
    check_thresholds,
    parse_threshold,
    raise_on_breach,
)


@pytest.mark.parametrize(
    ("text", "metric", "limit"),
    [
        ("p95<300ms", ThresholdMetric.P95, 300.0),
        ("P99 < 1200 ms", ThresholdMetric.P99, 1200.0),
        ("avg<80", ThresholdMetric.AVG, 80.0),
        ("p50<12.5ms", ThresholdMetric.P50, 12.5),
        ("p90<1ms", ThresholdMetric.P90, 1.0),
        ("errors<1%", ThresholdMetric.ERRORS, 1.0),
        ("errors < 0.5", ThresholdMetric.ERRORS, 0.5),
        ("rps>5", ThresholdMetric.RPS, 5.0),
    ],
)
def test_parses_the_grammar(text: str, metric: ThresholdMetric, limit: float) -> None:
    assert parse_threshold(text) == Threshold(metric, limit)


@pytest.mark.parametrize(
    "text", ["p95>300ms", "p97<300ms", "errors>1%", "rps<5", "p95<", "p95<300s", "", "latency"]
)
def test_bad_syntax_is_a_usage_error_quoting_the_grammar(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_threshold(text)
    assert caught.value.exit_code == 2
    assert GRAMMAR in str(caught.value)


def _samples(times_ms: list[float], failed: int = 0) -> list[RequestSample]:
    return [
        RequestSample(
            start_s=float(i),
            method="GET",
            name="GET /items",
            response_time_ms=t,
            response_length_bytes=10,
            status_code=500 if i < failed else 200,
            error="HTTPError: 500" if i < failed else None,
        )
        for i, t in enumerate(times_ms)
    ]


def test_thresholds_hold_or_break_per_size_and_the_breach_names_them() -> None:
    fast = summarize(_samples([10.0] * 99 + [20.0]))
    slow = summarize(_samples([10.0] * 50 + [400.0] * 50, failed=5))
    thresholds = (parse_threshold("p95<300ms"), parse_threshold("errors<1%"))
    outcomes = check_thresholds(thresholds, {1024: fast, 512: slow})
    assert [(o.memory_mb, o.threshold.text, o.passed) for o in outcomes] == [
        (512, "p95<300ms", False),
        (512, "errors<1%", False),
        (1024, "p95<300ms", True),
        (1024, "errors<1%", True),
    ]
    assert outcomes[0].measured == pytest.approx(400.0)
    assert outcomes[1].measured == pytest.approx(5.0)
    with pytest.raises(ThresholdBreached) as caught:
        raise_on_breach(outcomes)
    assert caught.value.exit_code == 1
    assert "p95<300ms at 512 MB" in str(caught.value)
    assert "1024 MB" not in str(caught.value)
    raise_on_breach(outcomes[2:])  # nothing broken: no error


def test_rps_must_be_above_its_limit() -> None:
    # 11 requests, one per second: span 10 s + the last response's 0.01 s
    summary = summarize(_samples([10.0] * 11))
    assert summary.throughput_rps == pytest.approx(11 / 10.01)
    assert parse_threshold("rps>1").holds(summary)
    assert not parse_threshold("rps>2").holds(summary)


def test_no_request_at_all_breaks_every_threshold() -> None:
    empty = summarize([])
    assert not parse_threshold("p95<300ms").holds(empty)
    assert not parse_threshold("rps>0").holds(empty)
