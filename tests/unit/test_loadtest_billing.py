"""Billed durations from REPORT lines (a fake log source) and the cost per million requests."""

from __future__ import annotations

import pytest

from powertune.clock import ManualClock
from powertune.loadtest.cost import API_GATEWAY_REST_USD_PER_MILLION, cost_per_million
from powertune.loadtest.logs import REPORT_PATTERN, read_billed
from powertune.tuning.pricing import PriceRate


def report(ms: float, billed: int, memory_mb: int, init: float | None = None) -> str:
    line = (
        f"REPORT RequestId: r-{ms}\tDuration: {ms} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: 80 MB"
    )
    return line + (f"\tInit Duration: {init} ms" if init is not None else "")


class ArrivingLogs:
    """A log group whose lines arrive a few at a time, as CloudWatch Logs' do."""

    def __init__(self, batches: list[list[str]]) -> None:
        self.batches = batches
        self.reads = 0
        self.patterns: list[str] = []

    def messages(self, log_group: str, *, start_ms: int, end_ms: int, pattern: str) -> list[str]:
        self.patterns.append(pattern)
        self.reads += 1
        return [m for batch in self.batches[: self.reads] for m in batch]


def test_reads_until_every_expected_line_arrived_keeping_only_this_size() -> None:
    logs = ArrivingLogs(
        [
            [report(10.2, 11, 512, init=300.0), report(9.0, 9, 1024)],
            [report(12.0, 12, 512), "START RequestId: x", "app says REPORT RequestId: fake"],
            [report(8.5, 9, 512)],
        ]
    )
    clock = ManualClock()
    billed = read_billed(logs, "/aws/lambda/f", 512, (0, 10), expected=3, clock=clock)
    assert billed.billed_ms == (11, 12, 9)
    assert billed.cold_starts == 1
    assert logs.reads == 3 and set(logs.patterns) == {REPORT_PATTERN}
    assert clock.monotonic() == pytest.approx(2.0)


def test_stops_waiting_when_nothing_more_arrives() -> None:
    logs = ArrivingLogs([[report(10.0, 10, 512)]])
    clock = ManualClock()
    billed = read_billed(logs, "/aws/lambda/f", 512, (0, 10), expected=50, clock=clock)
    assert billed.billed_ms == (10,)
    assert clock.monotonic() == pytest.approx(3.0)  # three unchanged reads


def test_cost_per_million_from_billed_durations() -> None:
    rate = PriceRate(usd_per_gb_second=0.0000166667, usd_per_request=0.0000002)
    cost = cost_per_million([100, 300], 1024, rate, "us-east-1")
    assert cost is not None
    # mean 200 ms at 1 GB: 0.2 GB-s x 0.0000166667 x 1e6
    assert cost.lambda_compute_usd == pytest.approx(0.2 * 0.0000166667 * 1e6)
    assert cost.lambda_requests_usd == pytest.approx(0.2)
    assert cost.lambda_total_usd == pytest.approx(3.33334 + 0.2, rel=1e-5)
    assert cost.api_gateway_usd == API_GATEWAY_REST_USD_PER_MILLION["us-east-1"]
    assert cost_per_million([100], 512, rate, "eu-west-3") is not None
    assert cost_per_million([100], 512, rate, "eu-west-3").api_gateway_usd is None  # type: ignore[union-attr]
    assert cost_per_million([], 512, rate, "us-east-1") is None
