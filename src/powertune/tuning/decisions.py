"""The judgement over the sizes' estimates: who is best, who is out, what is still open.

Every comparison with the leader is a one-sided t-test of the *difference*
(`differences.py`) at the stated confidence, Bonferroni-split over the other
contenders, on that difference's own degrees of freedom. Budget strategies
first settle feasibility: a p90/p99 budget by the share of samples over it
(a binomial test either way; once a size has the samples the percentile
needs, its empirical percentile decides only when the binomial test cannot,
and a size over the budget is kept open until it has three times that many,
so one unlucky p90 does not exclude it), a cost budget by the cost's interval.
Pure; the same estimates give the same judgement.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from scipy import stats as scipy_stats

from powertune.tuning.differences import Comparator
from powertune.tuning.estimates import Estimate
from powertune.tuning.models import Configuration, StrategyName, StrategySpec
from powertune.tuning.sampling import DropReason

#: stop once the expected loss of choosing the leader now is below this share of the tolerance
_LOSS_SHARE = 0.25


class Feasibility(StrEnum):
    """Whether a size meets a budget strategy's budget."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Drop:
    reason: DropReason
    message: str


@dataclass(frozen=True, slots=True)
class Judgement:
    best: Configuration | None
    drop: dict[Configuration, Drop] = field(default_factory=dict)
    #: contenders whose comparison with the best (or whose feasibility) is still open
    open: frozenset[Configuration] = frozenset()
    #: how much each configuration's samples would help close the open questions
    sampling_weights: dict[Configuration, float] = field(default_factory=dict)
    summary: str = ""
    #: roughly how many more invocations would close the open comparisons
    more_invocations: int | None = None
    #: open contenders not significantly worse than the best (two-sided 95%, unadjusted),
    #: measured within the tolerance of it, with an sd within the tolerance: the sizes the
    #: result calls tied with it (the default among them: the cheaper, then the smaller)
    tied: frozenset[Configuration] = frozenset()


def _fmt(strategy: StrategySpec, value: float) -> str:
    if strategy.name in (StrategyName.COST, StrategyName.LATENCY_BUDGET):
        return f"${value:.4g}/invocation"
    if strategy.name is StrategyName.BALANCED:
        return f"log score {value:.4f}"
    return f"{value:.1f} ms"


def _latency(
    strategy: StrategySpec, e: Estimate, min_samples: int, q: float
) -> tuple[Feasibility, str]:
    budget = strategy.latency_budget_ms or 0.0
    pct = strategy.latency_percentile
    share = 1 - pct / 100
    n = len(e.durations_ms)
    over = sum(1 for d in e.durations_ms if d > budget)
    if over and scipy_stats.binom.sf(over - 1, n, share) < q:
        return (
            Feasibility.NO,
            f"{over} of {n} warm samples exceed the p{pct} budget of {budget:g} ms",
        )
    if n and scipy_stats.binom.cdf(over, n, share) < q:
        return Feasibility.YES, ""
    if n < min_samples:
        return Feasibility.UNKNOWN, f"p{pct} needs {min_samples} warm samples, has {n}"
    value = float(np.percentile(e.durations_ms, pct))
    if value <= budget:
        return Feasibility.YES, ""
    if n < 3 * min_samples:
        return Feasibility.UNKNOWN, f"p{pct} {value:.1f} ms is over {budget:g} ms, not yet surely"
    return Feasibility.NO, f"p{pct} {value:.1f} ms is over the budget of {budget:g} ms"


def feasibility(
    strategy: StrategySpec, e: Estimate, t: float, min_samples: int, q: float
) -> tuple[Feasibility, str]:
    """Feasibility for the budget strategies, with why; always YES otherwise."""
    if strategy.name is StrategyName.LATENCY_BUDGET:
        return _latency(strategy, e, min_samples, q)
    if strategy.name is StrategyName.COST_BUDGET:
        budget = strategy.cost_budget_usd or 0.0
        if e.cost_usd - t * e.cost_sd_usd > budget:
            return (
                Feasibility.NO,
                f"mean cost ${e.cost_usd:.4g} is over the budget of ${budget:.4g}",
            )
        if e.cost_usd + t * e.cost_sd_usd <= budget:
            return Feasibility.YES, ""
        return Feasibility.UNKNOWN, "cost too close to the budget to tell"
    return Feasibility.YES, ""


@dataclass(slots=True)
class _Open:
    """Accumulates the open comparisons while judging."""

    configs: set[Configuration] = field(default_factory=set)
    tied: set[Configuration] = field(default_factory=set)
    weights: dict[Configuration, float] = field(default_factory=dict)
    loss: float = 0.0
    more: float = 0.0

    def add(self, c: Configuration, best: Configuration, extra: float) -> None:
        self.configs.add(c)
        self.weights[c] = self.weights.get(c, 0.0) + 1.0
        self.weights[best] = self.weights.get(best, 0.0) + 1.0
        self.more = max(self.more, extra)


def _compare(
    strategy: StrategySpec,
    estimates: Mapping[Configuration, Estimate],
    pool: list[Configuration],
    best: Configuration,
    comparator: Comparator,
    *,
    q: float,
    tolerance: float,
    confidence: float,
    best_known: bool,
) -> tuple[dict[Configuration, Drop], _Open]:
    b = estimates[best]
    by_cost = strategy.name in (StrategyName.COST, StrategyName.LATENCY_BUDGET)
    drop: dict[Configuration, Drop] = {}
    acc = _Open()
    for c in pool:
        if c == best:
            continue
        e = estimates[c]
        d = comparator.difference(e, b)
        t = float(scipy_stats.t.ppf(1 - q, d.dof))
        if d.sd > 0:
            z = d.value / d.sd
            acc.loss += d.sd * float(scipy_stats.norm.pdf(z)) - d.value * float(
                scipy_stats.norm.sf(z)
            )
        if d.lower_bound(t) > 0 and best_known:
            drop[c] = Drop(
                DropReason.WORSE,
                f"{_fmt(strategy, e.objective)} against {best.label}'s "
                f"{_fmt(strategy, b.objective)}: {d.value / b.scale:.1%} worse, more than "
                f"the {(d.value - d.lower_bound(t)) / b.scale:.1%} that noise explains at "
                f"{confidence:.0%} confidence",
            )
        elif t * d.sd - d.value > (tol := tolerance * b.scale):
            # the sd must shrink to (|diff| + tolerance)/t: samples grow with its square
            need = (t * d.sd / (abs(d.value) + tolerance * b.scale)) ** 2
            acc.add(c, best, max(0.0, need - 1) * (e.samples + b.samples))
            # tied: not significantly worse and measured within the tolerance; for the
            # strategies whose default among ties is the cheaper size (speed, balanced, ...)
            # also measured precisely enough (sd within the tolerance), or an imprecise slow
            # size would win by being cheap
            close = d.value <= min(float(scipy_stats.t.ppf(0.975, d.dof)) * d.sd, tol)
            if close and (by_cost or d.sd <= tol):
                acc.tied.add(c)
    return drop, acc


def judge(
    strategy: StrategySpec,
    estimates: Mapping[Configuration, Estimate],
    comparator: Comparator,
    *,
    tolerance: float,
    confidence: float,
    min_samples: int,
    unsure: Mapping[Configuration, str] | None = None,
) -> Judgement:
    """Best configuration, configurations out (with why), and the open comparisons.

    `unsure`: sizes whose feasibility their own samples must settle (a possible
    timeout risk): open, and never the leader while another size is sure.
    """
    if not estimates:
        return Judgement(None, summary="nothing measured")
    q = (1 - confidence) / max(1, len(estimates) - 1)
    t_any = float(scipy_stats.t.ppf(1 - q, max(1, min(e.dof for e in estimates.values()))))
    drop: dict[Configuration, Drop] = {}
    status: dict[Configuration, Feasibility] = {}
    for c, e in estimates.items():
        status[c], why = feasibility(strategy, e, t_any, min_samples, q)
        if unsure and c in unsure and status[c] is Feasibility.YES:
            status[c] = Feasibility.UNKNOWN
        if status[c] is Feasibility.NO:
            drop[c] = Drop(DropReason.INFEASIBLE, why)
    pool = [c for c in estimates if status[c] is not Feasibility.NO]
    if not pool:
        return Judgement(None, drop, summary="no configuration meets the budget")
    known = [c for c in pool if status[c] is Feasibility.YES]
    best = min(known or pool, key=lambda c: (estimates[c].objective, c.memory_mb))
    worse, acc = _compare(
        strategy,
        estimates,
        pool,
        best,
        comparator,
        q=q,
        tolerance=tolerance,
        confidence=confidence,
        best_known=status[best] is Feasibility.YES,
    )
    drop.update(worse)
    for c in pool:
        if status[c] is Feasibility.UNKNOWN and c not in drop:
            acc.add(c, best, float(max(1, min_samples - estimates[c].samples)))
            acc.tied.add(c)
    unknown = any(status[c] is Feasibility.UNKNOWN for c in pool if c not in drop)
    by_loss = bool(acc.configs) and not unknown
    by_loss = by_loss and acc.loss <= _LOSS_SHARE * tolerance * estimates[best].scale
    open_set = set() if by_loss else acc.configs
    loss = acc.loss / estimates[best].scale
    summary = _summary(best, loss, by_loss, open_set, [c for c in pool if c not in drop])
    summary = summary.replace("TOLERANCE", f"{tolerance:.1%}")
    summary = summary.replace("CONFIDENCE", f"{confidence:.0%}")
    more = None if not open_set else max(1, math.ceil(acc.more))
    weights = {} if by_loss else acc.weights
    tied = frozenset(acc.tied & open_set) - {best}
    return Judgement(best, drop, frozenset(open_set), weights, summary, more, tied)


def _summary(
    best: Configuration,
    loss: float,
    by_loss: bool,
    open_set: set[Configuration],
    kept: list[Configuration],
) -> str:
    """The judgement in a sentence (TOLERANCE and CONFIDENCE filled in by the caller)."""
    if by_loss:
        return (
            f"{best.label} wins: choosing it now loses {loss:.2%} in expectation against the "
            "contenders still in the running, within the TOLERANCE tolerance"
        )
    if open_set:
        others = ", ".join(sorted(c.label for c in open_set if c != best))
        return f"{best.label} leads; not yet settled against {others}".rstrip("; ")
    if len(kept) == 1:
        return f"{best.label} wins: every other configuration is out"
    others = ", ".join(c.label for c in kept if c != best)
    return (
        f"{best.label} wins; {others} cannot be more than TOLERANCE better "
        "at CONFIDENCE confidence (equivalent within the tolerance)"
    )
