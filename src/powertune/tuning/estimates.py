"""Objective estimates per configuration, with standard errors.

A size's *clean* duration (outliers set apart, so a stall cannot drag the
curve) pools its own clean mean (variance: its relative noise × mean² / n)
with the curve's leave-one-out prediction (variance: fit uncertainty, cap
uncertainty and the curve's measured misfit), weighted by precision. The
size's own outlier part (rate × excess, `evidence.py`) is added on top.
Cost and speed are linear in that duration at a given size (cost = price per
ms × (duration + rounding offset) + request charge); the balanced log score
is linearised there; their standard errors follow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from powertune.tuning.curve import CurveCheck, CurveFit
from powertune.tuning.evidence import SizeEvidence
from powertune.tuning.models import Configuration, StrategyName, StrategySpec
from powertune.tuning.pricing import PriceRate
from powertune.tuning.strategies import balanced_score

#: floor on the curve's relative misfit: no model of a real function is exact
MIN_CURVE_MISFIT = 0.001
#: sizes considered for "worth trying" suggestions (Lambda's range, 64 MB steps)
_SUGGESTION_STEP_MB = 64


@dataclass(frozen=True, slots=True)
class Estimate:
    """What the evidence says about one configuration right now."""

    configuration: Configuration
    samples: int
    dof: int
    duration_ms: float
    duration_sd_ms: float
    cost_usd: float
    cost_sd_usd: float
    objective: float
    objective_sd: float
    #: share of the curve in the pooled clean-duration estimate (0 = own samples only)
    curve_weight: float
    durations_ms: tuple[float, ...]
    usd_per_ms: float
    usd_per_request: float
    #: the size's own clean mean and its variance (before pooling with the curve)
    own_clean_ms: float = math.nan
    own_clean_var: float = math.nan
    #: the outlier part of the mean (rate × excess) and its variance
    outlier_ms: float = 0.0
    outlier_var: float = 0.0
    #: the part of the outlier sd shared by every size (the pooled rate's uncertainty)
    outlier_shared_sd: float = 0.0
    #: objective ≈ slope × duration + offset at this size (exact but for balanced)
    slope: float = 1.0
    offset: float = 0.0
    #: the objective's differences are relative already (balanced: a log score)
    log_scale: bool = False
    curve: CurveFit | None = None
    misfit_rel_var: float = 0.0

    @property
    def scale(self) -> float:
        """What a relative tolerance multiplies: the objective, or 1 for a log score."""
        return 1.0 if self.log_scale else (abs(self.objective) or 1e-12)


def _objective(
    strategy: StrategySpec, duration: float, cost: float, per_ms: float
) -> tuple[float, float, bool]:
    """(objective, d objective / d duration, log scale) for a strategy."""
    if strategy.name in (StrategyName.COST, StrategyName.LATENCY_BUDGET):
        return cost, per_ms, False
    if strategy.name is StrategyName.BALANCED:
        w = strategy.balanced_weight
        d = max(duration, 1e-3)
        return balanced_score(cost, d, w), w * per_ms / cost + (1 - w) / d, True
    return duration, 1.0, False  # speed, cost-budget


def _pooled_clean(ev: SizeEvidence, check: CurveCheck | None) -> tuple[float, float, float]:
    """The clean mean pooled with the leave-one-out curve: (mean, variance, curve weight)."""
    own_var = ev.clean_var_ms2
    m = ev.configuration.memory_mb
    if check is None or m not in check.loo_mean_ms:
        return ev.clean_mean_ms, own_var, 0.0
    pred = check.loo_mean_ms[m]
    curve_var = check.loo_var[m] + max(check.misfit_rel_var, MIN_CURVE_MISFIT**2) * pred**2
    if curve_var <= 0 or own_var <= 0:
        return ev.clean_mean_ms, own_var, 0.0
    precision = 1 / own_var + 1 / curve_var
    mean = (ev.clean_mean_ms / own_var + pred / curve_var) / precision
    return mean, 1 / precision, (1 / curve_var) / precision


def combine(
    sizes: Sequence[SizeEvidence],
    check: CurveCheck | None,
    rate: PriceRate,
    strategy: StrategySpec,
) -> dict[Configuration, Estimate]:
    """Estimates for the sizes of one architecture (`check`: the curve, when it fits)."""
    out: dict[Configuration, Estimate] = {}
    for ev in sizes:
        m = ev.configuration.memory_mb
        clean, clean_var, weight = _pooled_clean(ev, check)
        outlier = ev.outlier_rate * ev.outlier_excess_ms
        mean = clean + outlier
        sd = math.sqrt(clean_var + ev.outlier_total_var_ms2)
        per_ms = rate.usd_per_ms(m)
        cost = per_ms * (mean + ev.billed_offset_ms) + rate.usd_per_request
        objective, slope, log_scale = _objective(strategy, mean, cost, per_ms)
        out[ev.configuration] = Estimate(
            configuration=ev.configuration,
            samples=ev.warm,
            dof=ev.dof,
            duration_ms=mean,
            duration_sd_ms=sd,
            cost_usd=cost,
            cost_sd_usd=per_ms * sd,
            objective=objective,
            objective_sd=slope * sd,
            curve_weight=weight,
            durations_ms=ev.durations_ms,
            usd_per_ms=per_ms,
            usd_per_request=rate.usd_per_request,
            own_clean_ms=ev.clean_mean_ms,
            own_clean_var=ev.clean_var_ms2,
            outlier_ms=outlier,
            outlier_var=ev.outlier_var_ms2,
            outlier_shared_sd=ev.outlier_shared_sd_ms,
            slope=slope,
            offset=objective - slope * mean,
            log_scale=log_scale,
            curve=None if check is None else check.full,
            misfit_rel_var=0.0 if check is None else check.misfit_rel_var,
        )
    return out


def off_grid_suggestions(
    estimates: Mapping[Configuration, Estimate],
    contenders: Sequence[Configuration],
    best: Configuration | None,
    tolerance: float,
) -> list[str]:
    """Sizes outside the grid that the fitted curve predicts beat the best by > tolerance."""
    if best is None or best not in estimates or estimates[best].curve is None:
        return []
    b = estimates[best]
    curve = b.curve
    assert curve is not None
    grid = {c.memory_mb for c in estimates}
    low, high = min(grid) // 2, min(10_240, max(grid) * 2)
    found: tuple[float, int] | None = None
    for m in range(128, 10_241, _SUGGESTION_STEP_MB):
        if m in grid or not low <= m <= high:
            continue
        duration = curve.predict_ms(m)
        per_ms = b.usd_per_ms / best.memory_mb * m
        cost = per_ms * (duration + 0.5) + b.usd_per_request
        if b.configuration.memory_mb and b.objective == b.cost_usd:
            gain = (b.cost_usd - cost) / b.cost_usd
        elif b.objective == b.duration_ms:
            gain = (b.duration_ms - duration) / b.duration_ms
        else:
            continue  # balanced scores are relative to the grid; no off-grid claim
        if gain > tolerance and (found is None or gain > found[0]):
            found = (gain, m)
    if found is None:
        return []
    gain, m = found
    return [
        f"{m} MB ({best.architecture.value}) is worth trying: the fitted curve predicts it "
        f"{gain:.1%} better than {best.label}; it was not on the list, so it is not recommended"
    ]
