"""Read the `settings` block back: run keys, decision keys, and keys this version does not know.

A block missing some run (or decision) keys, as a hand-written file may be, keeps
those keys as they are in `extra` instead of being refused: `analyze` only
replaces the decision and carries everything else over.
"""

from __future__ import annotations

from typing import Any

from powertune.results.fields import Fields, architecture, strategy
from powertune.results.model import DecisionSettings, PriceTableProvenance, RunSettings, Settings
from powertune.tuning.recommend import PolicySummary

RUN_KEYS = (
    "memory_sizes",
    "architectures",
    "sampling",
    "seed",
    "payloads",
    "scratch_copy",
    "run_id",
    "original_memory_mb",
    "backend",
)
DECISION_KEYS = ("strategy", "allowed_errors", "compat", "price_table")


def _price_table(f: Fields) -> PriceTableProvenance:
    return PriceTableProvenance(
        source=f.text("source"),
        source_snapshot_date=f.text("source_snapshot_date", null=True),
        copied_on=f.text("copied_on", null=True),
        init_billed=f.value("init_billed", bool),
        currency=f.text("currency", default="USD"),
        ephemeral_storage_mb=f.integer("ephemeral_storage_mb", default=512),
        snapstart_restore_charged=f.value("snapstart_restore_charged", bool, default=False),
        region=f.text("region", null=True, default=None),
    )


def _decision(f: Fields) -> DecisionSettings:
    return DecisionSettings(
        strategy=strategy(f.mapping("strategy")),
        allowed_errors=tuple(f.texts("allowed_errors")),
        compat=f.text("compat", null=True),
        price_table=_price_table(f.mapping("price_table")),
        policy=None if "decision" not in f.data else PolicySummary.from_json(f.data["decision"]),
    )


def _run(f: Fields) -> RunSettings:
    sizes = f.value("memory_sizes", list)
    if not all(Fields.is_number(m) and isinstance(m, int) for m in sizes):
        raise f.invalid("memory_sizes", sizes, "a list of integers (MB)")
    archs = Fields({str(i): a for i, a in enumerate(f.texts("architectures"))}, "architectures.")
    backend = f.mapping("backend")
    return RunSettings(
        memory_sizes=tuple(sizes),
        architectures=tuple(architecture(archs, k) for k in archs.data),
        sampling=f.text("sampling"),
        seed=f.integer("seed", null=True),
        payloads=f.integer("payloads"),
        scratch_copy=f.value("scratch_copy", bool),
        run_id=f.text("run_id"),
        original_memory_mb=f.integer("original_memory_mb"),
        backend={k: backend.text(k) for k in backend.data},
    )


def settings_from_json(f: Fields) -> Settings:
    data = f.data
    has_run = all(k in data for k in RUN_KEYS)
    has_decision = all(k in data for k in DECISION_KEYS)
    known = {
        "reanalyzed_from",
        *(RUN_KEYS if has_run else ()),
        *((*DECISION_KEYS, "decision") if has_decision else ()),
    }
    extra: dict[str, Any] = {k: v for k, v in data.items() if k not in known}
    return Settings(
        decision=_decision(f) if has_decision else None,
        run=_run(f) if has_run else None,
        reanalyzed_from=f.text("reanalyzed_from", default=None),
        extra=extra,
    )
