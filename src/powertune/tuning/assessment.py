"""One assessment of a set of records: evidence, timeout risks, curve, estimates, judgement.

A pure function of the records and a few settings, used twice: by the
adaptive policy after every batch (to steer sampling) and by `recommend()`
for the final pick, which therefore depends on the records and the stored
settings only, never on the path the policy took.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from powertune.tuning.curve import CurveCheck, SizeMean, check_curve
from powertune.tuning.decisions import Drop, Judgement, judge
from powertune.tuning.differences import Comparator
from powertune.tuning.estimates import Estimate, combine
from powertune.tuning.evidence import Evidence, gather
from powertune.tuning.models import (
    RUNTIME_OUT_OF_MEMORY,
    SANDBOX_TIMEDOUT,
    Architecture,
    Configuration,
    InvocationRecord,
    StrategyName,
    StrategySpec,
)
from powertune.tuning.pricing import PriceRate
from powertune.tuning.risk import RiskLevel, timeout_risk
from powertune.tuning.sampling import DropReason
from powertune.tuning.stats import min_samples_for

RateFor = Callable[[Architecture], PriceRate]
#: the curve is not used when a chi-square test rejects it at this level
CURVE_REJECT_P = 0.01


@dataclass(frozen=True, slots=True)
class Assessment:
    evidence: Evidence
    estimates: dict[Configuration, Estimate]
    #: sizes out before any comparison: failed in a sample, or at risk of timing out
    excluded: dict[Configuration, Drop]
    curves: dict[Architecture, CurveCheck | None]
    judgement: Judgement
    #: sizes only possibly at risk of timing out: their own samples must settle it
    unsure: frozenset[Configuration] = frozenset()

    def curve_usable(self, arch: Architecture) -> bool:
        check = self.curves.get(arch)
        return check is not None and check.p_value >= CURVE_REJECT_P


def curve_message(arch: Architecture, check: CurveCheck, usable: bool) -> str:
    """The `model` event: whether the duration curve is used, and the fit."""
    if not usable:
        return (
            f"{arch.value}: duration curve does not fit (chi-square p = {check.p_value:.3g}); "
            "deciding from per-size evidence only"
        )
    fit = check.full
    return (
        f"{arch.value}: duration curve fits (t = {fit.fixed_ms:.1f} ms + {fit.cpu_ms:.1f} ms / "
        f"share, parallelism cap {fit.cap:.2f}; misfit {math.sqrt(check.misfit_rel_var):.1%}, "
        "fitted on clean means: outliers set apart); pooled with per-size evidence"
    )


def min_samples(strategy: StrategySpec) -> int:
    """Warm samples a size needs before the strategy can judge it."""
    if strategy.name is StrategyName.LATENCY_BUDGET:
        return min_samples_for(strategy.latency_percentile)
    return 1


def _excluded(
    evidence: Evidence,
    failed: Collection[Configuration],
    timeout_ms: float | None,
    final: bool,
) -> tuple[dict[Configuration, Drop], dict[Configuration, str]]:
    """Sizes out (failed, at risk), and sizes whose risk their own samples must settle."""
    out: dict[Configuration, Drop] = {}
    unsure: dict[Configuration, str] = {}
    for c, ev in evidence.sizes.items():
        hard = ev.failure is not None and (
            RUNTIME_OUT_OF_MEMORY in ev.failure or SANDBOX_TIMEDOUT in ev.failure
        )
        if c in failed or hard:
            why = f"failed ({ev.failure or 'marked failed by the engine'}); never recommended"
            out[c] = Drop(DropReason.FAILED, why)
            continue
        risk = timeout_risk(ev, evidence, timeout_ms)
        if risk is not None and (final or risk.level is RiskLevel.LIKELY):
            out[c] = Drop(DropReason.TIMEOUT_RISK, f"failed ({risk.message})")
        if risk is not None and risk.level is RiskLevel.POSSIBLE:
            unsure[c] = risk.message  # final: out, but still said to be unsure
    return out, unsure


def assess(
    records: Sequence[InvocationRecord],
    configurations: Sequence[Configuration],
    payload_weights: Sequence[float],
    *,
    strategy: StrategySpec,
    rate_for: RateFor,
    tolerance: float,
    confidence: float,
    timeout_ms: float | None,
    failed: Collection[Configuration] = (),
    final: bool = True,
) -> Assessment:
    """Assess every configuration from the records (see the module docstring).

    `final`: a size only *possibly* at risk of timing out (only the worse of two
    outlier models puts it over) is out; while sampling (`final=False`) it stays
    in, open, so that its own samples settle the question.
    """
    evidence = gather(records, configurations, payload_weights)
    excluded, unsure = _excluded(evidence, failed, timeout_ms, final)
    estimates: dict[Configuration, Estimate] = {}
    curves: dict[Architecture, CurveCheck | None] = {}
    points: dict[Architecture, list[SizeMean]] = {}
    rel_var: dict[Architecture, float] = {}
    for arch in sorted({c.architecture for c in configurations}, key=lambda a: a.value):
        sizes = [
            ev
            for c, ev in evidence.sizes.items()
            if c.architecture is arch and ev.clean_samples > 0 and c not in excluded
        ]
        pts = [
            SizeMean(ev.configuration.memory_mb, ev.clean_mean_ms, ev.clean_samples) for ev in sizes
        ]
        check = check_curve(pts, evidence.rel_var)
        curves[arch] = check
        usable = check is not None and check.p_value >= CURVE_REJECT_P
        if usable:
            points[arch], rel_var[arch] = pts, evidence.rel_var
        estimates.update(combine(sizes, check if usable else None, rate_for(arch), strategy))
    estimates = {c: e for c, e in estimates.items() if not math.isnan(e.objective)}
    judgement = judge(
        strategy,
        estimates,
        Comparator(estimates, points, rel_var),
        tolerance=tolerance,
        confidence=confidence,
        min_samples=min_samples(strategy),
        unsure=unsure,
    )
    return Assessment(evidence, estimates, excluded, curves, judgement, frozenset(unsure))
