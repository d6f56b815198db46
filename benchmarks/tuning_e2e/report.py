"""results.md for the end-to-end tuning benchmark, rendered from results.json's content."""

from __future__ import annotations

from typing import Any

METHODS = (
    ("adaptive", "powertune, adaptive (default)"),
    ("fixed10", "powertune, `--invocations 10`"),
    ("upstream_num10", "upstream's algorithm, num 10"),
)


def sizes_text(sizes: list[int]) -> str:
    return ", ".join(str(m) for m in sizes)


def usd_text(value: float) -> str:
    return f"{value * 1e6:.1f} µ$"


def run_line(results: dict[str, Any]) -> str:
    """The run's date, command, length, CPU control and the host's load before and after."""
    env = results["environment"]
    return (
        f"Run {results['date']}: `{results['command'].strip()}`, "
        f"{results['total_wall_s'] / 60:.1f} min in total; cpu_control {env['cpu_control']}, "
        f"Python {env['python_version']}, {env['host_cpus']} host CPUs shared with other work "
        f"(1-minute load {env['load_average_1m_before']:.1f} before, "
        f"{env['load_average_1m_after']:.1f} after)."
    )


def _handler_table(name: str, h: dict[str, Any]) -> list[str]:
    inputs = h["model_inputs"]
    lines = [
        f"### {name}: {h['description']}",
        "",
        f"Model inputs measured at 1,769 MB ({inputs['warm_invocations']} warm invocations): "
        f"CPU work **{inputs['cpu_ms_at_one_vcpu']:.1f} ms**, other time "
        f"**{inputs['other_ms']:.1f} ms** (median REPORT Duration "
        f"{inputs['duration_ms_median']:.1f} ms).",
        "",
        "| strategy | predicted (best; all within tolerance) | method | recommended | match "
        "| invocations | exploration cost | Σ invocation time | wall |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for strategy, cell in h["strategies"].items():
        predicted = f"{cell['predicted_best_mb']}; {sizes_text(cell['predicted_mb'])}"
        for key, label in METHODS:
            m = cell[key]
            wall = f"{m['wall_s']:.0f} s" if m["wall_s"] is not None else "(subset of fixed)"
            lines.append(
                f"| {strategy} | {predicted} | {label} | {m['recommended_mb']} "
                f"| {'yes' if m['matches'] else '**no**'} | {m['invocations']} "
                f"| {usd_text(m['cost_usd'])} | {m['invocation_time_s']:.1f} s | {wall} |"
            )
            predicted = ""
    sizes = list(h["measured_vs_model"])
    rows = h["measured_vs_model"]
    lines += [
        "",
        "Fixed run, median warm duration per size against the model:",
        "",
        "| MB | " + " | ".join(sizes) + " |",
        "|---" * (len(sizes) + 1) + "|",
        "| model, ms | " + " | ".join(f"{rows[m]['predicted_ms']:.0f}" for m in sizes) + " |",
        "| measured, ms | "
        + " | ".join(f"{rows[m]['measured_median_ms']:.0f}" for m in sizes)
        + " |",
        "| measured / model | " + " | ".join(f"{rows[m]['ratio']:.2f}" for m in sizes) + " |",
    ]
    clean = all(c["clean"] for c in h["left_behind_checks"].values())
    lines += [
        "",
        f"After every run: $LATEST memory back to 1769 MB, no versions or aliases left: "
        f"**{'yes' if clean else 'NO'}**. Replay trace: `{h['trace_file']}`.",
        "",
    ]
    return lines


def render_markdown(results: dict[str, Any]) -> str:
    """The short human-readable results page."""
    s = results["summary"]
    lines = [
        "# End-to-end tuning on the local cloud: results",
        "",
        run_line(results),
        "",
        f"Grid {sizes_text(list(results['grid_mb']))} MB; {results['region']} x86_64 prices "
        f"({results['price_usd_per_gb_second']} USD/GB-s, {results['price_usd_per_request']} "
        f"USD/request); balanced weight {results['balanced_weight']}; sizes whose predicted "
        f"objective is within {results['tolerance']:.0%} of the best count as predicted.",
        "",
        "## Summary",
        "",
        "| method | matches the model | of which cells where the model allows ≤ 2 sizes "
        "| invocations per run (mean) | exploration cost per run (mean, powertune prices) |",
        "|---|---|---|---|---|",
    ]
    for key, label in METHODS:
        m = s[key]
        lines.append(
            f"| {label} | {m['matches']}/{m['cells']} | {m['narrow_matches']}/{m['narrow_cells']} "
            f"| {m['invocations_per_run_mean']:.0f} "
            f"| {usd_text(m['cost_usd_per_run_mean'])} |"
        )
    lines += [
        "",
        "The adaptive policy runs once per strategy; the fixed run is one run per handler "
        "re-decided per strategy with `powertune analyze`, and upstream's algorithm is "
        "`powertune analyze --compat aws-lambda-power-tuning` on that run's first "
        f"{results['upstream_num']} invocations per size (what upstream's num "
        f"{results['upstream_num']} spends: num serial invocations per fresh version, the first "
        "cold). Exploration cost is Σ over the method's invocations of powertune's exact cost "
        "(REPORT Billed Duration rounded up, request charge included); µ$ = 1e-6 USD. "
        "Σ invocation time adds Duration and Init Duration of those invocations; wall time is "
        "the `powertune tune` process, control-plane calls included.",
        "",
        "## Per handler",
        "",
    ]
    for name, h in results["handlers"].items():
        lines += _handler_table(name, h)
    return "\n".join(lines).rstrip() + "\n"
