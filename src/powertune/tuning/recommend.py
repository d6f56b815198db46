"""The one recommendation: a pure function of the records and the settings a result stores.

`tune` and `analyze` both call `recommend()`; what it needs beyond the
records, the strategy and the prices is a small frozen `PolicySummary`
(the policy's summary) that the result file keeps under
`settings.decision`, so `analyze` with the same options reproduces `tune`'s
pick exactly. The adaptive policy's mid-run drops only steer sampling; the
final judgement re-assesses every size from all the records
(`assessment.py`). Fixed sampling and result files without the key decide
from the per-size statistics (`strategies.choose`).

When the budget could not separate the leaders, the recommendation says so
(`settled` False): the sizes still tied, the default taken among them (the
cheaper, then the smaller), and roughly how many more invocations would
settle it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from powertune.errors import ConfigError
from powertune.tuning.assessment import RateFor, assess
from powertune.tuning.decisions import Judgement
from powertune.tuning.models import (
    SANDBOX_TIMEDOUT,
    Analysis,
    Configuration,
    InvocationRecord,
    Recommendation,
    StrategyName,
    StrategySpec,
)
from powertune.tuning.strategies import choose


class DecisionMethod(StrEnum):
    """How the final pick is made."""

    #: per-size means and Welch tests (fixed sampling; result files without the key)
    PER_SIZE = "per-size"
    #: the adaptive assessment: per-size outliers, curve pooling, tests of differences
    ADAPTIVE = "adaptive"


@dataclass(frozen=True, slots=True)
class PolicySummary:
    """The policy summary stored in the result (`settings.decision`)."""

    method: DecisionMethod = DecisionMethod.PER_SIZE
    tolerance: float = 0.01
    confidence: float = 0.95
    #: the function's timeout (enables the timeout-risk guard)
    timeout_ms: float | None = None
    payload_weights: tuple[float, ...] = (1.0,)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method.value,
            "tolerance": self.tolerance,
            "confidence": self.confidence,
            "timeout_ms": self.timeout_ms,
            "payload_weights": list(self.payload_weights),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> PolicySummary:
        """Read `settings.decision`; a result without it decides per size, as before."""
        if not raw:
            return cls()
        try:
            timeout = raw.get("timeout_ms")
            return cls(
                method=DecisionMethod(str(raw.get("method", "per-size"))),
                tolerance=float(raw.get("tolerance", 0.01)),
                confidence=float(raw.get("confidence", 0.95)),
                timeout_ms=None if timeout is None else float(timeout),
                payload_weights=tuple(float(w) for w in raw.get("payload_weights") or [1.0]),
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"settings.decision {dict(raw)!r} is not valid ({exc}); "
                "fix it or remove the key to decide per size"
            ) from exc


def default_key(
    strategy: StrategySpec, cost_of: Callable[[Configuration], float]
) -> Callable[[Configuration], tuple[float, int]]:
    """The default among tied sizes: the cheaper, then the smaller. Sizes tied on cost
    itself (cost, latency-budget) go to the smaller: their measured costs differ by noise."""
    if strategy.name in (StrategyName.COST, StrategyName.LATENCY_BUDGET):
        return lambda c: (0.0, c.memory_mb)
    return lambda c: (cost_of(c), c.memory_mb)


def recommend(
    analysis: Analysis,
    records: Sequence[InvocationRecord],
    settings: PolicySummary,
    *,
    strategy: StrategySpec,
    rate_for: RateFor,
) -> Recommendation | None:
    """The recommendation for these records; None when every size failed.

    `analysis` holds the per-size statistics (failed sizes included) of the
    same records.

    Raises:
        ConfigError: no size meets a budget strategy's budget (or a percentile has
            too few samples, per size).
    """
    if settings.method is DecisionMethod.PER_SIZE:
        return choose(analysis.stats, strategy, level=settings.confidence)
    failed = {s.configuration for s in analysis.failed}
    configs = sorted(
        {s.configuration for s in (*analysis.stats, *analysis.failed)},
        key=lambda c: (c.architecture.value, c.memory_mb),
    )
    result = assess(
        records,
        configs,
        settings.payload_weights,
        strategy=strategy,
        rate_for=rate_for,
        tolerance=settings.tolerance,
        confidence=settings.confidence,
        timeout_ms=settings.timeout_ms,
        failed=failed,
    )
    j = result.judgement
    if j.best is None:
        if result.estimates:
            raise ConfigError(f"{j.summary}; raise the budget or add sizes")
        if result.unsure:
            raise ConfigError(_unproven(result.unsure, settings.timeout_ms))
        return None
    estimates = result.estimates
    group = [j.best, *sorted(j.tied, key=lambda c: c.memory_mb)]
    winner = min(group, key=default_key(strategy, lambda c: estimates[c].cost_usd))
    e = estimates[winner]
    reasons = [
        j.summary,
        f"estimated mean warm duration {e.duration_ms:.2f} ms ± {e.duration_sd_ms:.2f} "
        f"(curve weight {e.curve_weight:.0%}), mean cost ${e.cost_usd:.4g}",
    ]
    if j.open:
        reasons.append(_undecided(j, group, winner))
        ties = tuple(c for c in group if c != winner)
        return Recommendation(winner, strategy, tuple(reasons), ties, False, j.more_invocations)
    excluded = set(result.excluded) | set(j.drop)
    ties = tuple(c for c in configs if c in estimates and c not in excluded and c != winner)
    return Recommendation(winner, strategy, tuple(reasons), ties)


def _unproven(unsure: Collection[Configuration], timeout_ms: float | None) -> str:
    """Why nothing is recommended when no size could be shown safe from timeouts."""
    sizes = ", ".join(sorted(c.label for c in unsure))
    return (
        f"no size could be shown safe from {SANDBOX_TIMEDOUT} in 99.9% of calls with these "
        f"samples ({sizes}: the upper bound of their slowest 0.1% reaches the "
        f"{timeout_ms or 0:.0f} ms timeout); sample more (--budget N) or raise the "
        "function's timeout"
    )


def _undecided(j: Judgement, group: Sequence[Configuration], winner: Configuration) -> str:
    still = sorted(c.label for c in j.open - j.tied - {j.best})
    worse = f" ({', '.join(still)} still open, but measured worse)" if still else ""
    return (
        "undecided: the budget could not separate "
        + ", ".join(c.label for c in group)
        + f"{worse}; taking the default (the cheaper, then the smaller): {winner.label}; "
        f"about {j.more_invocations} more invocations would settle it"
    )
