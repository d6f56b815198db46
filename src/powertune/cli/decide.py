"""What `tune` and `analyze` share: strategy options, analysis, the result document."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from powertune import price_tables
from powertune.errors import ConfigError
from powertune.results import build_document
from powertune.tuning.analysis import analyze as analyze_records
from powertune.tuning.compat.analysis import analyze_compat
from powertune.tuning.engine import TuningRun
from powertune.tuning.models import (
    Analysis,
    Architecture,
    Configuration,
    InvocationRecord,
    StrategySpec,
)
from powertune.tuning.pricing import PriceRate, PriceTable
from powertune.tuning.recommend import DecisionSettings, recommend
from powertune.tuning.sampling import FixedSampling, SamplingPolicy
from powertune.tuning.strategies import parse_strategy

if TYPE_CHECKING:
    from powertune.tuning.adaptive import AdaptiveSampling

COMPAT_UPSTREAM = "aws-lambda-power-tuning"


def strategy_options(fn: Any) -> Any:
    options = [
        click.option(
            "--strategy",
            default="cost",
            show_default=True,
            help="cost | speed | balanced | latency-budget | cost-budget.",
        ),
        click.option(
            "--balanced-weight",
            type=float,
            default=0.5,
            show_default=True,
            help="For balanced: 0 = speed, 1 = cost (upstream's meaning).",
        ),
        click.option(
            "--latency-budget-ms",
            type=float,
            default=None,
            help="For latency-budget: the p90/p99 budget in ms.",
        ),
        click.option(
            "--latency-percentile",
            type=click.Choice(["90", "99"]),
            default="90",
            show_default=True,
            help="For latency-budget: which percentile must meet the budget.",
        ),
        click.option(
            "--cost-budget-usd",
            type=float,
            default=None,
            help="For cost-budget: the most to pay per invocation, USD.",
        ),
        click.option(
            "--price-table",
            type=click.Path(path_type=Path),
            default=None,
            help="A newer price table (same format as powertune/tuning/prices.json).",
        ),
        click.option(
            "--compat",
            type=click.Choice([COMPAT_UPSTREAM]),
            default=None,
            help="Report AWS Lambda Power Tuning's exact numbers at the top level.",
        ),
        click.option(
            "--discard-top-bottom",
            type=float,
            default=0.2,
            show_default=True,
            help="Compat mode only: share trimmed from each end (upstream's discardTopBottom).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def strategy_spec(
    strategy: str,
    balanced_weight: float,
    latency_budget_ms: float | None,
    latency_percentile: str,
    cost_budget_usd: float | None,
) -> StrategySpec:
    return parse_strategy(
        strategy,
        balanced_weight=balanced_weight,
        latency_budget_ms=latency_budget_ms,
        latency_percentile=int(latency_percentile),
        cost_budget_usd=cost_budget_usd,
    )


def load_prices(path: Path | None) -> PriceTable:
    return price_tables.load_file(path) if path else price_tables.load_default()


def analyze_run(
    records: Sequence[InvocationRecord],
    *,
    region: str,
    prices: PriceTable,
    spec: StrategySpec,
    allowed_errors: frozenset[str],
    forced: dict[Any, str] | None = None,
    decision: DecisionSettings | None = None,
) -> tuple[Analysis, Any]:
    cache: dict[Architecture, PriceRate] = {}

    def rate_for(arch: Architecture) -> PriceRate:
        if arch not in cache:
            cache[arch] = prices.rate(region, arch)
        return cache[arch]

    analysis = analyze_records(
        records,
        strategy=spec,
        rate_for=rate_for,
        allowed_errors=allowed_errors,
        forced_failures=forced,
        decide=False,
    )
    # One recommendation for tune and analyze: a pure function of the records and
    # the decision settings the result stores (settings.decision).
    settings = decision or DecisionSettings()
    rec = recommend(analysis, records, settings, strategy=spec, rate_for=rate_for)
    analysis = replace(analysis, recommendation=rec)
    return analysis, rate_for


def decision_settings(policy: SamplingPolicy | None) -> DecisionSettings:
    """What the final recommendation needs beyond the records (fixed sampling: per size)."""
    adaptive = adaptive_policy(policy)
    return DecisionSettings() if adaptive is None else adaptive.decision_settings()


def adaptive_policy(policy: SamplingPolicy | None) -> AdaptiveSampling | None:
    if policy is None or isinstance(policy, FixedSampling):
        return None  # (and no import of the adaptive policy's scipy.stats on this path)
    from powertune.tuning.adaptive import AdaptiveSampling

    return policy if isinstance(policy, AdaptiveSampling) else None


def compat_output(
    records: Sequence[InvocationRecord],
    compat: str | None,
    spec: StrategySpec,
    region: str,
    discard_top_bottom: float,
    allowed_errors: frozenset[str],
) -> dict[str, object] | None:
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


def result_document(
    run: TuningRun,
    prices: PriceTable,
    spec: StrategySpec,
    compat: str | None,
    discard_top_bottom: float,
    synthetic: bool,
    endpoint_url: str | None,
    policy: SamplingPolicy | None = None,
) -> dict[str, Any]:
    analysis, rate_for = analyze_run(
        run.records,
        region=run.region,
        prices=prices,
        spec=spec,
        allowed_errors=run.plan.allowed_errors,
        forced=dict(run.backend_failures),
        decision=decision_settings(policy),
    )
    # Without a recommendation upstream's analyzer has nothing to report either (it
    # raises); the file then keeps our figures and the failures, and the run exits 1.
    compat_doc = (
        compat_output(
            run.records, compat, spec, run.region, discard_top_bottom, run.plan.allowed_errors
        )
        if analysis.recommendation is not None
        else None
    )
    settings = {
        "memory_sizes": sorted({c.memory_mb for c in run.plan.configurations}),
        "architectures": sorted({c.architecture.value for c in run.plan.configurations}),
        "strategy": {**asdict(spec), "name": spec.name.value},
        "sampling": run.plan.sampling,
        "seed": run.plan.seed,
        "payloads": len(run.plan.payloads),
        "allowed_errors": sorted(run.plan.allowed_errors),
        "scratch_copy": run.plan.scratch_copy,
        "compat": compat,
        "run_id": run.plan.run_id,
        "original_memory_mb": run.original.memory_mb,
        "price_table": prices.describe(),
        "backend": {**run.backend, **({"endpoint_url": endpoint_url} if endpoint_url else {})},
        "decision": decision_settings(policy).to_json(),
    }
    return build_document(
        function_arn=run.function_arn,
        region=run.region,
        records=run.records,
        analysis=analysis,
        rate_for=rate_for,
        settings=settings,
        compat=compat_doc,
        events=[
            {
                "after_invocations": e.after_invocations,
                "action": e.action,
                "message": e.message,
                "configuration": e.configuration.label if e.configuration else None,
            }
            for e in run.events
        ],
        warnings=run.warnings,
        started_at=run.started_at,
        finished_at=run.finished_at,
        synthetic=synthetic,
    )


def write_result(doc: dict[str, Any], output: Path) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = output / f"tuning-{stamp}.json"
    n = 1
    while path.exists():
        path = output / f"tuning-{stamp}-{n}.json"
        n += 1
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def failed_without_records(
    doc: dict[str, Any], records: Sequence[InvocationRecord]
) -> dict[Configuration, str]:
    """Sizes the result lists as failed that have no record (e.g. Invoke itself failed).

    Re-deciding from records alone would make them vanish instead of staying failed.
    """
    seen = {Configuration(r.memory_mb, r.architecture) for r in records}
    forced: dict[Configuration, str] = {}
    for f in doc.get("failed") or []:
        try:
            configuration = Configuration(
                int(f["memory_mb"]), Architecture(f.get("architecture", "x86_64"))
            )
        except (KeyError, TypeError, ValueError):
            continue
        if configuration not in seen:
            forced[configuration] = str(f.get("failure") or "failed during the run")
    return forced
