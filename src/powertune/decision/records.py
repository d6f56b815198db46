"""The audit trail's JSON forms: `decision-<ts>.json` and `apply-<ts>.json`. Pure.

Both carry `schema_version` and `kind` and are described by the JSON Schemas
next to this module (`decision.schema.json`, `apply.schema.json`). A rollback is
an apply record too (`action: rollback`) naming the record it reverts, so the
history alone tells what ran, in which order, and why.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from importlib import resources
from typing import Any

from powertune.decision.apply import Applied
from powertune.decision.figures import SizeFigures
from powertune.decision.policy import ChangeDecision
from powertune.errors import ConfigError

RECORD_VERSION = "1.0"
DECISION_KIND = "powertune-decision"
APPLY_KIND = "powertune-apply"


class Outcome(StrEnum):
    """How a decision ended."""

    APPLIED = "applied"
    NO_CHANGE = "no-change"
    DRY_RUN = "dry-run"
    DENIED = "denied"
    TIMED_OUT = "timed-out"
    #: only in the approval issue's body, while the gate waits (never in a decision file)
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class TfvarsWrite:
    """The Terraform write-back: which file, which variable, which value."""

    path: str
    variable: str
    value: int


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision as recorded: the policy's verdict, who decided, when, and what followed."""

    decision: ChangeDecision
    mode: str
    outcome: Outcome
    decided_by: str
    decided_at: datetime
    result_file: str
    apply_file: str | None = None
    terraform: TfvarsWrite | None = None
    #: the manual gate's record (issue, approvers, denial), once it exists
    approval: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ApplyRecord:
    """An apply (or a rollback) as recorded."""

    action: str  # "apply" | "rollback"
    applied: Applied
    region: str
    at: datetime
    by: str
    decision_file: str | None = None
    rolls_back: str | None = None
    terraform: TfvarsWrite | None = None


def decision_to_json(record: DecisionRecord) -> dict[str, Any]:
    d = record.decision
    return {
        "schema_version": RECORD_VERSION,
        "kind": DECISION_KIND,
        "decided_at": record.decided_at.isoformat(),
        "decided_by": record.decided_by,
        "mode": record.mode,
        "outcome": record.outcome.value,
        "result_file": record.result_file,
        "function_name": d.function_name,
        "function_arn": d.function_arn,
        "region": d.region,
        "strategy": {k: _plain(v) for k, v in asdict(d.strategy).items()},
        "change": d.change,
        "reasons": list(d.reasons),
        "current_memory_mb": d.current_memory_mb,
        "recorded_memory_mb": d.recorded_memory_mb,
        "recommended_memory_mb": d.recommended_memory_mb,
        "architecture": d.architecture.value,
        "forced": d.forced,
        "saving": {"objective": d.objective, "fraction": d.saving},
        "min_savings": d.options.min_savings,
        "monthly_invocations": d.options.monthly_invocations,
        "before": _figures(d.before),
        "after": _figures(d.after),
        "confidence": {
            "label": d.confidence.label,
            "level": d.confidence.level,
            "settled": d.confidence.settled,
            "cost_intervals_apart": d.confidence.cost_intervals_apart,
            "tied_with_mb": list(d.confidence.tied_with_mb),
        },
        "apply_file": record.apply_file,
        "terraform": None if record.terraform is None else asdict(record.terraform),
        "approval": record.approval,
    }


def apply_to_json(record: ApplyRecord) -> dict[str, Any]:
    a = record.applied
    return {
        "schema_version": RECORD_VERSION,
        "kind": APPLY_KIND,
        "action": record.action,
        "at": record.at.isoformat(),
        "by": record.by,
        "function_name": a.function_name,
        "function_arn": a.function_arn,
        "region": record.region,
        "before": {"memory_mb": a.memory_mb_before, "revision_id": a.revision_before},
        "after": {"memory_mb": a.memory_mb_after, "revision_id": a.revision_after},
        "alias": None
        if a.alias is None
        else {
            "name": a.alias,
            "version_before": a.alias_version_before,
            "version_after": a.alias_version_after,
            "published_version": a.published_version,
        },
        "decision_file": record.decision_file,
        "rolls_back": record.rolls_back,
        "terraform": None if record.terraform is None else asdict(record.terraform),
    }


def applied_from_json(doc: dict[str, Any], source: str) -> Applied:
    """The `Applied` of an apply record read back (for rollback); ConfigError if malformed."""
    try:
        if doc.get("kind") != APPLY_KIND:
            raise KeyError("kind")
        alias = doc.get("alias") or {}
        return Applied(
            function_name=str(doc["function_name"]),
            function_arn=str(doc["function_arn"]),
            memory_mb_before=int(doc["before"]["memory_mb"]),
            memory_mb_after=int(doc["after"]["memory_mb"]),
            revision_before=str(doc["before"].get("revision_id") or ""),
            revision_after=str(doc["after"].get("revision_id") or ""),
            alias=alias.get("name"),
            alias_version_before=alias.get("version_before"),
            alias_version_after=alias.get("version_after"),
            published_version=alias.get("published_version"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{source} is not an apply record of powertune ({exc}); remove it from the "
            "history folder or pass --history with the right folder"
        ) from exc


@functools.cache
def record_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of `decision` or `apply` records (package data)."""
    name = f"{kind}.schema.json"
    text = resources.files("powertune.decision").joinpath(name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _figures(f: SizeFigures | None) -> dict[str, Any] | None:
    if f is None:
        return None
    doc = {k: _plain(v) for k, v in asdict(f).items()}
    doc["cost_ci_usd"] = list(f.cost_ci_usd)
    return doc


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value
