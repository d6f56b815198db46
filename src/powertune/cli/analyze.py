"""`powertune analyze`: re-decide from a result's raw records, invoking nothing."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from powertune.cli.decide import (
    analyze_run,
    compat_output,
    failed_without_records,
    load_prices,
    strategy_options,
    strategy_spec,
)
from powertune.errors import ConfigError, TuningFailed
from powertune.results import build_document, read_records
from powertune.tuning.recommend import DecisionSettings


@click.command()
@click.argument("result", type=click.Path(path_type=Path))
@strategy_options
@click.option(
    "--allowed-errors",
    default=None,
    help="Comma-separated errorType values (default: as recorded).",
)
def analyze(
    result: Path,
    strategy: str,
    balanced_weight: float,
    latency_budget_ms: float | None,
    latency_percentile: str,
    cost_budget_usd: float | None,
    price_table: Path | None,
    compat: str | None,
    discard_top_bottom: float,
    allowed_errors: str | None,
) -> None:
    """Re-decide from the raw records of RESULT.json without invoking anything; print the result."""
    try:
        doc = json.loads(result.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {str(result)!r}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{str(result)!r} is not JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(
            f"{str(result)!r} must hold a JSON object with function_arn, region, invocations"
        )
    function_arn, region, records = read_records(doc)
    del doc["invocations"]  # the records replace them; halves peak memory on big files
    spec = strategy_spec(
        strategy, balanced_weight, latency_budget_ms, latency_percentile, cost_budget_usd
    )
    prices = load_prices(price_table)
    recorded = doc.get("settings", {}).get("allowed_errors", [])
    allowed = frozenset(
        (e.strip() for e in allowed_errors.split(",") if e.strip())
        if allowed_errors is not None
        else recorded
    )
    analysis, rate_for = analyze_run(
        records,
        region=region,
        prices=prices,
        spec=spec,
        allowed_errors=allowed,
        forced=failed_without_records(doc, records),
        decision=DecisionSettings.from_json(doc.get("settings", {}).get("decision")),
    )
    compat_doc = (
        compat_output(records, compat, spec, region, discard_top_bottom, allowed)
        if analysis.recommendation is not None
        else None
    )
    settings = {
        **doc.get("settings", {}),
        "strategy": {**asdict(spec), "name": spec.name.value},
        "compat": compat,
        "allowed_errors": sorted(allowed),
        "price_table": prices.describe(),
        "reanalyzed_from": str(result),
    }
    out = build_document(
        function_arn=function_arn,
        region=region,
        records=records,
        analysis=analysis,
        rate_for=rate_for,
        settings=settings,
        compat=compat_doc,
        events=doc.get("sampling_events", []),
        warnings=doc.get("warnings", []),
        synthetic=bool(doc.get("synthetic", False)),
    )
    click.echo(json.dumps(out, indent=2))
    if out["recommendation"] is None:
        raise TuningFailed("every memory size failed; see 'failed' in the output")
