"""Build the TuningResult once, from a run's records and their analysis.

`build_result` is the one builder; `result_from_run` (after `tune`) and
`reanalyzed` (after `analyze`) gather its inputs. NaN (a statistic without
samples) becomes None here, so the JSON form never holds it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from powertune import __version__
from powertune.results.model import (
    ColdStart,
    DecisionSettings,
    PowerStat,
    RecommendedSize,
    RunSettings,
    SamplingStep,
    Settings,
    SizeStatistics,
    StateMachineCost,
    TuningResult,
    UpstreamFigures,
)
from powertune.results.reader import figures_from_json
from powertune.tuning.analysis import group_records
from powertune.tuning.compat.visualization import build_visualization_url
from powertune.tuning.engine import TuningRun
from powertune.tuning.models import (
    Analysis,
    Architecture,
    ColdStartStats,
    ConfigurationStats,
    InvocationRecord,
    Recommendation,
)
from powertune.tuning.pricing import PriceRate, invocation_cost_usd

RateFor = Callable[[Architecture], PriceRate]


@dataclass(frozen=True, slots=True)
class Measured:
    """What a result is built from besides the analysis: the records and their context."""

    function_arn: str
    region: str
    records: Sequence[InvocationRecord]
    events: Sequence[SamplingStep] = ()
    warnings: Sequence[str] = ()
    started_at: float | None = None
    finished_at: float | None = None
    synthetic: bool = False


def _finite(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else x


def _time(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def size_statistics(s: ConfigurationStats) -> SizeStatistics:
    return SizeStatistics(
        memory_mb=s.configuration.memory_mb,
        architecture=s.configuration.architecture,
        warm_samples=s.samples,
        cold_samples=s.cold_samples,
        failed_samples=s.failed_samples,
        mean_duration_ms=_finite(s.mean_duration_ms),
        stdev_duration_ms=_finite(s.stdev_duration_ms),
        mean_billed_duration_ms=_finite(s.mean_billed_duration_ms),
        p50_duration_ms=_finite(s.p50_duration_ms),
        p90_duration_ms=s.p90_duration_ms,
        p99_duration_ms=s.p99_duration_ms,
        duration_ci_ms=(_finite(s.duration_ci.low), _finite(s.duration_ci.high)),
        mean_cost_usd=_finite(s.mean_cost_usd),
        cost_ci_usd=(_finite(s.cost_ci.low), _finite(s.cost_ci.high)),
        confidence_level=s.duration_ci.level,
        mean_init_duration_ms=s.mean_init_duration_ms,
        max_memory_used_mb=s.max_memory_used_mb,
        failure=s.failure,
    )


def _cold_start(c: ColdStartStats) -> ColdStart:
    return ColdStart(
        memory_mb=c.configuration.memory_mb,
        architecture=c.configuration.architecture,
        samples=c.samples,
        mean_init_duration_ms=c.mean_init_duration_ms,
        mean_total_duration_ms=c.mean_total_duration_ms,
        mean_cost_usd=c.mean_cost_usd,
        init_billed=c.init_billed,
    )


def _recommended(rec: Recommendation) -> RecommendedSize:
    return RecommendedSize(
        memory_mb=rec.configuration.memory_mb,
        architecture=rec.configuration.architecture,
        strategy=rec.strategy,
        reasons=tuple(rec.reasons),
        tied_with=tuple(rec.tied_with),
        settled=rec.settled,
        more_invocations=rec.more_invocations,
    )


def _lambda_cost_usd(records: Sequence[InvocationRecord], rate_for: RateFor) -> float:
    total = 0.0
    for configuration, group in group_records(records).items():
        rate = rate_for(configuration.architecture)
        total += sum(
            invocation_cost_usd(r.billed_duration_ms, configuration.memory_mb, rate) for r in group
        )
    return total


def our_figures(
    analysis: Analysis, measured: Measured, rate_for: RateFor, *, decided: bool = True
) -> UpstreamFigures:
    """The Power Tuning keys with our numbers: the winner's warm means, its architecture's sizes."""
    rec = analysis.recommendation
    winner = next(
        (s for s in analysis.stats if rec is not None and s.configuration == rec.configuration),
        None,
    )
    arch = rec.configuration.architecture if rec else Architecture.X86_64
    shown = sorted(
        (s for s in analysis.stats if s.configuration.architecture is arch and s.samples > 0),
        key=lambda s: s.configuration.memory_mb,
    )
    url = build_visualization_url(
        [s.configuration.memory_mb for s in shown],
        [s.mean_duration_ms for s in shown],
        [s.mean_cost_usd for s in shown],
        cny=measured.region.startswith("cn-"),
    )
    decided = decided and rec is not None
    return UpstreamFigures(
        power_mb=rec.configuration.memory_mb if decided and rec else None,
        cost_usd=_finite(winner.mean_cost_usd) if decided and winner else None,
        duration_ms=_finite(winner.mean_duration_ms) if decided and winner else None,
        state_machine=StateMachineCost(
            0, _lambda_cost_usd(measured.records, rate_for), url if shown else None
        ),
        stats=tuple(
            PowerStat(s.configuration.memory_mb, s.mean_cost_usd, s.mean_duration_ms) for s in shown
        ),
    )


def build_result(
    measured: Measured,
    analysis: Analysis,
    rate_for: RateFor,
    settings: Settings,
    *,
    compat: Mapping[str, object] | None = None,
    withheld: str | None = None,
) -> TuningResult:
    """The result of `analysis` over `measured`.

    `compat` is upstream's analysis (compat mode). `withheld` says why the
    requested strategy could not decide: the measurements are kept, the
    recommendation and the top-level winner's figures are not, and the reason
    becomes a warning.
    """
    rec = analysis.recommendation if withheld is None else None
    said = () if withheld is None else (f"no recommendation: {withheld}",)
    # a re-decision of an undecided result keeps its warning once
    warnings = (*measured.warnings, *(w for w in said if w not in measured.warnings))
    return TuningResult(
        function_arn=measured.function_arn,
        region=measured.region,
        invocations=tuple(measured.records),
        settings=settings,
        figures=our_figures(analysis, measured, rate_for, decided=withheld is None),
        compat_figures=None if compat is None else figures_from_json(compat, "compat analysis."),
        recommendation=None if rec is None else _recommended(rec),
        statistics=tuple(size_statistics(s) for s in analysis.stats),
        failed=tuple(size_statistics(s) for s in analysis.failed),
        cold_starts=tuple(_cold_start(c) for c in analysis.cold_starts),
        sampling_events=tuple(measured.events),
        warnings=tuple(warnings),
        generated_by=f"powertune {__version__}",
        synthetic=measured.synthetic,
        started_at=_time(measured.started_at),
        finished_at=_time(measured.finished_at),
    )


def run_settings(run: TuningRun, endpoint_url: str | None) -> RunSettings:
    """How `run` measured, for the result's settings."""
    plan = run.plan
    return RunSettings(
        memory_sizes=tuple(sorted({c.memory_mb for c in plan.configurations})),
        architectures=tuple(
            Architecture(a) for a in sorted({c.architecture.value for c in plan.configurations})
        ),
        sampling=plan.sampling,
        seed=plan.seed,
        payloads=len(plan.payloads),
        scratch_copy=plan.scratch_copy,
        run_id=plan.run_id,
        original_memory_mb=run.original.memory_mb,
        backend={**run.backend, **({"endpoint_url": endpoint_url} if endpoint_url else {})},
    )


def result_from_run(
    run: TuningRun,
    analysis: Analysis,
    rate_for: RateFor,
    decision: DecisionSettings,
    *,
    synthetic: bool,
    endpoint_url: str | None,
    compat: Mapping[str, object] | None = None,
    withheld: str | None = None,
) -> TuningResult:
    """The result of a `tune` run."""
    measured = Measured(
        function_arn=run.function_arn,
        region=run.region,
        records=run.records,
        events=[
            SamplingStep(
                e.after_invocations,
                str(e.action),
                e.message,
                e.configuration.label if e.configuration else None,
                None if e.reason is None else str(e.reason),
            )
            for e in run.events
        ],
        warnings=run.warnings,
        started_at=run.started_at,
        finished_at=run.finished_at,
        synthetic=synthetic,
    )
    settings = Settings(decision=decision, run=run_settings(run, endpoint_url))
    return build_result(measured, analysis, rate_for, settings, compat=compat, withheld=withheld)


def reanalyzed(
    previous: TuningResult,
    analysis: Analysis,
    rate_for: RateFor,
    decision: DecisionSettings,
    *,
    source: str,
    compat: Mapping[str, object] | None = None,
    withheld: str | None = None,
) -> TuningResult:
    """A new decision over `previous`'s records (`powertune analyze`); run times are not kept.

    `withheld`: why no recommendation could be made (as for `tune`, the figures stay).
    """
    measured = Measured(
        function_arn=previous.function_arn,
        region=previous.region,
        records=previous.invocations,
        events=previous.sampling_events,
        warnings=previous.warnings,
        synthetic=previous.synthetic,
    )
    settings = replace(previous.settings, decision=decision, reanalyzed_from=source)
    return build_result(measured, analysis, rate_for, settings, compat=compat, withheld=withheld)
