"""Turn a result document back into a TuningResult, whatever version of powertune wrote it.

Accepted: every `schema_version` 1.x (minor versions only add keys), and a file
holding only `function_arn`, `region` and `invocations` (no `schema_version`),
which parses to an unanalysed result. Every error names the key at fault and
the fix. Values are kept as written (an integer stays an integer), so
`to_json(parse_result(doc)) == doc` for every file powertune wrote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from powertune.results import settings_reader as settings
from powertune.results.fields import (
    Fields,
    ResultFormatError,
    architecture,
    configuration,
    strategy,
)
from powertune.results.model import (
    SCHEMA_VERSION,
    ColdStart,
    PowerStat,
    RecommendedSize,
    SamplingStep,
    SizeStatistics,
    StateMachineCost,
    TuningResult,
    UpstreamFigures,
)
from powertune.results.schema import validate_document
from powertune.tuning.models import Architecture, InvocationRecord

_READABLE_VERSION = re.compile(r"1\.[0-9]+")


def record_from_json(d: Mapping[str, Any], index: int) -> InvocationRecord:
    """One raw record; only memory_mb, duration_ms and billed_duration_ms are required."""
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
        raise ResultFormatError(
            f"invocations[{index}]",
            f"invocation record #{index} is malformed ({exc!r}); each record needs memory_mb, "
            "duration_ms and billed_duration_ms (see docs/result-format.md)",
        ) from exc


def figures_from_json(d: Mapping[str, Any], where: str = "") -> UpstreamFigures:
    """The Power Tuning keys (`power` ... `stats`) of a document or of a compat analysis."""
    f = Fields(d, where)
    sm = f.mapping("stateMachine")
    return UpstreamFigures(
        power_mb=f.integer("power", null=True),
        cost_usd=f.number("cost", null=True),
        duration_ms=f.number("duration", null=True),
        state_machine=StateMachineCost(
            execution_cost_usd=sm.number("executionCost"),
            lambda_cost_usd=sm.number("lambdaCost"),
            visualization_url=sm.text("visualization", null=True),
        ),
        stats=tuple(
            PowerStat(
                value=s.value("value", (int, str)),
                average_price_usd=s.number("averagePrice"),
                average_duration_ms=s.number("averageDuration"),
            )
            for s in f.items("stats")
        ),
    )


def _interval(f: Fields, key: str) -> tuple[float | None, float | None]:
    pair = f.value(key, list, default=[None, None])
    if len(pair) != 2 or not all(v is None or Fields.is_number(v) for v in pair):
        raise f.invalid(key, pair, "a [low, high] pair of numbers or nulls")
    return (pair[0], pair[1])


def statistics_from_json(f: Fields) -> SizeStatistics:
    return SizeStatistics(
        memory_mb=f.integer("memory_mb"),
        architecture=architecture(f, "architecture"),
        warm_samples=f.integer("warm_samples"),
        mean_duration_ms=f.number("mean_duration_ms", null=True),
        mean_cost_usd=f.number("mean_cost_usd", null=True),
        failure=f.text("failure", null=True),
        cold_samples=f.integer("cold_samples", default=0),
        failed_samples=f.integer("failed_samples", default=0),
        stdev_duration_ms=f.number("stdev_duration_ms", null=True, default=None),
        mean_billed_duration_ms=f.number("mean_billed_duration_ms", null=True, default=None),
        p50_duration_ms=f.number("p50_duration_ms", null=True, default=None),
        p90_duration_ms=f.number("p90_duration_ms", null=True, default=None),
        p99_duration_ms=f.number("p99_duration_ms", null=True, default=None),
        duration_ci_ms=_interval(f, "duration_ci_ms"),
        cost_ci_usd=_interval(f, "cost_ci_usd"),
        confidence_level=f.number("confidence_level", null=True, default=None),
        mean_init_duration_ms=f.number("mean_init_duration_ms", null=True, default=None),
        max_memory_used_mb=f.integer("max_memory_used_mb", null=True, default=None),
    )


def _cold_start(f: Fields) -> ColdStart:
    return ColdStart(
        memory_mb=f.integer("memory_mb"),
        architecture=architecture(f, "architecture"),
        samples=f.integer("samples"),
        mean_init_duration_ms=f.number("mean_init_duration_ms"),
        mean_total_duration_ms=f.number("mean_total_duration_ms"),
        mean_cost_usd=f.number("mean_cost_usd"),
        init_billed=f.value("init_billed", bool),
    )


def _recommendation(f: Fields | None) -> RecommendedSize | None:
    if f is None:
        return None
    return RecommendedSize(
        memory_mb=f.integer("memory_mb"),
        architecture=architecture(f, "architecture"),
        strategy=strategy(f.mapping("strategy")),
        reasons=tuple(f.texts("reasons")),
        tied_with=tuple(configuration(t) for t in f.items("tied_with")),
        settled=f.value("settled", bool, default=True),
        more_invocations=f.integer("more_invocations", null=True, default=None),
    )


def _step(f: Fields) -> SamplingStep:
    return SamplingStep(
        after_invocations=f.integer("after_invocations"),
        action=f.text("action"),
        message=f.text("message"),
        configuration=f.text("configuration", null=True, default=None),
        reason=f.text("reason", null=True, default=None),
    )


def _time(f: Fields, key: str) -> datetime | None:
    text = f.text(key, null=True, default=None)
    try:
        return None if text is None else datetime.fromisoformat(text)
    except ValueError:
        raise f.invalid(key, text, "an ISO 8601 time such as 2026-12-01T10:00:00+00:00") from None


def _check_version(doc: Mapping[str, Any]) -> None:
    version = doc.get("schema_version")
    # A non-string is the schema's to report; a string outside 1.x is a newer format.
    if isinstance(version, str) and not _READABLE_VERSION.fullmatch(version):
        raise ResultFormatError(
            "schema_version",
            f"schema_version {version!r} is not one this powertune reads (1.x): the file "
            "was written by a newer powertune; upgrade powertune to read it",
        )


def _current_or_newer(version: str | None) -> str | None:
    """An older 1.x reads as this 1.x (its keys get their defaults); a newer one stays itself."""
    if version is None:
        return None
    minor = int(version.split(".")[1])
    return version if minor > int(SCHEMA_VERSION.split(".")[1]) else SCHEMA_VERSION


def parse_result(doc: Mapping[str, Any]) -> TuningResult:
    """The typed result of a document (a full result, or just function_arn/region/invocations)."""
    _check_version(doc)
    validate_document(doc, input_only=True)
    f = Fields(doc)
    compat = "powertune" in doc
    ours = f.mapping("powertune") if compat else f
    return TuningResult(
        function_arn=f.text("function_arn"),
        region=f.text("region"),
        invocations=tuple(record_from_json(r, i) for i, r in enumerate(doc["invocations"])),
        settings=settings.settings_from_json(f.mapping("settings", default={})),
        # A 1.x file reads as the current 1.x: minor versions only add keys, each with a
        # default that is what the older file meant (USD, 512 MB of /tmp, ...).
        schema_version=_current_or_newer(f.text("schema_version", null=True, default=None)),
        figures=figures_from_json(ours.data, ours.where) if "stateMachine" in ours.data else None,
        compat_figures=figures_from_json(doc) if compat else None,
        recommendation=_recommendation(f.mapping("recommendation", null=True, default=None)),
        statistics=tuple(statistics_from_json(s) for s in f.items("statistics", default=[])),
        failed=tuple(statistics_from_json(s) for s in f.items("failed", default=[])),
        cold_starts=tuple(_cold_start(c) for c in f.items("cold_starts", default=[])),
        sampling_events=tuple(_step(e) for e in f.items("sampling_events", default=[])),
        warnings=tuple(f.texts("warnings", default=[])),
        generated_by=f.text("generated_by", null=True, default=None),
        synthetic=f.value("synthetic", bool, default=False),
        started_at=_time(f, "started_at"),
        finished_at=_time(f, "finished_at"),
    )
