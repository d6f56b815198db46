"""The Markdown report `power-tuner-<ts>.md`: GitHub-flavoured, for $GITHUB_STEP_SUMMARY
and for the body of an approval issue. A table per size, the recommendation with its
reasons and ties, failures, cold starts, what the run cost, then the details folded.
"""

from __future__ import annotations

from powertune.reports import formatting as f
from powertune.reports.model import Report, Verdict
from powertune.reports.naming import ReportFormat, report_name


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _verdict(report: Report, v: Verdict | None) -> list[str]:
    if v is None:
        why = report.withheld or "every memory size failed, or the result was not analysed"
        return [f"**No recommendation**: {_cell(why)}", ""]
    money = f.money(v.cost_per_million.mean, report.currency)
    lines = [
        f"**Recommended: {v.memory_mb} MB ({v.architecture.value})**, strategy `{v.strategy}`: "
        f"mean {f.ms(v.duration_ms.mean)} ms, {money} per 1M invocations"
        + ("" if v.original_memory_mb is None else f" (before the run: {v.original_memory_mb} MB)"),
        "",
    ]
    if not v.settled:
        more = (
            ""
            if v.more_invocations is None
            else (f"; about {v.more_invocations} more invocations would settle it")
        )
        lines += [
            f"> [!WARNING]\n> Undecided: tied with {', '.join(v.tied_with)}; {v.memory_mb} MB is "
            f"the default among them (the cheaper, then the smaller){more}.",
            "",
        ]
    elif v.tied_with:
        lines += [f"Tied with {', '.join(v.tied_with)}.", ""]
    return [*lines, *(f"- {_cell(r)}" for r in v.reasons), ""]


def _sizes(report: Report) -> list[str]:
    cur = report.currency
    lines = [
        f"| Size | Warm n | Mean ms | 95% CI ms | p90 ms | {cur} per 1M | 95% CI | Max mem MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in report.points:
        if p.failure is not None:
            lines.append(f"| {p.label} | {p.warm_samples} | failed: {_cell(p.failure)} |||||")
            continue
        mark = "**★ " if p.recommended else ""
        end = "**" if p.recommended else ""
        tied = " (tied)" if p.tied else ""
        d, c = p.duration_ms, p.cost_per_million
        lines.append(
            f"| {mark}{p.label}{end}{tied} | {p.warm_samples} | {f.ms(d.mean)} | "
            f"{f.band(d.low, d.high)} | {f.ms(p.p90_ms)} | {f.money(c.mean, cur)} | "
            f"{f.band(c.low, c.high, 'money', cur)} | {p.max_memory_used_mb or f.DASH} |"
        )
    return [*lines, ""]


def _cold(report: Report) -> list[str]:
    if not report.cold_starts:
        return []
    lines = [
        "<details><summary>Cold starts (not in the figures above)</summary>",
        "",
        f"| Size | n | Init ms | Total ms | {report.currency} per 1M cold | Init billed |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for c in report.cold_starts:
        lines.append(
            f"| {c.label} | {c.samples} | {f.ms(c.init_ms)} | {f.ms(c.total_ms)} | "
            f"{f.money(c.cost_per_million, report.currency)} | {'yes' if c.init_billed else 'no'} |"
        )
    return [*lines, "", "</details>", ""]


def _details(report: Report) -> list[str]:
    lines: list[str] = []
    if report.steps:
        lines += ["<details><summary>Sampling steps</summary>", ""]
        lines += [
            f"- after {s.after_invocations} invocations, {s.action}: {_cell(s.message)}"
            for s in report.steps
        ]
        lines += ["", "</details>", ""]
    lines += ["<details><summary>Settings</summary>", "", "| Setting | Value |", "|---|---|"]
    lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in report.settings]
    return [*lines, "", "</details>", ""]


def render_markdown(report: Report) -> str:
    """The Markdown report; links to the HTML and PNG of the same stamp (beside it)."""
    synthetic = " (synthetic: simulated, not measured on Lambda)" if report.synthetic else ""
    e = report.exploration
    lines = [
        f"## powertune: `{report.function_name}` ({report.region}){synthetic}",
        "",
        f"Run {f.when(report.started_at)}, `{report.function_arn}`",
        "",
        *_verdict(report, report.verdict),
        *_sizes(report),
    ]
    if report.failed:
        lines += ["**Failed sizes**", ""]
        lines += [f"- {p.label}: {_cell(p.failure)}" for p in report.failed]
        lines.append("")
    lines += _cold(report)
    lines += [
        f"The run made {e.invocations} invocations ({e.warm} warm, {e.cold} cold, {e.failed} "
        f"failed) for {f.money(e.lambda_cost, report.currency)} of Lambda charges.",
        "",
    ]
    lines += [f"> [!WARNING]\n> {_cell(w)}\n" for w in report.warnings]
    lines += _details(report)
    links = [
        f"[HTML report]({report_name(report.stamp, ReportFormat.HTML)})",
        f"[chart]({report_name(report.stamp, ReportFormat.PNG)})",
    ]
    if report.compat_url:
        links.append(f"[lambda-power-tuning.show]({report.compat_url})")
    lines += [" · ".join(links), ""]
    return "\n".join(lines)
