"""The adaptive policy's judgement after each batch: who is best, who is out, what is still open.

Every comparison is one-sided at the policy's confidence, Bonferroni-split
over the other contenders (a size is dropped only if it is worse than the
best by more than noise explains), with Student's t on the pooled degrees of
freedom. Budget strategies first settle feasibility: a p90/p99 budget by the
share of samples over it (binomial test while samples are few, the empirical
percentile once there are enough for it), a cost budget by the cost's
confidence interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as scipy_stats

from powertune.tuning.estimates import Estimate, difference
from powertune.tuning.models import Configuration, StrategyName, StrategySpec

#: stop once the expected loss of choosing the leader now is below this share of the tolerance
_LOSS_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Judgement:
    best: Configuration | None
    drop: dict[Configuration, str] = field(default_factory=dict)
    #: contenders whose comparison with the best (or whose feasibility) is still open
    open: frozenset[Configuration] = frozenset()
    #: how much each configuration's samples would help close the open questions
    sampling_weights: dict[Configuration, float] = field(default_factory=dict)
    summary: str = ""


def _fmt(strategy: StrategySpec, value: float) -> str:
    if strategy.name in (StrategyName.COST, StrategyName.LATENCY_BUDGET):
        return f"${value:.4g}/invocation"
    if strategy.name is StrategyName.BALANCED:
        return f"score {value:.4f}"
    return f"{value:.1f} ms"


def _feasibility(
    strategy: StrategySpec, e: Estimate, t: float, min_samples: int, q: float
) -> tuple[str, str]:
    """("yes" | "no" | "unknown", why) for the budget strategies; always "yes" otherwise."""
    if strategy.name is StrategyName.LATENCY_BUDGET:
        budget = strategy.latency_budget_ms or 0.0
        pct = strategy.latency_percentile
        n = len(e.durations_ms)
        over = sum(1 for d in e.durations_ms if d > budget)
        # P(at least `over` of n above the budget | exactly (100-pct)% are): small = p above budget
        if over and scipy_stats.binom.sf(over - 1, n, 1 - pct / 100) < q:
            return "no", f"{over} of {n} warm samples exceed the p{pct} budget of {budget:g} ms"
        if n < min_samples:
            return "unknown", f"p{pct} needs {min_samples} warm samples, has {n}"
        value = float(np.percentile(e.durations_ms, pct))
        if value > budget:
            return "no", f"p{pct} {value:.1f} ms is over the budget of {budget:g} ms"
        return "yes", ""
    if strategy.name is StrategyName.COST_BUDGET:
        budget = strategy.cost_budget_usd or 0.0
        if e.cost_usd - t * e.cost_sd_usd > budget:
            return "no", f"mean cost ${e.cost_usd:.4g} is over the budget of ${budget:.4g}"
        if e.cost_usd + t * e.cost_sd_usd <= budget:
            return "yes", ""
        return "unknown", "cost too close to the budget to tell"
    return "yes", ""


def judge(
    strategy: StrategySpec,
    estimates: Mapping[Configuration, Estimate],
    *,
    tolerance: float,
    confidence: float,
    min_samples: int,
    expected_loss: bool = True,
) -> Judgement:
    """Best configuration, configurations to drop (with why), and the open comparisons."""
    if not estimates:
        return Judgement(None, summary="nothing measured")
    k = len(estimates)
    q = (1 - confidence) / max(1, k - 1)
    dof = max(1, min(e.dof for e in estimates.values()))
    t = float(scipy_stats.t.ppf(1 - q, dof))
    drop: dict[Configuration, str] = {}
    status: dict[Configuration, str] = {}
    for c, e in estimates.items():
        status[c], why = _feasibility(strategy, e, t, min_samples, q)
        if status[c] == "no":
            drop[c] = why
    pool = [c for c in estimates if status[c] != "no"]
    if not pool:
        return Judgement(None, drop, summary="no configuration meets the budget")
    known = [c for c in pool if status[c] == "yes"]
    best = min(known or pool, key=lambda c: (estimates[c].objective, c.memory_mb))
    b = estimates[best]
    scale = abs(b.objective) or 1e-12
    open_set: set[Configuration] = set()
    weights: dict[Configuration, float] = {}
    loss = 0.0
    for c in pool:
        if c == best:
            continue
        e = estimates[c]
        diff, sd = difference(e, b)
        if sd > 0:
            z = diff / sd
            loss += sd * float(scipy_stats.norm.pdf(z)) - diff * float(scipy_stats.norm.sf(z))
        if diff - t * sd > 0 and status[best] == "yes":
            drop[c] = (
                f"{_fmt(strategy, e.objective)} against {best.label}'s "
                f"{_fmt(strategy, b.objective)}: {diff / scale:.1%} worse, more than the "
                f"{t * sd / scale:.1%} that noise explains at {confidence:.0%} confidence"
            )
        elif status[c] == "unknown" or t * sd - diff > tolerance * scale:
            open_set.add(c)
            weights[c] = weights.get(c, 0.0) + 1.0
            weights[best] = weights.get(best, 0.0) + 1.0
    unknown = any(status[c] == "unknown" for c in pool if c not in drop)
    settled_by_loss = (
        expected_loss and open_set and not unknown and loss <= _LOSS_SHARE * tolerance * scale
    )
    if settled_by_loss:
        open_set = set()
    if status[best] == "unknown":
        open_set.add(best)
        weights[best] = weights.get(best, 0.0) + 1.0
    kept = [c for c in pool if c not in drop]
    if settled_by_loss:
        summary = (
            f"{best.label} wins: choosing it now loses {loss / scale:.2%} in expectation "
            f"against the contenders still in the running, within the {tolerance:.1%} tolerance"
        )
    elif open_set:
        summary = (
            f"{best.label} leads; not yet settled against "
            + ", ".join(sorted(c.label for c in open_set if c != best))
        ).rstrip("; ")
    elif len(kept) == 1:
        summary = f"{best.label} wins: every other configuration is out"
    else:
        others = ", ".join(c.label for c in kept if c != best)
        summary = (
            f"{best.label} wins; {others} cannot be more than {tolerance:.1%} better "
            f"at {confidence:.0%} confidence (equivalent within the tolerance)"
        )
    return Judgement(best, drop, frozenset(open_set), weights, summary)
