"""Human-readable output of the CLI (rich tables on stderr; JSON stays on stdout)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

# Logs and CI are not terminals; rich would wrap the tables at 80 columns there.
console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)


def _fmt(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


def print_summary(doc: dict[str, Any], path: Path) -> None:
    """A table per configuration, the failed sizes, cold starts and the recommendation."""
    table = Table(title=f"{doc['function_arn']} ({doc['region']})")
    # costs are in the region's currency (CNY in China), whatever the keys are called
    currency = (doc.get("settings") or {}).get("price_table", {}).get("currency", "USD")
    for col in (
        "size",
        "warm n",
        "mean ms",
        "95% CI ms",
        "p90 ms",
        "p99 ms",
        f"cost/inv {currency}",
        "max mem MB",
    ):
        table.add_column(col, justify="right")
    rec = doc.get("recommendation") or {}
    for s in doc["statistics"]:
        mark = (
            "★ "
            if (s["memory_mb"], s["architecture"])
            == (rec.get("memory_mb"), rec.get("architecture"))
            else ""
        )
        lo, hi = s["duration_ci_ms"]
        table.add_row(
            f"{mark}{s['memory_mb']} {s['architecture']}",
            str(s["warm_samples"]),
            _fmt(s["mean_duration_ms"], ".2f"),
            f"{_fmt(lo, '.2f')}–{_fmt(hi, '.2f')}",
            _fmt(s["p90_duration_ms"], ".1f"),
            _fmt(s["p99_duration_ms"], ".1f"),
            _fmt(s["mean_cost_usd"], ".3e"),
            str(s["max_memory_used_mb"] or "—"),
        )
    console.print(table)
    for f in doc["failed"]:
        console.print(f"[red]failed[/] {f['memory_mb']} MB {f['architecture']}: {f['failure']}")
    if doc["cold_starts"]:
        cold = Table(title="cold starts (not in the figures above)")
        for col in ("size", "n", "init ms", "total ms", f"cost {currency}", "init billed"):
            cold.add_column(col, justify="right")
        for c in doc["cold_starts"]:
            cold.add_row(
                f"{c['memory_mb']} {c['architecture']}",
                str(c["samples"]),
                _fmt(c["mean_init_duration_ms"], ".1f"),
                _fmt(c["mean_total_duration_ms"], ".1f"),
                _fmt(c["mean_cost_usd"], ".3e"),
                "yes" if c["init_billed"] else "no",
            )
        console.print(cold)
    if rec:
        console.print(f"[bold green]recommended: {rec['memory_mb']} MB {rec['architecture']}[/]")
        for reason in rec["reasons"]:
            console.print(f"  - {reason}")
    console.print(f"result: {path}")
