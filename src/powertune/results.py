"""The tuning result file: build it from a run and an analysis, and read records back.

The top level keeps the keys existing scripts read from AWS Lambda Power Tuning
(`power`, `cost`, `duration`, `stateMachine.{executionCost,lambdaCost,visualization}`,
`stats`) and adds ours; docs/result-format.md says what each means. The format
is published as a JSON Schema (`powertune/schemas/tuning-result.schema.json`)
and every file carries `schema_version`.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import fastjsonschema

from powertune import __version__
from powertune.errors import ConfigError
from powertune.tuning.analysis import group_records
from powertune.tuning.compat.visualization import build_visualization_url
from powertune.tuning.models import (
    Analysis,
    Architecture,
    ConfigurationStats,
    InvocationRecord,
)
from powertune.tuning.pricing import PriceRate, invocation_cost_usd

SCHEMA_VERSION = "1.0"
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


def _finite(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else x


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()


def record_to_json(r: InvocationRecord) -> dict[str, Any]:
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


def record_from_json(d: Mapping[str, Any], index: int) -> InvocationRecord:
    try:
        return InvocationRecord(
            memory_mb=int(d["memory_mb"]),
            architecture=Architecture(d.get("architecture", "x86_64")),
            payload_index=int(d.get("payload_index", 0)),
            duration_ms=float(d["duration_ms"]),
            billed_duration_ms=int(d["billed_duration_ms"]),
            init_duration_ms=d.get("init_duration_ms"),
            restore_duration_ms=d.get("restore_duration_ms"),
            billed_restore_duration_ms=d.get("billed_restore_duration_ms"),
            max_memory_used_mb=d.get("max_memory_used_mb"),
            error_type=d.get("error_type"),
            sequence=int(d.get("sequence", index)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"invocation record #{index} is malformed ({exc!r}); each record needs memory_mb, "
            "duration_ms and billed_duration_ms (see docs/result-format.md)"
        ) from exc


def _stats_to_json(s: ConfigurationStats) -> dict[str, Any]:
    return {
        "memory_mb": s.configuration.memory_mb,
        "architecture": s.configuration.architecture.value,
        "warm_samples": s.samples,
        "cold_samples": s.cold_samples,
        "failed_samples": s.failed_samples,
        "mean_duration_ms": _finite(s.mean_duration_ms),
        "stdev_duration_ms": _finite(s.stdev_duration_ms),
        "mean_billed_duration_ms": _finite(s.mean_billed_duration_ms),
        "p50_duration_ms": _finite(s.p50_duration_ms),
        "p90_duration_ms": s.p90_duration_ms,
        "p99_duration_ms": s.p99_duration_ms,
        "duration_ci_ms": [_finite(s.duration_ci.low), _finite(s.duration_ci.high)],
        "mean_cost_usd": _finite(s.mean_cost_usd),
        "cost_ci_usd": [_finite(s.cost_ci.low), _finite(s.cost_ci.high)],
        "confidence_level": s.duration_ci.level,
        "mean_init_duration_ms": s.mean_init_duration_ms,
        "max_memory_used_mb": s.max_memory_used_mb,
        "failure": s.failure,
    }


def build_document(
    *,
    function_arn: str,
    region: str,
    records: Sequence[InvocationRecord],
    analysis: Analysis,
    rate_for: Any,
    settings: Mapping[str, Any],
    compat: Mapping[str, Any] | None = None,
    events: Sequence[Mapping[str, Any]] = (),
    warnings: Sequence[str] = (),
    started_at: float | None = None,
    finished_at: float | None = None,
    synthetic: bool = False,
) -> dict[str, Any]:
    """The whole result file as a JSON-ready dict (NaN never appears: it becomes null)."""
    rec = analysis.recommendation
    winner_stats = next(
        (s for s in analysis.stats if rec is not None and s.configuration == rec.configuration),
        None,
    )
    lambda_cost = 0.0
    for configuration, group in group_records(records).items():
        rate: PriceRate = rate_for(configuration.architecture)
        lambda_cost += sum(
            invocation_cost_usd(r.billed_duration_ms, configuration.memory_mb, rate) for r in group
        )
    arch = rec.configuration.architecture if rec else Architecture.X86_64
    shown = sorted(
        (s for s in analysis.stats if s.configuration.architecture is arch and s.samples > 0),
        key=lambda s: s.configuration.memory_mb,
    )
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "power": rec.configuration.memory_mb if rec else None,
        "cost": _finite(winner_stats.mean_cost_usd) if winner_stats else None,
        "duration": _finite(winner_stats.mean_duration_ms) if winner_stats else None,
        "architecture": arch.value if rec else None,
        "stateMachine": {
            "executionCost": 0,
            "lambdaCost": lambda_cost,
            "visualization": build_visualization_url(
                [s.configuration.memory_mb for s in shown],
                [s.mean_duration_ms for s in shown],
                [s.mean_cost_usd for s in shown],
                cny=region.startswith("cn-"),
            )
            if shown
            else None,
        },
        "stats": [
            {
                "value": s.configuration.memory_mb,
                "averagePrice": s.mean_cost_usd,
                "averageDuration": s.mean_duration_ms,
            }
            for s in shown
        ],
        "function_arn": function_arn,
        "region": region,
        "generated_by": f"powertune {__version__}",
        "synthetic": synthetic,
        "started_at": _iso(started_at),
        "finished_at": _iso(finished_at),
        "settings": dict(settings),
        "recommendation": None
        if rec is None
        else {
            "memory_mb": rec.configuration.memory_mb,
            "architecture": rec.configuration.architecture.value,
            "strategy": {**asdict(rec.strategy), "name": rec.strategy.name.value},
            "reasons": list(rec.reasons),
            "tied_with": [
                {"memory_mb": c.memory_mb, "architecture": c.architecture.value}
                for c in rec.tied_with
            ],
        },
        "statistics": [_stats_to_json(s) for s in analysis.stats],
        "failed": [_stats_to_json(s) for s in analysis.failed],
        "cold_starts": [
            {
                "memory_mb": c.configuration.memory_mb,
                "architecture": c.configuration.architecture.value,
                "samples": c.samples,
                "mean_init_duration_ms": c.mean_init_duration_ms,
                "mean_total_duration_ms": c.mean_total_duration_ms,
                "mean_cost_usd": c.mean_cost_usd,
                "init_billed": c.init_billed,
            }
            for c in analysis.cold_starts
        ],
        "sampling_events": list(events),
        "warnings": list(warnings),
        "invocations": [record_to_json(r) for r in records],
    }
    if compat is not None:
        # Compatibility mode: upstream's exact numbers at the top level, ours kept beside.
        doc["powertune"] = {
            k: doc[k] for k in ("power", "cost", "duration", "stateMachine", "stats")
        }
        doc.update({k: compat[k] for k in ("power", "cost", "duration", "stateMachine", "stats")})
    return doc


@functools.cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of result files."""
    text = (
        resources.files("powertune.schemas")
        .joinpath("tuning-result.schema.json")
        .read_text(encoding="utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _validator(input_only: bool) -> Any:
    # fastjsonschema compiles the schema to Python: ~40x faster than jsonschema on
    # 100,000 records (benchmarks/analyze_speed), which keeps `analyze` cheap.
    sch = schema()
    if input_only:
        sch = {**sch, "required": ["function_arn", "region", "invocations"]}
    return fastjsonschema.compile(sch)


def validate_document(doc: Mapping[str, Any], *, input_only: bool = False) -> None:
    """Validate a full result (or, with `input_only`, what `analyze` needs)."""
    try:
        _validator(input_only)(doc)
    except fastjsonschema.JsonSchemaValueException as exc:
        where = (exc.name or "data").removeprefix("data").lstrip(".") or "(top level)"
        raise ConfigError(
            f"result file does not match schema {SCHEMA_VERSION} at {where}: {exc.message}"
        ) from exc


def read_records(doc: Mapping[str, Any]) -> tuple[str, str, list[InvocationRecord]]:
    """function_arn, region and records of a result (or minimal input) document."""
    validate_document(doc, input_only=True)
    records = [record_from_json(r, i) for i, r in enumerate(doc["invocations"])]
    return str(doc["function_arn"]), str(doc["region"]), records
