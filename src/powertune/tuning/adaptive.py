"""Adaptive sampling, the default policy: spend invocations only where the decision is open.

1. A few invocations per configuration, interleaved at random (the first of
   each is a cold start on its freshly published version and is set apart).
2. After each batch: estimate each configuration's objective (cost, duration
   or balanced score) from its own warm samples pooled with a leave-one-out
   fit of the duration-vs-memory curve (`curve.py`); the less the curve
   explains the data (steps, plateaus, bumps), the less it weighs, down to
   none when a chi-square test rejects it.
3. Drop configurations that cannot win: worse than the current best with the
   stated confidence (one-sided, Bonferroni over the contenders), infeasible
   for a budget strategy, or failed (OOM, timeout, error) in any sample.
4. Stop when every remaining contender is within `tolerance` of the best at
   that confidence (the winner separated or the rest equivalent), when the
   expected loss of choosing the leader now is below a quarter of the
   tolerance, or when the budget is spent (by default a USD budget set after
   the first round). Otherwise sample where the variance of the open
   comparisons falls most per dollar.
Every step is a `SamplingEvent`. Pure: no I/O, no clock; randomness from a
seeded `random.Random`. `decisions.py` holds the per-strategy judgement,
`allocation.py` where the next batch goes.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from powertune.errors import ConfigError
from powertune.tuning.allocation import allocate, with_payload_mix
from powertune.tuning.curve import SizeMean, check_curve
from powertune.tuning.decisions import Judgement, judge
from powertune.tuning.estimates import Estimate, combine, normalise_balanced, off_grid_suggestions
from powertune.tuning.evidence import Evidence, gather
from powertune.tuning.models import (
    RUNTIME_OUT_OF_MEMORY,
    SANDBOX_TIMEDOUT,
    Analysis,
    Architecture,
    Configuration,
    InvocationRecord,
    Recommendation,
    StrategyName,
    StrategySpec,
)
from powertune.tuning.pricing import PriceRate, invocation_cost_usd
from powertune.tuning.sampling import InvocationRequest, SamplingEvent, SamplingState
from powertune.tuning.stats import min_samples_for

RateFor = Callable[[Architecture], PriceRate]
#: us-east-1 tier-1 prices (lambda-model.md §2.3), used when no rate is given
_DEFAULT_RATES = {
    Architecture.X86_64: PriceRate(0.0000166667, 0.0000002),
    Architecture.ARM64: PriceRate(0.0000133334, 0.0000002),
}
#: a size whose slowest plausible invocation exceeds this share of the timeout is dropped
_TIMEOUT_MARGIN = 1.0
#: with the default (USD) budget, never more than this many invocations per configuration
_MAX_PER_CONFIGURATION = 25
#: each adaptive batch adds this share of the invocations so far (small: stop promptly)
_BATCH_SHARE = 0.25
#: the curve is not used when a chi-square test rejects it at this level
CURVE_REJECT_P = 0.01


@dataclass(frozen=True, slots=True)
class _Budget:
    invocations: int
    usd: float | None


class AdaptiveSampling:
    """The default sampling policy (see the module docstring and docs/adaptive-sampling.md)."""

    def __init__(
        self,
        strategy: StrategySpec,
        *,
        tolerance: float = 0.01,
        budget_invocations: int | None = None,
        budget_usd: float | None = None,
        confidence: float = 0.95,
        seed: int | None = None,
        initial: int = 3,
        default_invocations_per_configuration: int = 5,
        rate_for: RateFor | None = None,
        timeout_ms: float | None = None,
    ) -> None:
        if not 0 <= tolerance < 1:
            raise ConfigError(f"tolerance must be in [0, 1) (0.01 = 1%), got {tolerance}")
        if not 0.5 <= confidence < 1:
            raise ConfigError(f"confidence must be in [0.5, 1), got {confidence}")
        if initial < 2:
            raise ConfigError(f"initial must be at least 2 (one is a cold start), got {initial}")
        if budget_invocations is not None and budget_invocations < 1:
            raise ConfigError(f"--budget must be at least 1 invocation, got {budget_invocations}")
        if budget_usd is not None and budget_usd <= 0:
            raise ConfigError(f"--budget-usd must be positive, got {budget_usd}")
        self.strategy = strategy
        self.tolerance = tolerance
        self.confidence = confidence
        self.initial = initial
        self._budget_invocations = budget_invocations
        self._budget_usd = budget_usd
        #: no budget given: a USD budget is set from the first round's cost
        self._auto = budget_invocations is None and budget_usd is None
        self._auto_usd: float | None = None
        self._per_configuration = default_invocations_per_configuration
        self._rate_for: RateFor = rate_for or (lambda a: _DEFAULT_RATES[a])
        self.timeout_ms = timeout_ms
        self._rng = random.Random(seed)
        self._events: list[SamplingEvent] = []
        self._dropped: dict[Configuration, str] = {}
        self._estimates: dict[Configuration, Estimate] = {}
        self._curve_state: dict[Architecture, bool] = {}
        self._started = False
        self._stopped = False
        self._contenders: tuple[Configuration, ...] = ()
        self.best: Configuration | None = None
        self._final_summary = ""

    # --- SamplingPolicy ---------------------------------------------------------
    @property
    def name(self) -> str:
        return f"adaptive(tolerance={self.tolerance:g}, confidence={self.confidence:g})"

    @property
    def events(self) -> Sequence[SamplingEvent]:
        return tuple(self._events)

    def max_invocations(self, configurations: int) -> int:
        return self._budget(configurations).invocations

    @property
    def contenders(self) -> tuple[Configuration, ...]:
        """Configurations still in the running (the recommendation is chosen among these)."""
        return self._contenders

    @property
    def dropped(self) -> dict[Configuration, str]:
        return dict(self._dropped)

    @property
    def estimates(self) -> dict[Configuration, Estimate]:
        """The latest objective estimates with their standard errors."""
        return dict(self._estimates)

    def recommendation(self, analysis: Analysis) -> Recommendation | None:
        """The policy's pick, stated with the analysis' own figures.

        The analysis ranks plain per-size means; the policy's estimate also pools
        the duration curve and is the better guide when few samples were spent on
        a size (measured in benchmarks/decision). Falls back to the analysis'
        choice when the policy has none.
        """
        if self.best is None or any(s.configuration == self.best for s in analysis.failed):
            fallback = analysis.recommendation
            if fallback is None or fallback.configuration in self._dropped:
                return None  # every configuration failed or is at risk: nothing to recommend
            return fallback
        reasons = [self._final_summary or "chosen by the adaptive policy"]
        e = self._estimates.get(self.best)
        if e is not None:
            reasons.append(
                f"estimated mean warm duration {e.duration_ms:.2f} ms ± {e.duration_sd_ms:.2f} "
                f"(curve weight {e.curve_weight:.0%}), mean cost ${e.cost_usd:.4g}"
            )
        ties = tuple(c for c in self._contenders if c != self.best)
        return Recommendation(self.best, self.strategy, tuple(reasons), ties)

    def next_batch(self, state: SamplingState) -> Sequence[InvocationRequest]:
        if self._stopped:
            return []
        configs = state.configurations
        budget = self._budget(len(configs))
        n_done = len(state.records)
        evidence = gather(state.records, configs, state.payload_weights)
        self._drop_failed(state, evidence, n_done)
        live = [c for c in configs if c not in self._dropped]
        self._contenders = tuple(live)
        if not self._started:
            self._started = True
            per = max(self.initial, len(state.payload_weights))
            self._event(n_done, "plan", self._plan_message(per, budget, len(configs)))
            # the engine's warm-up invocation (cold) counts towards the first `per`
            have = Counter(Configuration(r.memory_mb, r.architecture) for r in state.records)
            first = {c: per - have[c] for c in live if per > have[c]}
            if first:
                return self._issue(first, state)
        if not live:
            return self._stop(n_done, "stop", "every configuration failed or was dropped")
        unmeasured = {c: 1 for c in live if evidence.sizes[c].warm == 0}
        if unmeasured and n_done < budget.invocations:  # only cold samples yet: one more each
            return self._issue(unmeasured, state)
        estimates = self._estimate(evidence, configs, n_done)
        self._estimates = estimates
        judgement = judge(
            self.strategy,
            {c: estimates[c] for c in live if c in estimates},
            tolerance=self.tolerance,
            confidence=self.confidence,
            min_samples=self._min_samples(),
        )
        self.best = judgement.best
        for c, why in judgement.drop.items():
            self._dropped[c] = why
            self._event(n_done, "drop", f"dropped {c.label}: {why}", c)
        self._contenders = tuple(c for c in live if c not in judgement.drop)
        if not judgement.open:
            return self._stop(n_done, "settled", judgement.summary)
        spent_usd = sum(self._record_cost(r) for r in state.records)
        if self._auto and self._auto_usd is None:
            # Default budget in dollars: what the first round cost, scaled to
            # `default_invocations_per_configuration` invocations per configuration.
            # Cheap contenders can then get many samples, expensive ones few.
            per = max(self._per_configuration, self._min_samples() + 1)
            self._auto_usd = spent_usd * per / self.initial
            budget = self._budget(len(configs))
            self._event(
                n_done,
                "budget",
                f"default budget ${self._auto_usd:.6f}: the first round's cost scaled to {per} "
                f"invocations per configuration (at most {budget.invocations} invocations)",
            )
        remaining = budget.invocations - n_done
        if remaining <= 0 or (budget.usd is not None and spent_usd >= budget.usd):
            return self._stop(
                n_done,
                "budget",
                f"budget spent ({n_done} invocations, ${spent_usd:.6f}); "
                f"still open: {judgement.summary}",
            )
        allocation = self._allocate(judgement, estimates, n_done, remaining, budget, spent_usd)
        if not allocation:
            return self._stop(n_done, "budget", "the USD budget cannot pay for another invocation")
        return self._issue(allocation, state)

    # --- internals -------------------------------------------------------------
    def _budget(self, n_configs: int) -> _Budget:
        floor = self.initial * n_configs
        per = max(self._per_configuration, self._min_samples() + 1)
        if self._auto:
            cap = max(_MAX_PER_CONFIGURATION, per) * n_configs
            return _Budget(cap, self._auto_usd)
        invocations = self._budget_invocations or max(floor, per * n_configs)
        return _Budget(invocations, self._budget_usd)

    def _min_samples(self) -> int:
        if self.strategy.name is StrategyName.LATENCY_BUDGET:
            return min_samples_for(self.strategy.latency_percentile)
        return 1

    def _plan_message(self, per: int, budget: _Budget, n: int) -> str:
        usd = f", at most ${budget.usd:g}" if budget.usd is not None else ""
        if self._auto:
            usd = " and a USD budget set after the first round"
        extra = ""
        if self._min_samples() > 1:
            extra = (
                f"; p{self.strategy.latency_percentile} needs {self._min_samples()} warm "
                "samples per remaining size"
            )
        return (
            f"{per} invocations per configuration to start ({n} configurations, shuffled), "
            f"then adaptive; budget {budget.invocations} invocations{usd}; "
            f"tolerance {self.tolerance:.1%}, confidence {self.confidence:.0%}{extra}"
        )

    def _event(self, n: int, action: str, message: str, c: Configuration | None = None) -> None:
        self._events.append(SamplingEvent(n, action, message, c))

    def _stop(self, n: int, action: str, message: str) -> list[InvocationRequest]:
        self._stopped = True
        self._final_summary = message
        self._event(n, action, message)
        for text in self._worth_trying():
            self._event(n, "worth-trying", text)
        return []

    def _drop_failed(self, state: SamplingState, evidence: Evidence, n: int) -> None:
        limit = (self.timeout_ms or math.inf) * _TIMEOUT_MARGIN
        for c, ev in evidence.sizes.items():
            if c in self._dropped:
                continue
            hard = ev.failure is not None and (
                RUNTIME_OUT_OF_MEMORY in ev.failure or SANDBOX_TIMEDOUT in ev.failure
            )
            if c in state.failed or hard:
                why = f"failed ({ev.failure or 'marked failed by the engine'}); never recommended"
                self._dropped[c] = why
                self._event(n, "drop", f"dropped {c.label}: {why}", c)
            elif ev.warm and ev.typical_ms * evidence.max_ratio > limit:
                # The slowest invocation seen anywhere, relative to its size's typical one
                # (outliers hit every size alike), would here come close to the timeout.
                worst = ev.typical_ms * evidence.max_ratio
                why = (
                    f"failed (at risk of {SANDBOX_TIMEDOUT}: an invocation as slow, relative "
                    f"to its size, as the slowest seen would take {worst:.0f} ms here, over "
                    f"{_TIMEOUT_MARGIN:.0%} of the {self.timeout_ms:.0f} ms timeout)"
                )
                self._dropped[c] = why
                self._event(n, "drop", f"dropped {c.label}: {why}", c)

    def _record_cost(self, r: InvocationRecord) -> float:
        rate = self._rate_for(r.architecture)
        billed = float(r.billed_duration_ms)
        if r.cold_start and rate.init_billed:
            billed = max(billed, math.ceil(r.duration_ms + (r.init_duration_ms or 0.0)))
        return invocation_cost_usd(billed, r.memory_mb, rate)

    def _estimate(
        self, evidence: Evidence, configs: Sequence[Configuration], n: int
    ) -> dict[Configuration, Estimate]:
        """Per-size duration estimate: own samples pooled with the leave-one-out curve."""
        out: dict[Configuration, Estimate] = {}
        for arch in sorted({c.architecture for c in configs}, key=lambda a: a.value):
            sizes = [
                ev
                for c, ev in evidence.sizes.items()
                if c.architecture is arch and ev.warm > 0 and c not in self._dropped_failed()
            ]
            points = [SizeMean(ev.configuration.memory_mb, ev.mean_ms, ev.warm) for ev in sizes]
            check = check_curve(points, evidence.rel_var)
            usable = check is not None and check.p_value >= CURVE_REJECT_P
            if self._curve_state.get(arch) != usable and check is not None:
                self._curve_state[arch] = usable
                self._event(
                    n,
                    "model",
                    f"{arch.value}: duration curve "
                    + (
                        f"fits (t = {check.full.fixed_ms:.1f} ms + {check.full.cpu_ms:.1f} ms / "
                        f"share, parallelism cap {check.full.cap:.2f}; misfit "
                        f"{math.sqrt(check.misfit_rel_var):.1%}); pooled with per-size evidence"
                        if usable
                        else f"does not fit (chi-square p = {check.p_value:.3g}); "
                        "deciding from per-size evidence only"
                    ),
                )
            out.update(
                combine(
                    sizes,
                    check if usable else None,
                    evidence,
                    self._rate_for(arch),
                    self.strategy,
                )
            )
        return normalise_balanced(out, self.strategy)

    def _dropped_failed(self) -> set[Configuration]:
        return {c for c, why in self._dropped.items() if why.startswith("failed")}

    def _allocate(
        self,
        judgement: Judgement,
        estimates: dict[Configuration, Estimate],
        n_done: int,
        remaining: int,
        budget: _Budget,
        spent_usd: float,
    ) -> dict[Configuration, int]:
        size = min(remaining, max(len(judgement.open) + 1, math.ceil(_BATCH_SHARE * n_done)))
        usd_left = math.inf if budget.usd is None else budget.usd - spent_usd
        return allocate(
            judgement.sampling_weights,
            estimates,
            size=size,
            usd_left=usd_left,
            min_samples=self._min_samples(),
        )

    def _issue(
        self, counts: dict[Configuration, int], state: SamplingState
    ) -> list[InvocationRequest]:
        return with_payload_mix(counts, state.records, state.payload_weights, self._rng)

    def _worth_trying(self) -> list[str]:
        return off_grid_suggestions(self._estimates, self._contenders, self.best, self.tolerance)
