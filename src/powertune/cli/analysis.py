"""From records to a TuningResult: the analysis `tune` and `analyze` share, and its edge cases.

Calls the core's public analysis (and the adaptive policy's own decision, when
the run was adaptive) and hands the outcome to `powertune.results`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from powertune.cli.factory import adaptive_policy, rates_in
from powertune.cli.strategy_options import COMPAT_UPSTREAM
from powertune.errors import ConfigError
from powertune.results.build import RateFor, reanalyzed, result_from_run
from powertune.results.model import DecisionSettings, PriceTableProvenance, TuningResult
from powertune.tuning.analysis import analyze as analyze_records
from powertune.tuning.compat.analysis import analyze_compat
from powertune.tuning.engine import TuningRun
from powertune.tuning.models import Analysis, Configuration, InvocationRecord, StrategySpec
from powertune.tuning.pricing import PriceTable
from powertune.tuning.recommend import PolicySummary, recommend
from powertune.tuning.sampling import SamplingPolicy


def analyze_run(
    records: Sequence[InvocationRecord],
    *,
    region: str,
    prices: PriceTable,
    spec: StrategySpec,
    allowed_errors: frozenset[str],
    forced: dict[Configuration, str] | None = None,
    policy: PolicySummary | None = None,
    decide: bool = True,
) -> tuple[Analysis, RateFor]:
    """The analysis of `records` under `spec`, and the rates it used.

    One recommendation for `tune` and `analyze`: the core's `recommend()`, a pure
    function of the records and the policy summary the result stores
    (`settings.decision`); a result without one decides per size.
    """
    rate_for = rates_in(prices, region)
    analysis = analyze_records(
        records,
        strategy=spec,
        rate_for=rate_for,
        allowed_errors=allowed_errors,
        forced_failures=forced,
        decide=False,
        payload_weights=(policy or PolicySummary()).payload_weights,
    )
    if not decide:
        return analysis, rate_for
    rec = recommend(analysis, records, policy or PolicySummary(), strategy=spec, rate_for=rate_for)
    return replace(analysis, recommendation=rec), rate_for


def policy_summary(policy: SamplingPolicy | None) -> PolicySummary:
    """What the final recommendation needs beyond the records (fixed sampling: per size)."""
    adaptive = adaptive_policy(policy)
    return PolicySummary() if adaptive is None else adaptive.policy_summary()


def compat_output(
    records: Sequence[InvocationRecord],
    compat: str | None,
    spec: StrategySpec,
    region: str,
    discard_top_bottom: float,
    allowed_errors: frozenset[str],
) -> dict[str, object] | None:
    """Upstream's exact analysis (compat mode), or None outside it."""
    if compat is None:
        return None
    if spec.name.value not in ("cost", "speed", "balanced"):
        raise ConfigError(
            f"--compat {COMPAT_UPSTREAM} supports strategies cost, speed and balanced, "
            f"not {spec.name.value}"
        )
    return analyze_compat(
        records,
        strategy=spec.name.value,
        balanced_weight=spec.balanced_weight,
        discard_top_bottom=discard_top_bottom,
        lambda_region=region,
        allowed_exceptions=sorted(allowed_errors),
    )


def decision_settings(
    spec: StrategySpec,
    allowed_errors: frozenset[str],
    compat: str | None,
    prices: PriceTable,
    policy: PolicySummary | None,
) -> DecisionSettings:
    return DecisionSettings(
        strategy=spec,
        allowed_errors=tuple(sorted(allowed_errors)),
        compat=compat,
        price_table=PriceTableProvenance(**prices.describe()),
        policy=policy,
    )


@dataclass(frozen=True, slots=True)
class RunContext:
    """What a run's result records besides the analysis: the prices and the backend."""

    prices: PriceTable
    synthetic: bool
    endpoint_url: str | None


def _decided(
    run: TuningRun,
    ctx: RunContext,
    spec: StrategySpec,
    compat: str | None,
    discard_top_bottom: float,
    policy: SamplingPolicy | None,
) -> TuningResult:
    allowed = run.plan.allowed_errors
    summary = policy_summary(policy)
    analysis, rate_for = analyze_run(
        run.records,
        region=run.region,
        prices=ctx.prices,
        spec=spec,
        allowed_errors=allowed,
        forced=dict(run.backend_failures),
        policy=summary,
    )
    # Without a recommendation upstream's analyzer has nothing to report either (it
    # raises); the file then keeps our figures and the failures, and the run exits 1.
    upstream = None
    if analysis.recommendation is not None:
        upstream = compat_output(run.records, compat, spec, run.region, discard_top_bottom, allowed)
    decision = decision_settings(spec, allowed, compat, ctx.prices, summary)
    return result_from_run(
        run,
        analysis,
        rate_for,
        decision,
        compat=upstream,
        synthetic=ctx.synthetic,
        endpoint_url=ctx.endpoint_url,
    )


def _undecided(
    run: TuningRun, ctx: RunContext, spec: StrategySpec, reason: str, summary: PolicySummary
) -> TuningResult:
    """The measurements analysed with the default strategy, the recommendation withheld.

    The policy summary is kept, so `analyze --strategy ...` later decides as `tune` would.
    """
    allowed = run.plan.allowed_errors
    analysis, rate_for = analyze_run(
        run.records,
        region=run.region,
        prices=ctx.prices,
        spec=StrategySpec(),
        allowed_errors=allowed,
        forced=dict(run.backend_failures),
        policy=summary,
        decide=False,  # the recommendation is withheld: deciding again would raise again
    )
    decision = decision_settings(spec, allowed, None, ctx.prices, summary)
    return result_from_run(
        run,
        analysis,
        rate_for,
        decision,
        withheld=reason,
        synthetic=ctx.synthetic,
        endpoint_url=ctx.endpoint_url,
    )


def decide_run(
    run: TuningRun,
    ctx: RunContext,
    spec: StrategySpec,
    compat: str | None,
    discard_top_bottom: float,
    policy: SamplingPolicy | None,
) -> tuple[TuningResult, ConfigError | None]:
    """The result of `run`, and why `spec` could not decide (if it could not)."""
    try:
        return _decided(run, ctx, spec, compat, discard_top_bottom, policy), None
    except ConfigError as exc:
        # The strategy cannot decide (no size meets the budget, too few samples for a
        # percentile): the measurements were paid for, so keep them and say how to re-decide.
        return _undecided(run, ctx, spec, str(exc), policy_summary(policy)), exc


def failed_without_records(result: TuningResult) -> dict[Configuration, str]:
    """Sizes the result lists as failed that have no record (e.g. Invoke itself failed).

    Re-deciding from records alone would make them vanish instead of staying failed.
    """
    seen = {Configuration(r.memory_mb, r.architecture) for r in result.invocations}
    return {
        f.configuration: f.failure or "failed during the run"
        for f in result.failed
        if f.configuration not in seen
    }


def redecide(
    previous: TuningResult,
    *,
    source: str,
    prices: PriceTable,
    spec: StrategySpec,
    allowed_errors: frozenset[str],
    compat: str | None,
    discard_top_bottom: float,
) -> tuple[TuningResult, ConfigError | None]:
    """A new decision over `previous`'s records, invoking nothing (`powertune analyze`).

    When `spec` cannot decide (no size meets a budget, none shown safe from timeouts),
    the result is still made, its recommendation withheld, with the reason, as `tune` does.
    """
    records = previous.invocations
    summary = None if previous.settings.decision is None else previous.settings.decision.policy
    decision = decision_settings(spec, allowed_errors, compat, prices, summary)

    def run(with_spec: StrategySpec, decide: bool) -> tuple[Analysis, RateFor]:
        return analyze_run(
            records,
            region=previous.region,
            prices=prices,
            spec=with_spec,
            allowed_errors=allowed_errors,
            forced=failed_without_records(previous),
            policy=summary,
            decide=decide,
        )

    try:
        analysis, rate_for = run(spec, True)
    except ConfigError as exc:
        analysis, rate_for = run(StrategySpec(), False)
        kept = reanalyzed(previous, analysis, rate_for, decision, source=source, withheld=str(exc))
        return kept, exc
    upstream = None
    if analysis.recommendation is not None:
        upstream = compat_output(
            records, compat, spec, previous.region, discard_top_bottom, allowed_errors
        )
    return reanalyzed(previous, analysis, rate_for, decision, source=source, compat=upstream), None
