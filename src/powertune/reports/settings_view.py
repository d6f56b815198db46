"""The settings of a run as (name, value) rows of text, for every report's settings table."""

from __future__ import annotations

from powertune.results.model import DecisionSettings, RunSettings, TuningResult


def _strategy(d: DecisionSettings) -> str:
    s = d.strategy
    text = s.name.value
    if s.name.value == "balanced":
        text += f" (weight {s.balanced_weight:g}: 0 = speed, 1 = cost)"
    if s.latency_budget_ms is not None:
        text += f" (p{s.latency_percentile} ≤ {s.latency_budget_ms:g} ms)"
    if s.cost_budget_usd is not None:
        text += f" (≤ {s.cost_budget_usd:g} per invocation)"
    return text


def _decision_rows(d: DecisionSettings) -> list[tuple[str, str]]:
    p = d.price_table
    rows = [
        ("strategy", _strategy(d)),
        ("allowed errors", ", ".join(d.allowed_errors) or "none"),
        ("compat mode", d.compat or "off"),
        ("prices", p.source),
        ("prices copied on", p.copied_on or "unknown"),
        ("price region", p.region or "not recorded"),
        ("currency", p.currency),
        ("init duration billed", "yes" if p.init_billed else "no"),
        ("ephemeral storage", f"{p.ephemeral_storage_mb} MB"),
    ]
    if d.policy is not None:
        rows += [
            ("decision method", d.policy.method.value),
            ("tolerance", f"{d.policy.tolerance:.1%}"),
            ("confidence", f"{d.policy.confidence:.0%}"),
        ]
    return rows


def _run_rows(r: RunSettings) -> list[tuple[str, str]]:
    return [
        ("memory sizes", ", ".join(f"{m} MB" for m in r.memory_sizes)),
        ("architectures", ", ".join(a.value for a in r.architectures)),
        ("sampling", r.sampling),
        ("seed", "none" if r.seed is None else str(r.seed)),
        ("payloads", str(r.payloads)),
        ("scratch copy", "yes" if r.scratch_copy else "no"),
        ("memory before the run", f"{r.original_memory_mb} MB"),
        ("run id", r.run_id),
        *((f"backend {k}", v) for k, v in sorted(r.backend.items())),
    ]


def settings_rows(result: TuningResult) -> tuple[tuple[str, str], ...]:
    """What was measured and how it was decided, in reading order."""
    rows: list[tuple[str, str]] = []
    if result.settings.run is not None:
        rows += _run_rows(result.settings.run)
    if result.settings.decision is not None:
        rows += _decision_rows(result.settings.decision)
    if result.settings.reanalyzed_from is not None:
        rows.append(("re-decided from", result.settings.reanalyzed_from))
    return tuple(rows)
