"""`powertune analyze`: re-decide from a result's raw records, invoking nothing."""

from __future__ import annotations

import json
from pathlib import Path

import click

from powertune.cli.analysis import redecide
from powertune.cli.factory import load_prices
from powertune.cli.strategy_options import strategy_options, strategy_spec
from powertune.errors import TuningFailed
from powertune.results.json_form import price_table_to_json, to_json
from powertune.results.model import TuningResult
from powertune.storage.results import read_result
from powertune.tuning.billing import bind_recorded, require_rates


def recorded_allowed_errors(result: TuningResult) -> list[str]:
    """The allowed errors the result was decided with (none for a records-only file)."""
    if result.settings.decision is not None:
        return list(result.settings.decision.allowed_errors)
    return list(result.settings.extra.get("allowed_errors", []))


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
    previous = read_result(result)
    spec = strategy_spec(
        strategy, balanced_weight, latency_budget_ms, latency_percentile, cost_budget_usd
    )
    archs = {r.architecture for r in previous.invocations}
    prices = require_rates(
        load_prices(price_table), previous.region, archs, compat=compat is not None
    )
    recorded = previous.settings.decision
    if recorded is not None:
        # the run's /tmp size and SnapStart billing, as its result recorded them
        prices = bind_recorded(prices, {"price_table": price_table_to_json(recorded.price_table)})
    allowed = frozenset(
        (e.strip() for e in allowed_errors.split(",") if e.strip())
        if allowed_errors is not None
        else recorded_allowed_errors(previous)
    )
    decided, undecided = redecide(
        previous,
        source=str(result),
        prices=prices,
        spec=spec,
        allowed_errors=allowed,
        compat=compat,
        discard_top_bottom=discard_top_bottom,
    )
    click.echo(json.dumps(to_json(decided), indent=2))
    if undecided is not None:
        # the result (recommendation withheld, with the reason) is on stdout, as `tune`
        # keeps it; the exit code says it could not decide
        raise undecided
    if decided.recommendation is None:
        raise TuningFailed("every memory size failed; see 'failed' in the output")
