"""The analysis' 95% intervals of each size's mean duration and cost, outliers included.

A plain t-interval of one size's 3-8 samples undercovers badly when the mean
rests on rare large outliers (a stall in one call of seven, a ×10 pause): the
samples that show no outlier give a narrow interval around the clean mean, and
the outliers that did show make the spread, not the mean, wide. Here a size's
mean is modelled as the assessment models it (`evidence.py`): its clean mean
(pooled relative noise, real degrees of freedom) plus its outlier rate times
its excess, the rate a Beta posterior whose prior is the rate seen across all
sizes. The interval is asymmetric: the clean mean's t half-width and the
rate's Beta quantiles (times the excess), with the pooled rate's own
uncertainty, combined in quadrature on each side. Fewer than 2 samples: no
interval. The point estimates reported (mean duration, mean cost) are
unchanged: the sample means.

Cost is linear in the duration at a given size: price per ms × (duration +
the size's observed rounding offset) + the request charge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from scipy.special import betaincinv, stdtrit

from powertune.tuning.evidence import Evidence, SizeEvidence, gather
from powertune.tuning.models import (
    Architecture,
    ConfidenceInterval,
    ConfigurationStats,
    InvocationRecord,
)
from powertune.tuning.pricing import PriceRate, invocation_cost_usd


def _rate_interval(ev: SizeEvidence, evidence: Evidence, level: float) -> tuple[float, float]:
    """Central `level` interval of the size's outlier rate (Beta posterior)."""
    model = evidence.outliers
    n, o = ev.clean_samples + ev.outliers, ev.outliers
    alpha = o + model.prior_samples * model.rate
    beta = n - o + model.prior_samples * (1.0 - model.rate)
    if alpha <= 0 or beta <= 0:
        return ev.outlier_rate, ev.outlier_rate
    tail = (1.0 - level) / 2.0
    return float(betaincinv(alpha, beta, tail)), float(betaincinv(alpha, beta, 1.0 - tail))


def duration_interval(ev: SizeEvidence, evidence: Evidence, level: float) -> ConfidenceInterval:
    """Interval of the size's mean warm duration (NaN bounds below 2 samples)."""
    if ev.clean_samples + ev.outliers < 2 or ev.clean_samples < 1:
        return ConfidenceInterval(math.nan, math.nan, level)
    t = float(stdtrit(max(1, ev.dof), 0.5 + level / 2.0))
    clean_half = t * math.sqrt(ev.clean_var_ms2)
    excess = max(0.0, ev.outlier_excess_ms)
    low_rate, high_rate = _rate_interval(ev, evidence, level)
    shared = t * ev.outlier_shared_sd_ms
    up = math.hypot(clean_half, (high_rate - ev.outlier_rate) * excess, shared)
    down = math.hypot(clean_half, (ev.outlier_rate - low_rate) * excess, shared)
    return ConfidenceInterval(ev.mean_ms - down, ev.mean_ms + up, level)


def _cost_interval(
    ev: SizeEvidence, duration: ConfidenceInterval, rate: PriceRate
) -> ConfidenceInterval:
    m = ev.configuration.memory_mb
    base = invocation_cost_usd(0.0, m, rate)
    per_ms = (invocation_cost_usd(1000.0, m, rate) - base) / 1000.0
    low = base + per_ms * (duration.low + ev.billed_offset_ms)
    high = base + per_ms * (duration.high + ev.billed_offset_ms)
    return ConfidenceInterval(low, high, duration.level)


#: from this many samples a size's own t-interval is informative: the reported interval
#: also covers it (a spread the pooled model does not explain: a payload mix, two modes)
_OWN_SAMPLES = 3


def _hull(a: ConfidenceInterval, b: ConfidenceInterval) -> ConfidenceInterval:
    return ConfidenceInterval(min(a.low, b.low), max(a.high, b.high), a.level)


def with_model_intervals(
    stats: Sequence[ConfigurationStats],
    records: Sequence[InvocationRecord],
    rate_for: Callable[[Architecture], PriceRate],
    payload_weights: Sequence[float] = (1.0,),
) -> list[ConfigurationStats]:
    """The same statistics, each size's mean duration and cost intervals from the model.

    With several payloads, each sample is rescaled to the weighted mix (their work
    factors estimated across all sizes), as the assessment does.
    """
    measured = [s for s in stats if s.samples >= 2]
    evidence = gather(records, [s.configuration for s in measured], payload_weights)
    out: list[ConfigurationStats] = []
    for s in stats:
        ev = evidence.sizes.get(s.configuration)
        if s.samples < 2 or ev is None:
            out.append(s)
            continue
        duration = duration_interval(ev, evidence, s.duration_ci.level)
        if math.isnan(duration.low):
            out.append(s)
            continue
        cost = _cost_interval(ev, duration, rate_for(s.configuration.architecture))
        if s.samples >= _OWN_SAMPLES:
            duration, cost = _hull(duration, s.duration_ci), _hull(cost, s.cost_ci)
        out.append(replace(s, duration_ci=_non_negative(duration), cost_ci=_non_negative(cost)))
    return out


def _non_negative(ci: ConfidenceInterval) -> ConfidenceInterval:
    """Durations and costs are never negative: a symmetric t-interval of a few samples with
    a stall among them can reach below 0, and a reader would rightly distrust that."""
    return ConfidenceInterval(0.0, ci.high, ci.level) if ci.low < 0 else ci
