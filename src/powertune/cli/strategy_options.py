"""The options `tune` and `analyze` share to choose a strategy, and their parsing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from powertune.tuning.models import StrategySpec
from powertune.tuning.strategies import parse_strategy

COMPAT_UPSTREAM = "aws-lambda-power-tuning"


def strategy_options(fn: Any) -> Any:
    """Add --strategy and its parameters, --price-table and the compat options to a command."""
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
    """The validated strategy the options describe."""
    return parse_strategy(
        strategy,
        balanced_weight=balanced_weight,
        latency_budget_ms=latency_budget_ms,
        latency_percentile=int(latency_percentile),
        cost_budget_usd=cost_budget_usd,
    )
