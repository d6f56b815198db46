"""The report model: what every report shows, computed once from a typed TuningResult.

HTML, PNG, Markdown and the history index render this and nothing else, so they
cannot disagree about a number. Pure: no files, no clock (times are the result's).
Costs are per million invocations in the result's own currency; durations are ms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from powertune.reports.formatting import PER_MILLION
from powertune.reports.quartiles import BoxStats, box_stats
from powertune.reports.settings_view import settings_rows
from powertune.results.model import SamplingStep, SizeStatistics, TuningResult
from powertune.tuning.models import Architecture, Configuration, InvocationRecord

#: how `results.build` words the warning of a withheld recommendation (shown once, as the verdict)
_WITHHELD = "no recommendation: "


@dataclass(frozen=True, slots=True)
class Band:
    """A mean and its confidence interval (any of them unknown: None)."""

    mean: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class SizePoint:
    """One configuration as the reports show it."""

    memory_mb: int
    architecture: Architecture
    warm_samples: int
    cold_samples: int
    failed_samples: int
    duration_ms: Band
    cost_per_million: Band
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_memory_used_mb: int | None
    failure: str | None
    recommended: bool
    tied: bool
    #: the raw warm, successful durations, in invocation order
    warm_durations_ms: tuple[float, ...]
    cold_durations_ms: tuple[float, ...]
    #: error type -> invocations, most frequent first
    errors: tuple[tuple[str, int], ...]
    box: BoxStats | None

    @property
    def label(self) -> str:
        return f"{self.memory_mb} MB {self.architecture.value}"


@dataclass(frozen=True, slots=True)
class Series:
    """One architecture's configurations, smallest first (failed ones included)."""

    architecture: Architecture
    points: tuple[SizePoint, ...]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The recommendation, its reasons and its ties."""

    memory_mb: int
    architecture: Architecture
    strategy: str
    reasons: tuple[str, ...]
    tied_with: tuple[str, ...]
    settled: bool
    more_invocations: int | None
    duration_ms: Band
    cost_per_million: Band
    original_memory_mb: int | None

    @property
    def label(self) -> str:
        return f"{self.memory_mb} MB {self.architecture.value}"


@dataclass(frozen=True, slots=True)
class ColdRow:
    """What a cold start cost at one configuration (kept apart from the warm figures)."""

    label: str
    samples: int
    init_ms: float
    total_ms: float
    cost_per_million: float
    init_billed: bool


@dataclass(frozen=True, slots=True)
class Exploration:
    """What the tuning run itself invoked and cost."""

    invocations: int
    warm: int
    cold: int
    failed: int
    lambda_cost: float | None
    execution_cost: float | None
    wall_s: float | None


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a report shows about one result."""

    stamp: str
    function_arn: str
    function_name: str
    region: str
    currency: str
    synthetic: bool
    generated_by: str | None
    started_at: datetime | None
    finished_at: datetime | None
    memory_sizes: tuple[int, ...]
    series: tuple[Series, ...]
    verdict: Verdict | None
    withheld: str | None
    failed: tuple[SizePoint, ...]
    cold_starts: tuple[ColdRow, ...]
    steps: tuple[SamplingStep, ...]
    settings: tuple[tuple[str, str], ...]
    exploration: Exploration
    compat_url: str | None
    warnings: tuple[str, ...]

    @property
    def points(self) -> tuple[SizePoint, ...]:
        return tuple(p for s in self.series for p in s.points)


def _per_million(x: float | None) -> float | None:
    return None if x is None else x * PER_MILLION


def _floor0(x: float | None) -> float | None:
    # files written before intervals were clamped can hold a negative lower end
    return None if x is None else max(0.0, x)


def _point(
    s: SizeStatistics,
    records: Sequence[InvocationRecord],
    winner: Configuration | None,
    tied: frozenset[Configuration],
) -> SizePoint:
    mine = [r for r in records if r.memory_mb == s.memory_mb and r.architecture is s.architecture]
    warm = tuple(r.duration_ms for r in mine if not r.failed and not r.cold_start)
    errors = Counter(r.error_type for r in mine if r.error_type is not None)
    return SizePoint(
        memory_mb=s.memory_mb,
        architecture=s.architecture,
        warm_samples=s.warm_samples,
        cold_samples=s.cold_samples,
        failed_samples=s.failed_samples,
        duration_ms=Band(s.mean_duration_ms, _floor0(s.duration_ci_ms[0]), s.duration_ci_ms[1]),
        cost_per_million=Band(
            _per_million(s.mean_cost_usd),
            _per_million(_floor0(s.cost_ci_usd[0])),
            _per_million(s.cost_ci_usd[1]),
        ),
        p50_ms=s.p50_duration_ms,
        p90_ms=s.p90_duration_ms,
        p99_ms=s.p99_duration_ms,
        max_memory_used_mb=s.max_memory_used_mb,
        failure=s.failure,
        recommended=s.configuration == winner,
        tied=s.configuration in tied,
        warm_durations_ms=warm,
        cold_durations_ms=tuple(r.duration_ms for r in mine if r.cold_start and not r.failed),
        errors=tuple(sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))),
        box=box_stats(warm),
    )


def _verdict(result: TuningResult, points: Sequence[SizePoint]) -> Verdict | None:
    rec = result.recommendation
    if rec is None:
        return None
    winner = (
        next(p for p in points if p.recommended) if any(p.recommended for p in points) else None
    )
    run = result.settings.run
    return Verdict(
        memory_mb=rec.memory_mb,
        architecture=rec.architecture,
        strategy=rec.strategy.name.value,
        reasons=rec.reasons,
        tied_with=tuple(c.label for c in rec.tied_with),
        settled=rec.settled,
        more_invocations=rec.more_invocations,
        duration_ms=winner.duration_ms if winner else Band(None, None, None),
        cost_per_million=winner.cost_per_million if winner else Band(None, None, None),
        original_memory_mb=None if run is None else run.original_memory_mb,
    )


def _exploration(result: TuningResult) -> Exploration:
    records = result.invocations
    figures = result.figures
    wall = None
    if result.started_at is not None and result.finished_at is not None:
        wall = (result.finished_at - result.started_at).total_seconds()
    return Exploration(
        invocations=len(records),
        warm=sum(1 for r in records if not r.failed and not r.cold_start),
        cold=sum(1 for r in records if r.cold_start),
        failed=sum(1 for r in records if r.failed),
        lambda_cost=None if figures is None else figures.state_machine.lambda_cost_usd,
        execution_cost=None if figures is None else figures.state_machine.execution_cost_usd,
        wall_s=wall,
    )


def build_report(result: TuningResult, stamp: str) -> Report:
    """The report model of `result`; `stamp` is its file's (see `naming.stamp_of`)."""
    rec = result.recommendation
    winner = rec.configuration if rec else None
    tied = frozenset(rec.tied_with) if rec else frozenset()
    every = sorted(
        (*result.statistics, *result.failed), key=lambda s: (s.architecture.value, s.memory_mb)
    )
    points = [_point(s, result.invocations, winner, tied) for s in every]
    series = tuple(
        Series(arch, tuple(p for p in points if p.architecture is arch))
        for arch in sorted({p.architecture for p in points}, key=lambda a: a.value)
    )
    decision = result.settings.decision
    currency = "USD" if decision is None else decision.price_table.currency
    figures = result.compat_figures or result.figures
    return Report(
        stamp=stamp,
        function_arn=result.function_arn,
        function_name=result.function_arn.rsplit(":function:", 1)[-1],
        region=result.region,
        currency=currency,
        synthetic=result.synthetic,
        generated_by=result.generated_by,
        started_at=result.started_at,
        finished_at=result.finished_at,
        memory_sizes=tuple(sorted({p.memory_mb for p in points})),
        series=series,
        verdict=_verdict(result, points),
        withheld=next(
            (w.removeprefix(_WITHHELD) for w in result.warnings if w.startswith(_WITHHELD)), None
        ),
        failed=tuple(p for p in points if p.failure is not None),
        cold_starts=tuple(
            ColdRow(
                f"{c.memory_mb} MB {c.architecture.value}",
                c.samples,
                c.mean_init_duration_ms,
                c.mean_total_duration_ms,
                c.mean_cost_usd * PER_MILLION,
                c.init_billed,
            )
            for c in result.cold_starts
        ),
        steps=result.sampling_events,
        settings=settings_rows(result),
        exploration=_exploration(result),
        compat_url=None if figures is None else figures.state_machine.visualization_url,
        warnings=tuple(w for w in result.warnings if not w.startswith(_WITHHELD)),
    )
