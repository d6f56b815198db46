"""The JSON form of a TuningResult: exactly the result file's keys, order and values.

docs/result-format.md describes the keys; `schema.py` publishes them as a JSON
Schema. The top level keeps AWS Lambda Power Tuning's keys first (`power`,
`cost`, `duration`, `stateMachine`, `stats`); in compat mode upstream's numbers
take them and ours move under `powertune`, last in the file.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from powertune.results.model import (
    ColdStart,
    PriceTableProvenance,
    RecommendedSize,
    SamplingStep,
    Settings,
    SizeStatistics,
    TuningResult,
    UpstreamFigures,
)
from powertune.tuning.models import InvocationRecord, StrategySpec

RECORD_FIELDS = (
    "memory_mb",
    "architecture",
    "payload_index",
    "duration_ms",
    "billed_duration_ms",
    "init_duration_ms",
    "restore_duration_ms",
    "billed_restore_duration_ms",
    "max_memory_used_mb",
    "error_type",
    "cold_start",
    "sequence",
)
UPSTREAM_KEYS = ("power", "cost", "duration", "stateMachine", "stats")


def record_to_json(r: InvocationRecord) -> dict[str, Any]:
    """One raw record (`invocations[]`), with `cold_start` spelled out for readers."""
    return {
        "memory_mb": r.memory_mb,
        "architecture": r.architecture.value,
        "payload_index": r.payload_index,
        "duration_ms": r.duration_ms,
        "billed_duration_ms": r.billed_duration_ms,
        "init_duration_ms": r.init_duration_ms,
        "restore_duration_ms": r.restore_duration_ms,
        "billed_restore_duration_ms": r.billed_restore_duration_ms,
        "max_memory_used_mb": r.max_memory_used_mb,
        "error_type": r.error_type,
        "cold_start": r.cold_start,
        "sequence": r.sequence,
    }


def _asdict_omitting(obj: Any, *optional: str) -> dict[str, Any]:
    """`asdict(obj)` without the 1.1 keys that are None, so older files round-trip exactly."""
    return {k: v for k, v in asdict(obj).items() if k not in optional or v is not None}


def price_table_to_json(p: PriceTableProvenance) -> dict[str, Any]:
    """`settings.price_table`: provenance, then the 1.1 billing facts (region when known)."""
    return _asdict_omitting(p, "region")


def strategy_to_json(spec: StrategySpec) -> dict[str, Any]:
    return {**asdict(spec), "name": spec.name.value}


def figures_to_json(f: UpstreamFigures) -> dict[str, Any]:
    return {
        "power": f.power_mb,
        "cost": f.cost_usd,
        "duration": f.duration_ms,
        "stateMachine": {
            "executionCost": f.state_machine.execution_cost_usd,
            "lambdaCost": f.state_machine.lambda_cost_usd,
            "visualization": f.state_machine.visualization_url,
        },
        "stats": [
            {
                "value": s.value,
                "averagePrice": s.average_price_usd,
                "averageDuration": s.average_duration_ms,
            }
            for s in f.stats
        ],
    }


def settings_to_json(s: Settings) -> dict[str, Any]:
    """Run keys and decision keys interleaved in the order `tune` has always written them."""
    d = s.decision
    decision = (
        {}
        if d is None
        else {
            "strategy": strategy_to_json(d.strategy),
            "allowed_errors": list(d.allowed_errors),
            "compat": d.compat,
            "price_table": price_table_to_json(d.price_table),
            **({} if d.policy is None else {"decision": d.policy.to_json()}),
        }
    )
    out: dict[str, Any]
    if s.run is None:
        out = {
            **s.extra,
            **_pick(decision, "strategy", "compat", "allowed_errors", "price_table", "decision"),
        }
    else:
        r = s.run
        out = {
            "memory_sizes": list(r.memory_sizes),
            "architectures": [a.value for a in r.architectures],
            **_pick(decision, "strategy"),
            "sampling": r.sampling,
            "seed": r.seed,
            "payloads": r.payloads,
            **_pick(decision, "allowed_errors"),
            "scratch_copy": r.scratch_copy,
            **_pick(decision, "compat"),
            "run_id": r.run_id,
            "original_memory_mb": r.original_memory_mb,
            **_pick(decision, "price_table"),
            "backend": dict(r.backend),
            **_pick(decision, "decision"),
            **s.extra,
        }
    if s.reanalyzed_from is not None:
        out["reanalyzed_from"] = s.reanalyzed_from
    return out


def _pick(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: d[k] for k in keys if k in d}


def statistics_to_json(s: SizeStatistics) -> dict[str, Any]:
    return {
        "memory_mb": s.memory_mb,
        "architecture": s.architecture.value,
        "warm_samples": s.warm_samples,
        "cold_samples": s.cold_samples,
        "failed_samples": s.failed_samples,
        "mean_duration_ms": s.mean_duration_ms,
        "stdev_duration_ms": s.stdev_duration_ms,
        "mean_billed_duration_ms": s.mean_billed_duration_ms,
        "p50_duration_ms": s.p50_duration_ms,
        "p90_duration_ms": s.p90_duration_ms,
        "p99_duration_ms": s.p99_duration_ms,
        "duration_ci_ms": list(s.duration_ci_ms),
        "mean_cost_usd": s.mean_cost_usd,
        "cost_ci_usd": list(s.cost_ci_usd),
        "confidence_level": s.confidence_level,
        "mean_init_duration_ms": s.mean_init_duration_ms,
        "max_memory_used_mb": s.max_memory_used_mb,
        "failure": s.failure,
    }


def _cold_start_to_json(c: ColdStart) -> dict[str, Any]:
    return {**asdict(c), "architecture": c.architecture.value}


def _recommendation_to_json(rec: RecommendedSize | None) -> dict[str, Any] | None:
    if rec is None:
        return None
    return {
        "memory_mb": rec.memory_mb,
        "architecture": rec.architecture.value,
        "strategy": strategy_to_json(rec.strategy),
        "reasons": list(rec.reasons),
        "tied_with": [
            {"memory_mb": c.memory_mb, "architecture": c.architecture.value} for c in rec.tied_with
        ],
        "settled": rec.settled,
        "more_invocations": rec.more_invocations,
    }


def _step_to_json(step: SamplingStep) -> dict[str, Any]:
    """One sampling step; `reason` only on drops (files before 1.1 have none)."""
    return _asdict_omitting(step, "reason")


def to_json(result: TuningResult) -> dict[str, Any]:
    """The result file's document (NaN never appears: the builder turned it into None)."""
    top = result.compat_figures or result.figures
    rec = result.recommendation
    doc: dict[str, Any] = {}
    if result.schema_version is not None:
        doc["schema_version"] = result.schema_version
    if top is not None:
        upstream = figures_to_json(top)
        doc.update(_pick(upstream, "power", "cost", "duration"))
        doc["architecture"] = rec.architecture.value if rec else None
        doc.update(_pick(upstream, "stateMachine", "stats"))
    doc.update(
        {
            "function_arn": result.function_arn,
            "region": result.region,
            "generated_by": result.generated_by,
            "synthetic": result.synthetic,
            "started_at": None if result.started_at is None else result.started_at.isoformat(),
            "finished_at": None if result.finished_at is None else result.finished_at.isoformat(),
            "settings": settings_to_json(result.settings),
            "recommendation": _recommendation_to_json(rec),
            "statistics": [statistics_to_json(s) for s in result.statistics],
            "failed": [statistics_to_json(s) for s in result.failed],
            "cold_starts": [_cold_start_to_json(c) for c in result.cold_starts],
            "sampling_events": [_step_to_json(e) for e in result.sampling_events],
            "warnings": list(result.warnings),
            "invocations": [record_to_json(r) for r in result.invocations],
        }
    )
    if result.compat_figures is not None and result.figures is not None:
        doc["powertune"] = figures_to_json(result.figures)
    return doc
