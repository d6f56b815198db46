"""Objective estimates per configuration for the adaptive policy, with standard errors.

A size's duration estimate pools its own warm samples (variance: pooled
relative noise × mean² / n) with the curve's leave-one-out prediction
(variance: fit uncertainty + the curve's measured misfit), weighted by
precision. Cost, speed and the balanced score are all linear in that
duration at a given size (cost = price per ms × (duration + rounding offset)
+ request charge), so their standard errors follow directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from powertune.tuning.curve import CurveCheck, CurveFit, share
from powertune.tuning.evidence import Evidence, SizeEvidence
from powertune.tuning.models import Configuration, StrategyName, StrategySpec
from powertune.tuning.pricing import PriceRate

#: floor on the curve's relative misfit: no model of a real function is exact
MIN_CURVE_MISFIT = 0.001
#: sizes considered for "worth trying" suggestions (Lambda's range, 64 MB steps)
_SUGGESTION_STEP_MB = 64


@dataclass(frozen=True, slots=True)
class Estimate:
    """What the policy believes about one configuration right now."""

    configuration: Configuration
    samples: int
    dof: int
    duration_ms: float
    duration_sd_ms: float
    cost_usd: float
    cost_sd_usd: float
    objective: float
    objective_sd: float
    #: share of the curve in the pooled duration estimate (0 = own samples only)
    curve_weight: float
    durations_ms: tuple[float, ...]
    usd_per_ms: float
    usd_per_request: float
    #: the size's own mean duration and its variance (before pooling with the curve)
    own_duration_ms: float = math.nan
    own_duration_var: float = math.nan
    #: objective = slope × duration + offset at this size
    slope: float = 1.0
    offset: float = 0.0
    curve: CurveFit | None = None
    misfit_rel_var: float = 0.0


def _objective(strategy: StrategySpec, duration: float, cost: float) -> float:
    if strategy.name in (StrategyName.COST, StrategyName.LATENCY_BUDGET):
        return cost
    return duration  # speed, cost-budget; balanced is set by normalise_balanced


def combine(
    sizes: Sequence[SizeEvidence],
    check: CurveCheck | None,
    evidence: Evidence,
    rate: PriceRate,
    strategy: StrategySpec,
) -> dict[Configuration, Estimate]:
    """Estimates for the sizes of one architecture."""
    out: dict[Configuration, Estimate] = {}
    for ev in sizes:
        m = ev.configuration.memory_mb
        own_var = evidence.rel_var * ev.mean_ms**2 / ev.warm
        mean, var, weight = ev.mean_ms, own_var, 0.0
        if check is not None and m in check.loo_mean_ms:
            pred = check.loo_mean_ms[m]
            curve_var = check.loo_var[m] + check.misfit_rel_var * pred**2
            if curve_var > 0:
                precision = 1 / own_var + 1 / curve_var
                mean = (ev.mean_ms / own_var + pred / curve_var) / precision
                var, weight = 1 / precision, (1 / curve_var) / precision
        sd = math.sqrt(var)
        per_ms = rate.usd_per_ms(m)
        cost = per_ms * (mean + ev.billed_offset_ms) + rate.usd_per_request
        by_cost = strategy.name in (StrategyName.COST, StrategyName.LATENCY_BUDGET)
        out[ev.configuration] = Estimate(
            configuration=ev.configuration,
            samples=ev.warm,
            dof=evidence.dof,
            duration_ms=mean,
            duration_sd_ms=sd,
            cost_usd=cost,
            cost_sd_usd=per_ms * sd,
            objective=_objective(strategy, mean, cost),
            objective_sd=per_ms * sd if by_cost else sd,
            curve_weight=weight,
            durations_ms=ev.durations_ms,
            usd_per_ms=per_ms,
            usd_per_request=rate.usd_per_request,
            own_duration_ms=ev.mean_ms,
            own_duration_var=own_var,
            slope=per_ms if by_cost else 1.0,
            offset=per_ms * ev.billed_offset_ms + rate.usd_per_request if by_cost else 0.0,
            curve=None if check is None else check.full,
            misfit_rel_var=0.0 if check is None else check.misfit_rel_var,
        )
    return out


def normalise_balanced(
    estimates: Mapping[Configuration, Estimate], strategy: StrategySpec
) -> dict[Configuration, Estimate]:
    """Balanced score as upstream defines it: w·cost/max cost + (1−w)·duration/max duration."""
    if strategy.name is not StrategyName.BALANCED or not estimates:
        return dict(estimates)
    w = strategy.balanced_weight
    max_cost = max(e.cost_usd for e in estimates.values())
    max_duration = max(e.duration_ms for e in estimates.values())
    out = {}
    for c, e in estimates.items():
        slope = w * e.usd_per_ms / max_cost + (1 - w) / max_duration
        score = w * e.cost_usd / max_cost + (1 - w) * e.duration_ms / max_duration
        offset = score - slope * e.duration_ms
        out[c] = replace(
            e, objective=score, objective_sd=slope * e.duration_sd_ms, slope=slope, offset=offset
        )
    return out


def difference(e: Estimate, b: Estimate) -> tuple[float, float]:
    """Objective of `e` minus that of `b`, and its standard deviation.

    Pools the difference of the two sizes' own means with the difference the
    fitted curve predicts; the curve's prediction of a *difference* is much
    sharper than of each size alone (both come from the same parameters: two
    sizes past the workload's parallelism cap are predicted equal), which is
    what lets equivalent sizes be recognised without hundreds of samples.
    """
    own = (e.slope * e.own_duration_ms + e.offset) - (b.slope * b.own_duration_ms + b.offset)
    own_var = e.slope**2 * e.own_duration_var + b.slope**2 * b.own_duration_var
    curve = e.curve
    if curve is None or b.curve is not curve:
        return e.objective - b.objective, math.hypot(e.objective_sd, b.objective_sd)
    fe = curve.predict_ms(e.configuration.memory_mb)
    fb = curve.predict_ms(b.configuration.memory_mb)
    pred = (e.slope * fe + e.offset) - (b.slope * fb + b.offset)
    xe = 1.0 / share(e.configuration.memory_mb, curve.cap)
    xb = 1.0 / share(b.configuration.memory_mb, curve.cap)
    ga = e.slope - b.slope
    gb = e.slope * xe - b.slope * xb
    (caa, cab), (_, cbb) = curve.covariance
    pred_var = ga * ga * caa + 2 * ga * gb * cab + gb * gb * cbb
    # the curve is never trusted to better than MIN_CURVE_MISFIT of a size's duration
    misfit = max(e.misfit_rel_var, MIN_CURVE_MISFIT**2)
    pred_var += misfit * ((e.slope * fe) ** 2 + (b.slope * fb) ** 2)
    if pred_var <= 0:
        return pred, 0.0
    precision = 1 / own_var + 1 / pred_var
    return (own / own_var + pred / pred_var) / precision, math.sqrt(1 / precision)


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
