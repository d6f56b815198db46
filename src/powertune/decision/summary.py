"""`memory-summary-<ts>.md`: the change summary a person reads (and the approval issue's body).

GitHub-flavoured Markdown, pure: rendered from the decision record alone, with
every number the decision was made on, so it reads the same months later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from powertune.decision.figures import SizeFigures, describe_strategy
from powertune.decision.records import DecisionRecord, Outcome
from powertune.reports import formatting

_OUTCOME = {
    Outcome.APPLIED: "applied",
    Outcome.NO_CHANGE: "no change",
    Outcome.DRY_RUN: "dry run: nothing was changed",
    Outcome.DENIED: "denied",
    Outcome.TIMED_OUT: "timed out waiting for approval: nothing was changed",
    Outcome.PENDING: "waiting for approval: reply `approve` or `deny` (with a reason)",
}


def title(record: DecisionRecord) -> str:
    d = record.decision
    return f"powertune: {d.function_name} {d.current_memory_mb} MB → {d.recommended_memory_mb} MB"


def change_table(record: DecisionRecord) -> list[str]:
    """The before/after table: costs, the monthly projection, latencies."""
    d = record.decision
    b, a = d.before, d.after
    monthly = f"{d.options.monthly_invocations:,}"
    rows: list[tuple[str, Callable[[SizeFigures], float | None], Callable[[float], str]]] = [
        ("Cost per invocation", lambda f: f.cost_per_invocation_usd, _usd),
        ("Cost per million invocations", lambda f: f.cost_per_million_usd, _usd),
        (f"Monthly cost at {monthly} invocations", lambda f: f.monthly_cost_usd, _usd),
        ("Mean duration", lambda f: f.mean_duration_ms, _ms),
        ("p50 duration", lambda f: f.p50_duration_ms, _ms),
        ("p90 duration", lambda f: f.p90_duration_ms, _ms),
        ("p99 duration", lambda f: f.p99_duration_ms, _ms),
    ]
    lines = [
        f"| | Current: {d.current_memory_mb} MB | Recommended: {d.recommended_memory_mb} MB "
        "| Change |",
        "|---|---:|---:|---:|",
    ]
    for label, get, show in rows:
        old = get(b) if b else None
        new = get(a) if a else None
        lines.append(
            f"| {label} | {_or_dash(old, show)} | {_or_dash(new, show)} | {_delta(old, new)} |"
        )
    return lines


def render_summary(record: DecisionRecord, links: Sequence[tuple[str, str]] = ()) -> str:
    """The whole summary; `links` are (label, relative path) of the run's other reports."""
    d = record.decision
    c = d.confidence
    saving = "unknown" if d.saving is None else f"{d.saving:.1%}"
    ties = ", ".join(f"{m} MB" for m in c.tied_with_mb) or "none"
    level = "" if c.level is None else f" at {c.level:.0%}"
    lines = [
        f"## {title(record)}",
        "",
        f"- **Function:** `{d.function_name}` in `{d.region}`",
        f"- **Memory:** {d.current_memory_mb} MB → {d.recommended_memory_mb} MB "
        f"({d.architecture.value}), strategy {describe_strategy(d.strategy)}",
        f"- **Saving:** {saving} of the {d.objective} (threshold {d.options.min_savings:.1%})",
        f"- **Confidence:** {c.label} (intervals{level}; settled: {'yes' if c.settled else 'no'}; "
        f"ties: {ties})",
        f"- **Decision:** {_OUTCOME[record.outcome]} ({record.mode} mode), by {record.decided_by} "
        f"at {record.decided_at.strftime('%Y-%m-%d %H:%M:%S UTC')}",
    ]
    if d.forced:
        lines.append(
            f"- **Forced:** the function was at {d.recorded_memory_mb} MB when tuned and at "
            f"{d.current_memory_mb} MB when decided (`--force`)"
        )
    if record.terraform is not None:
        lines.append(
            f"- **Terraform:** `{record.terraform.variable} = {record.terraform.value}` written to "
            f"`{record.terraform.path}`"
        )
    lines += ["", *change_table(record), "", "**Why:**", ""]
    lines += [f"- {reason}" for reason in d.reasons]
    lines += ["", f"Result file: `{record.result_file}`"]
    if links:
        lines.append("Reports: " + " · ".join(f"[{label}]({path})" for label, path in links))
    return "\n".join(lines) + "\n"


# The same number formats as the run's own reports (powertune.reports.formatting).
def _usd(x: float) -> str:
    return formatting.money(x)


def _ms(x: float) -> str:
    return f"{formatting.ms(x)} ms"


def _or_dash(value: float | None, show: Callable[[float], str]) -> str:
    return "–" if value is None else show(value)


def _delta(old: float | None, new: float | None) -> str:
    if old is None or new is None or old == 0:
        return "–"
    return f"{(new - old) / old:+.1%}"
