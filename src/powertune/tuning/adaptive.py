"""Adaptive sampling, the default policy: spend invocations only where the decision is open.

1. A few invocations per configuration, interleaved at random (the first of
   each is a cold start on its freshly published version and is set apart).
2. After each batch, assess every size from all records (`assessment.py`):
   per-size evidence, timeout risk, the duration curve, estimates, and the
   judgement (tests of the differences at the stated confidence).
3. Sizes that failed in a sample are out for good; every other drop only
   steers sampling and is re-judged after each batch (a size can come back).
4. Stop when every remaining contender is within `tolerance` of the best at
   that confidence, when the expected loss of choosing the leader now is
   below a quarter of the tolerance, or when the budget is spent (by default a
   USD budget set after the first round). Otherwise sample where the variance
   of the open comparisons falls most per dollar.
The final pick is `recommend.recommend()` on the records and
`policy_summary()`, not the policy's state. Every step is a
`SamplingEvent`. Pure: no I/O, no clock; randomness from a seeded
`random.Random`.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from powertune.tuning.allocation import (
    allocate,
    check_settings,
    record_cost_usd,
    risk_priority,
    with_payload_mix,
)
from powertune.tuning.assessment import Assessment, assess, curve_message, min_samples
from powertune.tuning.estimates import Estimate, off_grid_suggestions
from powertune.tuning.models import (
    Architecture,
    Configuration,
    StrategySpec,
)
from powertune.tuning.pricing import PriceRate
from powertune.tuning.recommend import DecisionMethod, PolicySummary
from powertune.tuning.risk import confirmation_samples
from powertune.tuning.sampling import (
    DropReason,
    InvocationRequest,
    SamplingAction,
    SamplingEvent,
    SamplingState,
)

RateFor = Callable[[Architecture], PriceRate]
#: with the default (USD) budget, never more than this many invocations per configuration
_MAX_PER_CONFIGURATION = 25
#: each adaptive batch adds this share of the invocations so far (small: stop promptly)
_BATCH_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class _Budget:
    invocations: int
    usd: float | None


class AdaptiveSampling:
    """The default sampling policy (see the module docstring and docs/adaptive-sampling.md).

    `rate_for` gives the run's own prices (no default: a region's prices are never
    assumed); `timeout_ms` the function's timeout (enables the timeout-risk guard).
    """

    def __init__(
        self,
        strategy: StrategySpec,
        *,
        rate_for: RateFor,
        tolerance: float = 0.01,
        budget_invocations: int | None = None,
        budget_usd: float | None = None,
        confidence: float = 0.95,
        seed: int | None = None,
        initial: int = 3,
        default_invocations_per_configuration: int = 5,
        timeout_ms: float | None = None,
    ) -> None:
        check_settings(tolerance, confidence, initial, budget_invocations, budget_usd)
        self.strategy = strategy
        self.tolerance = tolerance
        self.confidence = confidence
        self.initial = initial
        self.timeout_ms = timeout_ms
        self._budget_invocations = budget_invocations
        self._budget_usd = budget_usd
        #: no budget given: a USD budget is set from the first round's cost
        self._auto = budget_invocations is None and budget_usd is None
        self._auto_usd: float | None = None
        self._per_configuration = default_invocations_per_configuration
        self._rate_for = rate_for
        self._rng = random.Random(seed)
        self._events: list[SamplingEvent] = []
        self._announced: set[tuple[Configuration, DropReason]] = set()
        self._curve_state: dict[Architecture, bool] = {}
        self._payload_weights: tuple[float, ...] = (1.0,)
        self._started = False
        self._stopped = False
        self._contenders: tuple[Configuration, ...] = ()
        self._assessment: Assessment | None = None
        self.best: Configuration | None = None

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
        """Configurations still in the running at the last batch."""
        return self._contenders

    @property
    def estimates(self) -> dict[Configuration, Estimate]:
        """The latest objective estimates with their standard errors."""
        return {} if self._assessment is None else dict(self._assessment.estimates)

    def policy_summary(self) -> PolicySummary:
        """What `recommend()` needs beyond the records (stored as `settings.decision`)."""
        return PolicySummary(
            DecisionMethod.ADAPTIVE,
            self.tolerance,
            self.confidence,
            self.timeout_ms,
            self._payload_weights,
        )

    def next_batch(self, state: SamplingState) -> Sequence[InvocationRequest]:
        if self._stopped:
            return []
        self._payload_weights = tuple(state.payload_weights)
        configs, n_done = state.configurations, len(state.records)
        if not self._started:
            self._started = True
            return self._first_round(state)
        a = self._assess(state)
        live = [c for c in configs if c not in a.excluded]
        if not live:
            return self._stop(n_done, SamplingAction.STOP, "every configuration failed")
        unmeasured = {c: 1 for c in live if a.evidence.sizes[c].warm == 0}
        if unmeasured and n_done < self._budget(len(configs)).invocations:
            return self._issue(unmeasured, state)  # only cold samples yet: one more each
        j = a.judgement
        self._contenders = tuple(c for c in live if c not in j.drop)
        if not j.open:
            confirm = self._confirm(state, a)
            return confirm or self._stop(n_done, SamplingAction.SETTLED, j.summary)
        return self._continue(state, a)

    # --- internals -------------------------------------------------------------
    def _first_round(self, state: SamplingState) -> list[InvocationRequest]:
        configs = state.configurations
        per = max(self.initial, len(state.payload_weights))
        budget = self._budget(len(configs))
        self._event(len(state.records), SamplingAction.PLAN, self._plan_message(per, budget))
        self._contenders = tuple(c for c in configs if c not in state.failed)
        # the engine's warm-up invocation (cold) counts towards the first `per`
        have = Counter(Configuration(r.memory_mb, r.architecture) for r in state.records)
        first = {c: per - have[c] for c in self._contenders if per > have[c]}
        return self._issue(first, state) if first else []

    def _assess(self, state: SamplingState) -> Assessment:
        n = len(state.records)
        a = assess(
            state.records,
            state.configurations,
            state.payload_weights,
            strategy=self.strategy,
            rate_for=self._rate_for,
            tolerance=self.tolerance,
            confidence=self.confidence,
            timeout_ms=self.timeout_ms,
            failed=state.failed,
            final=False,
        )
        self._assessment = a
        self.best = a.judgement.best
        for c, drop in [*a.excluded.items(), *a.judgement.drop.items()]:
            if (c, drop.reason) not in self._announced:
                self._announced.add((c, drop.reason))
                message = f"dropped {c.label}: {drop.message}"
                self._events.append(SamplingEvent(n, SamplingAction.DROP, message, c, drop.reason))
        for arch, check in a.curves.items():
            usable = a.curve_usable(arch)
            if check is not None and self._curve_state.get(arch) != usable:
                self._curve_state[arch] = usable
                self._event(n, SamplingAction.MODEL, curve_message(arch, check, usable))
        return a

    def _continue(self, state: SamplingState, a: Assessment) -> list[InvocationRequest]:
        configs, n_done = state.configurations, len(state.records)
        spent_usd = sum(record_cost_usd(r, self._rate_for(r.architecture)) for r in state.records)
        if self._auto and self._auto_usd is None:
            # Default budget in dollars: what the first round cost, scaled to
            # `default_invocations_per_configuration` invocations per configuration.
            per = max(self._per_configuration, min_samples(self.strategy) + 1)
            self._auto_usd = spent_usd * per / self.initial
            self._event(
                n_done,
                SamplingAction.BUDGET,
                f"default budget ${self._auto_usd:.6f}: the first round's cost scaled to {per} "
                f"invocations per configuration (at most "
                f"{self._budget(len(configs)).invocations} invocations)",
            )
        budget = self._budget(len(configs))
        remaining = budget.invocations - n_done
        j = a.judgement
        if remaining <= 0 or (budget.usd is not None and spent_usd >= budget.usd):
            return self._stop(
                n_done,
                SamplingAction.BUDGET,
                f"budget spent ({n_done} invocations, ${spent_usd:.6f}); still open: {j.summary}",
            )
        size = min(remaining, max(len(j.open) + 1, math.ceil(_BATCH_SHARE * n_done)))
        usd_left = math.inf if budget.usd is None else budget.usd - spent_usd
        allocation = allocate(
            j.sampling_weights,
            a.estimates,
            size=size,
            usd_left=usd_left,
            min_samples=min_samples(self.strategy),
            priority=risk_priority(j.best, j.open, a.unsure, a.estimates),
        )
        if not allocation:
            return self._stop(
                n_done, SamplingAction.BUDGET, "the USD budget cannot pay for another invocation"
            )
        return self._issue(allocation, state)

    def _confirm(self, state: SamplingState, a: Assessment) -> list[InvocationRequest]:
        """More samples of a settled winner that has too few (`risk.confirmation_samples`)."""
        best = a.judgement.best
        if best is None:
            return []
        ev = a.evidence.sizes[best]
        need = confirmation_samples(ev, self.timeout_ms) - ev.warm
        budget = self._budget(len(state.configurations))
        left = budget.invocations - len(state.records)
        if budget.usd is not None:
            spent = sum(record_cost_usd(r, self._rate_for(r.architecture)) for r in state.records)
            left = min(left, int((budget.usd - spent) / max(a.estimates[best].cost_usd, 1e-12)))
        count = min(need, left)
        return self._issue({best: count}, state) if count > 0 else []

    def _budget(self, n_configs: int) -> _Budget:
        floor = self.initial * n_configs
        per = max(self._per_configuration, min_samples(self.strategy) + 1)
        if self._auto:
            return _Budget(max(_MAX_PER_CONFIGURATION, per) * n_configs, self._auto_usd)
        invocations = self._budget_invocations or max(floor, per * n_configs)
        return _Budget(invocations, self._budget_usd)

    def _plan_message(self, per: int, budget: _Budget) -> str:
        usd = f", at most ${budget.usd:g}" if budget.usd is not None else ""
        if self._auto:
            usd = " and a USD budget set after the first round"
        need = min_samples(self.strategy)
        extra = ""
        if need > 1:
            extra = f"; p{self.strategy.latency_percentile} needs {need} warm samples per size"
        return (
            f"{per} invocations per configuration to start (shuffled), then adaptive; "
            f"budget {budget.invocations} invocations{usd}; "
            f"tolerance {self.tolerance:.1%}, confidence {self.confidence:.0%}{extra}"
        )

    def _event(
        self, n: int, action: SamplingAction, message: str, c: Configuration | None = None
    ) -> None:
        self._events.append(SamplingEvent(n, action, message, c))

    def _stop(self, n: int, action: SamplingAction, message: str) -> list[InvocationRequest]:
        self._stopped = True
        self._event(n, action, message)
        for text in off_grid_suggestions(
            self.estimates, self._contenders, self.best, self.tolerance
        ):
            self._event(n, SamplingAction.WORTH_TRYING, text)
        return []

    def _issue(
        self, counts: dict[Configuration, int], state: SamplingState
    ) -> list[InvocationRequest]:
        return with_payload_mix(counts, state.records, state.payload_weights, self._rng)
