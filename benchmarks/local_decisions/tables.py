"""results.md for the local-cloud decision benchmark, rendered from results.json's content."""

from __future__ import annotations

from typing import Any

from report import run_line, sizes_text, usd_text

METHODS = (
    ("adaptive", "powertune, default adaptive policy"),
    ("upstream_num50", "upstream's protocol, num 50"),
    ("fixed50", "powertune's statistics, same 50 per size"),
)


def _sizes(sizes: list[int]) -> str:
    return sizes_text(sizes) or "none"


def _yes(flag: bool | None) -> str:
    return "n/a" if flag is None else ("yes" if flag else "**no**")


def _cell_row(strategy: str, predicted: str, label: str, m: dict[str, Any]) -> str:
    ratio, regret = m.get("cost_ratio_to_upstream"), m["model_regret"]
    return (
        f"| {strategy} | {predicted} | {label} | {m['recommended_mb']} | {_yes(m['matches'])} "
        f"| {'n/a' if regret is None else f'{regret:+.1%}'} "
        f"| {_sizes(m['failed_mb'])} | {_yes(m['failed_as_predicted'])} | {m['invocations']} "
        f"| {usd_text(m['cost_usd'])} | {'' if ratio is None else f'{ratio:.3f}'} |"
    )


def _single_line(title: str, block: dict[str, Any]) -> str:
    """One cost run of the default policy on its own grid, as a sentence and its reasons."""
    m = block["adaptive"]
    ratio = m.get("cost_ratio_to_upstream")
    line = (
        f"{title}, `{block['command']}`: predicted {block['predicted_best_mb']} "
        f"({_sizes(block['predicted_mb'])}); recommended **{m['recommended_mb']}** "
        f"(match: {_yes(m['matches'])}), failed sizes {_sizes(m['failed_mb'])}, "
        f"{m['invocations']} invocations, {usd_text(m['cost_usd'])}"
        + ("" if ratio is None else f" ({ratio:.3f} of upstream's protocol)")
        + "."
    )
    reasons = [f"{mb} MB: {why}" for mb, why in m["failed_reasons"].items()]
    return line + "".join(f"\n  - {r}" for r in reasons)


def _workload_section(name: str, w: dict[str, Any]) -> list[str]:
    cal = w["calibration"]
    failing = w["predicted_failing"]
    lines = [
        f"### {name}: {w['description']}",
        "",
        f"Calibrated at 1,769 MB ({cal['warm_invocations']} warm calls): mean CPU "
        f"**{cal['cpu_ms_mean']:.1f} ms** ({w['threads']} thread(s)), mean other time "
        f"**{cal['other_ms_mean']:.1f} ms** (slowest call {cal['duration_ms_max']:.0f} ms), "
        f"peak memory {cal['peak_memory_used_mb']} MB; timeout {w['timeout_s']} s. "
        "Predicted to fail: "
        + ("; ".join(f"{m} MB ({why})" for m, why in failing.items()) or "none")
        + ".",
        "",
        "| strategy | predicted (best; all within tolerance) | method | recommended | match "
        "| model regret | failed sizes | failed as predicted | invocations | exploration cost "
        "| cost / upstream's |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for strategy, cell in w["strategies"].items():
        predicted = f"{cell['predicted_best_mb']}; {_sizes(cell['predicted_mb'])}"
        for key, label in METHODS:
            lines.append(_cell_row(strategy, predicted, label, cell[key]))
            predicted = ""
    lines += [
        "",
        _single_line("Plain `powertune tune FN` (its default sizes, cost)", w["default_grid"]),
    ]
    if "issue9" in w:
        i9 = w["issue9"]
        lines += [
            "",
            _single_line("Issue 9's command", i9)
            + f"\n\nTarget (128 MB, no size failed) met: {_yes(i9['target_met'])}.",
        ]
    rows = w["measured_vs_model"]
    rows = w["measured_vs_model"]
    lines += [
        "",
        "The `--invocations 50` run's warm calls (50 per size), mean duration against the model:",
        "",
        "| MB | " + " | ".join(rows) + " |",
        "|---" * (len(rows) + 1) + "|",
        "| model, ms | " + " | ".join(f"{r['predicted_ms']:.0f}" for r in rows.values()) + " |",
        "| measured, ms | "
        + " | ".join(f"{r['measured_mean_ms']:.0f}" for r in rows.values())
        + " |",
        "| measured / model | " + " | ".join(f"{r['ratio']:.2f}" for r in rows.values()) + " |",
    ]
    clean = all(c["clean"] for c in w["left_behind_checks"].values())
    lines += [
        "",
        f"After every run: $LATEST memory back to 1769 MB, no versions or aliases left: "
        f"**{_yes(clean)}**.",
        "",
    ]
    return lines


def _ratio_line(title: str, r: dict[str, Any]) -> str:
    return (
        f"- {title}: geometric mean **{r['geometric_mean']:.3f}**, range "
        f"{r['min']:.3f}–{r['max']:.3f}; {r['cells_meeting_target']}/{r['cells']} at or below "
        f"{r['target_at_most']} (10× less)."
    )


def _summary(results: dict[str, Any]) -> list[str]:
    s = results["summary"]
    lines = [
        "| method | matches the model | within 5% of the model's best "
        "| failed sizes as predicted | recommends a failing size | no answer "
        "| invocations per run (mean) | exploration cost per run (mean) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = [*METHODS, ("default_grid", "plain `powertune tune` (default sizes, cost only)")]
    for key, label in rows:
        m = s[key]
        lines.append(
            f"| {label} | {m['matches']}/{m['cells']} | {m['regret_at_most_5pct']}/{m['cells']} "
            f"| {m['failed_as_predicted']}/{m['cells']} | {m['recommends_a_failing_size']} "
            f"| {m['no_answer']} | {m['invocations_per_run_mean']:.0f} "
            f"| {usd_text(m['cost_usd_per_run_mean'])} |"
        )
    lines += [
        "",
        _ratio_line(
            "Adaptive policy's exploration cost / upstream's protocol, per (workload, strategy)",
            s["cost_ratio_adaptive_to_upstream"],
        ),
        _ratio_line(
            "Plain `powertune tune` (cost) / upstream's protocol, per workload",
            s["cost_ratio_default_grid_to_upstream"],
        ),
        "",
        "| issue 9 target (local cloud) | met |",
        "|---|---|",
    ]
    lines += [f"| {k.replace('_', ' ')} | {_yes(v)} |" for k, v in s["targets"].items()]
    return lines


def render_markdown(results: dict[str, Any]) -> str:
    """The short human-readable results page."""
    lines = [
        "# Local-cloud decisions: results",
        "",
        run_line(results),
        "",
        f"Grid {_sizes(list(results['grid_mb']))} MB (upstream's protocol: "
        f"{len(results['grid_mb'])} sizes × num {results['upstream_num']}); "
        f"{results['region']} x86_64 prices ({results['price_usd_per_gb_second']} USD/GB-s, "
        f"{results['price_usd_per_request']} USD/request); balanced weight "
        f"{results['balanced_weight']}; sizes whose predicted objective is within "
        f"{results['tolerance']:.0%} of the best count as predicted; seed {results['seed']}.",
        "",
        "## Summary",
        "",
        *_summary(results),
        "",
        "Exploration cost: Σ over the method's invocations of powertune's exact cost (REPORT "
        "Billed Duration rounded up, request charge included); µ$ = 1e-6 USD. Upstream's "
        "protocol is one `--invocations 50` run per workload (its first 50 per size, the first "
        "cold), decided per strategy by `powertune analyze --compat aws-lambda-power-tuning`; "
        "the same run's records, all of them, decided by `powertune analyze`, are the third "
        "row. The adaptive policy runs once per strategy.",
        "",
        "## Per workload",
        "",
    ]
    for name, w in results["workloads"].items():
        lines += _workload_section(name, w)
    return "\n".join(lines).rstrip() + "\n"
