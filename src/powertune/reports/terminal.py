"""The terminal report of a result: rich tables and lines, built from the typed result.

Pure: it returns renderables and prints nothing; the CLI prints them on stderr
(stdout stays for JSON).
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table

from powertune.results.model import TuningResult

STAT_COLUMNS = (
    "size",
    "warm n",
    "mean ms",
    "95% CI ms",
    "p90 ms",
    "p99 ms",
    "cost/inv {currency}",
    "max mem MB",
)
COLD_COLUMNS = ("size", "n", "init ms", "total ms", "cost {currency}", "init billed")
#: marks the recommended configuration's row
WINNER_MARK = "★ "


def _fmt(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


def currency(result: TuningResult) -> str:
    """The unit of the result's costs (CNY in China), whatever its keys are called."""
    decision = result.settings.decision
    return "USD" if decision is None else decision.price_table.currency


def statistics_table(result: TuningResult) -> Table:
    """One row per configuration that did not fail; the recommended one starred."""
    table = Table(title=f"{result.function_arn} ({result.region})")
    for col in STAT_COLUMNS:
        table.add_column(col.format(currency=currency(result)), justify="right")
    winner = result.recommendation.configuration if result.recommendation else None
    for s in result.statistics:
        mark = WINNER_MARK if s.configuration == winner else ""
        lo, hi = s.duration_ci_ms
        table.add_row(
            f"{mark}{s.memory_mb} {s.architecture.value}",
            str(s.warm_samples),
            _fmt(s.mean_duration_ms, ".2f"),
            f"{_fmt(lo, '.2f')}–{_fmt(hi, '.2f')}",
            _fmt(s.p90_duration_ms, ".1f"),
            _fmt(s.p99_duration_ms, ".1f"),
            _fmt(s.mean_cost_usd, ".3e"),
            str(s.max_memory_used_mb or "—"),
        )
    return table


def cold_start_table(result: TuningResult) -> Table | None:
    """What cold starts cost per configuration, or None when the run saw none."""
    if not result.cold_starts:
        return None
    cold = Table(title="cold starts (not in the figures above)")
    for col in COLD_COLUMNS:
        cold.add_column(col.format(currency=currency(result)), justify="right")
    for c in result.cold_starts:
        cold.add_row(
            f"{c.memory_mb} {c.architecture.value}",
            str(c.samples),
            _fmt(c.mean_init_duration_ms, ".1f"),
            _fmt(c.mean_total_duration_ms, ".1f"),
            _fmt(c.mean_cost_usd, ".3e"),
            "yes" if c.init_billed else "no",
        )
    return cold


def failed_lines(result: TuningResult) -> list[str]:
    return [
        f"[red]failed[/] {f.memory_mb} MB {f.architecture.value}: {f.failure}"
        for f in result.failed
    ]


def recommendation_lines(result: TuningResult) -> list[str]:
    rec = result.recommendation
    if rec is None:
        return []
    head = f"[bold green]recommended: {rec.memory_mb} MB {rec.architecture.value}[/]"
    lines = [head]
    if not rec.settled:
        others = ", ".join(f"{c.memory_mb} MB {c.architecture.value}" for c in rec.tied_with)
        more = (
            ""
            if rec.more_invocations is None
            else f"; about {rec.more_invocations} more invocations would settle it"
        )
        lines.append(
            f"[yellow]  undecided: tied with {others}; {rec.memory_mb} MB is the default "
            f"(the cheaper, then the smaller){more}[/]"
        )
    return [*lines, *(f"  - {reason}" for reason in rec.reasons)]


def summary(result: TuningResult) -> list[RenderableType]:
    """The whole report, in print order: statistics, failures, cold starts, recommendation."""
    cold = cold_start_table(result)
    return [
        statistics_table(result),
        *failed_lines(result),
        *([] if cold is None else [cold]),
        *recommendation_lines(result),
    ]
