"""The typed load-test result that the reports, the thresholds and the baseline read.

Built from a finished run (`from_run`) or read back from `loadtest-<ts>.json`
(`powertune.loadtest.result_file`); nothing below this line knows Locust.
"""

from __future__ import annotations

from dataclasses import dataclass

from powertune.loadtest.cost import CostPerMillion, cost_per_million
from powertune.loadtest.samples import RequestSample
from powertune.loadtest.session import LoadTestRun
from powertune.loadtest.statistics import LatencySummary, summarize
from powertune.tuning.pricing import PriceRate, invocation_cost_usd


@dataclass(frozen=True, slots=True)
class LoadTestSetup:
    """What was loaded, how hard, from where."""

    run_id: str
    created_at: str
    function_name: str
    url: str
    region: str
    users: int
    spawn_rate: float
    duration_s: float
    scenario: str
    original_memory_mb: int
    #: e.g. "local cloud (cgroup CPU quotas), 2 cores shared"
    environment: str


@dataclass(frozen=True, slots=True)
class SizeResult:
    """One memory size: its raw samples and the billed durations of its REPORT lines."""

    memory_mb: int
    samples: tuple[RequestSample, ...]
    billed_ms: tuple[int, ...]
    cold_starts: int
    started_s: float
    ended_s: float
    cost: CostPerMillion | None

    @property
    def summary(self) -> LatencySummary:
        return summarize(self.samples)

    def cost_samples_per_million(self, rate: PriceRate) -> tuple[float, ...]:
        """Each invocation's cost scaled to a million (what the comparison resamples)."""
        return tuple(invocation_cost_usd(b, self.memory_mb, rate) * 1e6 for b in self.billed_ms)


@dataclass(frozen=True, slots=True)
class LoadTestResult:
    setup: LoadTestSetup
    sizes: tuple[SizeResult, ...]

    def size(self, memory_mb: int) -> SizeResult | None:
        return next((s for s in self.sizes if s.memory_mb == memory_mb), None)


def from_run(run: LoadTestRun, setup: LoadTestSetup, rate: PriceRate) -> LoadTestResult:
    """The result of a finished run, priced with `rate` in `setup.region`."""
    sizes = tuple(
        SizeResult(
            memory_mb=s.memory_mb,
            samples=s.load.samples,
            billed_ms=s.billed.billed_ms,
            cold_starts=s.billed.cold_starts,
            started_s=s.load.started_s,
            ended_s=s.load.ended_s,
            cost=cost_per_million(s.billed.billed_ms, s.memory_mb, rate, setup.region),
        )
        for s in run.sizes
    )
    return LoadTestResult(setup, sizes)
