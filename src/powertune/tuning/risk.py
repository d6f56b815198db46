"""Would a size time out in production? From that size's own observed distribution.

A size is at risk when (with a margin where a single observation decides: it
must stay under `TIMEOUT_MARGIN` of the timeout):
- one of its own warm invocations already came that close; or
- its noise tail reaches the timeout: the size's median × exp(3.09 σ) (× the heaviest
  payload's work factor, with weighted payloads), σ the pooled
  log-scale noise (3.09 σ: the 0.1% tail of a log-normal); or
- (possibly: its own samples must settle it) the 95% upper confidence bound of
  that 0.1% quantile reaches the timeout: a one-sided normal tolerance bound on
  the log scale (non-central t), which accounts for both the location's and
  σ's uncertainty from few samples (a heavy tail, σ ≈ 1, estimated from 2-5
  samples per size, is routinely understated by the point estimate). The
  location is the larger of the size's own log-mean and the monotone estimate
  under "more memory is never slower" (pool-adjacent-violators over the sizes),
  so a size whose few samples happen to be fast (the one the cost strategy would
  pick for that reason) still borrows the evidence of its neighbours; or
- its outliers time out in more than 0.1% of calls: median + the largest
  outlier excess seen (its own, or the pooled outlier model's prediction for
  this size: the same ms everywhere for an additive tail such as a slow
  downstream call, the same factor for a multiplicative one; the larger of
  the two while the model cannot tell), times exp(z σ) with z the quantile
  that 0.1% / the outlier rate leaves above, against the timeout.

Failed invocations (timeout, OOM) are not here: they fail the size outright.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from scipy.special import ndtri
from scipy.stats import nct

from powertune.tuning.evidence import Evidence, ExcessModel, SizeEvidence
from powertune.tuning.models import SANDBOX_TIMEDOUT

#: a size is at risk when a plausible invocation would use more than this share of the timeout
TIMEOUT_MARGIN = 0.8
#: z of the 0.1% tail (the benchmark's "times out in more than 0.1% of calls")
_TAIL_Z = 3.09
#: clean samples of its own a size needs before an extrapolated tail may drop it for good:
#: with fewer, a tail or outlier estimate that reaches the timeout asks for more samples
#: (a stall in the same call of every size reads as noise from two samples each)
OWN_SAMPLES_FOR_LIKELY = 5
#: a size that times out in more than this share of calls fails (the benchmark's criterion)
_FAIL_SHARE = 0.001
#: confidence of the upper bound on a size's 0.1% quantile
_BOUND_CONFIDENCE = 0.95


class RiskLevel(StrEnum):
    #: the size's own samples, or a settled outlier model, put it over the limit
    LIKELY = "likely"
    #: only the worse of two outlier models does: its own samples would tell
    POSSIBLE = "possible"


@dataclass(frozen=True, slots=True)
class Risk:
    level: RiskLevel
    message: str


def _worst_outlier_ms(ev: SizeEvidence, evidence: Evidence) -> tuple[float, float]:
    """(the slowest plausible outlier here, and the same under the milder model)."""
    model = evidence.outliers
    if ev.outliers:
        worst = ev.median_ms + max(ev.outlier_excess_ms, 0.0)
        return worst, worst
    if model.rate <= 0:
        return 0.0, 0.0
    additive = ev.median_ms + model.max_excess_ms
    multiplicative = ev.median_ms * model.max_excess_factor
    if model.model is ExcessModel.ADDITIVE:
        return additive, additive
    if model.model is ExcessModel.MULTIPLICATIVE:
        return multiplicative, multiplicative
    return max(additive, multiplicative), min(additive, multiplicative)  # cannot tell yet


def _monotone_log_location(ev: SizeEvidence, evidence: Evidence) -> float:
    """The size's log-location: its own, or the larger monotone (PAVA) estimate.

    Durations never grow with memory (more CPU share, same work), so the
    weighted pool-adjacent-violators fit, non-increasing in memory per
    architecture, is the constrained maximum-likelihood location.
    """
    arch = ev.configuration.architecture
    pts = sorted(
        (c.memory_mb, e.clean_log_mean, e.clean_samples)
        for c, e in evidence.sizes.items()
        if c.architecture is arch and e.clean_samples > 0
    )
    blocks: list[tuple[float, int, int]] = []  # (value, weight, last memory in the block)
    for m, v, w in pts:
        value, weight = v, w
        while blocks and value > blocks[-1][0]:  # a violation: pool with the block before
            pv, pw, _ = blocks.pop()
            value, weight = (pv * pw + value * weight) / (pw + weight), pw + weight
        blocks.append((value, weight, m))
    mine = ev.configuration.memory_mb
    pooled = next(v for v, _, last in blocks if mine <= last)
    return max(ev.clean_log_mean, pooled)


def tail_bound_ms(ev: SizeEvidence, evidence: Evidence) -> float:
    """95% upper confidence bound of the size's 0.1% duration quantile (log-normal noise)."""
    n = max(1, ev.clean_samples)
    dof = max(1, evidence.dof)
    k = float(nct.ppf(_BOUND_CONFIDENCE, dof, _TAIL_Z * math.sqrt(n))) / math.sqrt(n)
    location = _monotone_log_location(ev, evidence)
    return evidence.max_payload_factor * math.exp(location + k * evidence.log_sigma)


def timeout_risk(ev: SizeEvidence, evidence: Evidence, timeout_ms: float | None) -> Risk | None:
    """Whether (and why) this size is at risk of timing out."""
    if timeout_ms is None or not ev.warm or math.isnan(ev.median_ms):
        return None
    limit = TIMEOUT_MARGIN * timeout_ms
    sigma = evidence.log_sigma
    slowest = max(ev.durations_ms)
    # durations are rescaled to the payload mix: the heaviest payload takes this much more
    heavy = evidence.max_payload_factor
    tail = heavy * ev.median_ms * math.exp(_TAIL_Z * sigma)
    worst, milder = _worst_outlier_ms(ev, evidence)
    worst, milder = heavy * worst, heavy * milder
    # an outlier times out in more than 0.1% of *all* calls when its own noise exceeds the
    # timeout in more than 0.1% / rate of outliers: z from the size's outlier rate
    rate = max(ev.outlier_rate, evidence.outliers.rate)
    z = float(ndtri(1 - _FAIL_SHARE / rate)) if rate > _FAIL_SHARE else math.inf
    outlier = worst * math.exp(z * sigma)
    head = f"at risk of {SANDBOX_TIMEDOUT}:"
    tail_of = f"over {TIMEOUT_MARGIN:.0%} of the {timeout_ms:.0f} ms timeout"
    if slowest > limit:
        why = f"{head} its slowest warm invocation took {slowest:.0f} ms, {tail_of}"
        return Risk(RiskLevel.LIKELY, why)
    # Only what the size's own samples show drops it for good; an extrapolation from a
    # few samples asks for more of them.
    known = ev.clean_samples >= OWN_SAMPLES_FOR_LIKELY
    extrapolated = RiskLevel.LIKELY if known else RiskLevel.POSSIBLE
    if tail > timeout_ms:  # already the 0.1% quantile: compared with the timeout itself
        why = f"{head} its noise tail (0.1% of calls) reaches {tail:.0f} ms, over the timeout"
        return Risk(extrapolated, why)
    bound = tail_bound_ms(ev, evidence) if ev.clean_samples else 0.0
    if outlier > timeout_ms:
        kind = evidence.outliers.model.value if not ev.outliers else "its own"
        why = (
            f"{head} its outliers ({kind} excess) would exceed it in over 0.1% of calls "
            f"({outlier:.0f} ms at that share)"
        )
        possible = milder * math.exp(z * sigma) <= timeout_ms
        return Risk(RiskLevel.POSSIBLE if possible else extrapolated, why)
    if bound > timeout_ms:
        why = (
            f"{head} the 95% upper bound of its noise tail (0.1% of calls) reaches "
            f"{bound:.0f} ms, over the timeout: too few samples to rule it out"
        )
        return Risk(RiskLevel.POSSIBLE, why)
    return None


def confirmation_samples(ev: SizeEvidence, timeout_ms: float | None) -> int:
    """Warm samples the winner needs before the run may stop as settled.

    Rare outliers (a few % of calls) that happen not to show in a handful of
    samples can still time out a size whose typical duration is a sizeable share
    of the timeout; the winner, the size that will be deployed, gets more samples
    to show them (cheap: one size). 6 in general, 12 when a 10× outlier would
    reach the timeout.
    """
    near = timeout_ms is not None and ev.median_ms * 10 > TIMEOUT_MARGIN * timeout_ms
    return 12 if near else 6
