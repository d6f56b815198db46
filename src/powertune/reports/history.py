"""The history index model: every run in `reports/history`, and per function its trend.

Input is the folder's files as read by storage (name, parsed JSON or why not);
nothing here touches the disk. Files of kinds this version does not know, and
files it cannot read, are listed with what is known about them, never dropped
and never fatal: the history outlives the tool's versions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from powertune.errors import PowertuneError
from powertune.reports.formatting import PER_MILLION, money
from powertune.reports.naming import ReportFormat, report_name
from powertune.results.reader import parse_result

_NAME = re.compile(
    r"^(?P<kind>[a-z][a-z-]*?)-(?P<stamp>(?P<ts>\d{8}T\d{6}Z)(?:-\d+)?)\.(?P<ext>[a-z0-9.]+)$"
)
#: the kinds of run a history holds, with the label the index gives them
KINDS = {
    "tuning": "tuning",
    "decision": "decision",
    "apply": "apply",
    "newman": "Newman",
    "loadtest": "load test",
    "fleet": "fleet",
}
#: files that belong to a run of another kind (its reports), not runs themselves
_COMPANIONS = {"power-tuner": "tuning", "memory-summary": "decision"}


class HistoryEntry(Protocol):
    """One file of the history (storage.reports.HistoryFile has this shape)."""

    @property
    def name(self) -> str: ...
    @property
    def document(self) -> Mapping[str, Any] | None: ...
    @property
    def problem(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Run:
    """One row of the index."""

    when: datetime | None
    stamp: str
    kind: str
    function: str
    summary: str
    #: (label, file name relative to the history folder)
    links: tuple[tuple[str, str], ...]
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    when: datetime | None
    stamp: str
    memory_mb: int | None
    cost_per_million: float | None
    currency: str
    report: str | None


@dataclass(frozen=True, slots=True)
class Index:
    history: str
    runs: tuple[Run, ...]
    trends: tuple[tuple[str, tuple[TrendPoint, ...]], ...]
    others: tuple[str, ...]


def _when(ts: str) -> datetime:
    return datetime.strptime(ts, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _function(doc: Mapping[str, Any] | None) -> str:
    if not doc:
        return "—"
    collection = doc.get("collection")
    if isinstance(collection, Mapping) and isinstance(collection.get("info"), Mapping):
        return str(collection["info"].get("name", "—"))  # Newman's JSON names its collection
    for key in ("function_arn", "function", "function_name", "FunctionName"):
        value = doc.get(key)
        if isinstance(value, str) and value:
            return value.rsplit(":function:", 1)[-1]
    return "—"


def _tuning(
    entry: HistoryEntry, stamp: str, names: set[str], folder: str = ""
) -> tuple[str, str | None, TrendPoint | None]:
    """(summary, problem, trend point) of a tuning result."""
    try:
        result = parse_result(entry.document or {})
    except PowertuneError as exc:
        return "unreadable result", str(exc), None
    rec = result.recommendation
    win = next((s for s in result.statistics if rec and s.configuration == rec.configuration), None)
    cost = None if win is None or win.mean_cost_usd is None else win.mean_cost_usd * PER_MILLION
    currency = (
        "USD" if result.settings.decision is None else result.settings.decision.price_table.currency
    )
    html = folder + report_name(stamp, ReportFormat.HTML)
    point = TrendPoint(
        _when(stamp[:16]),
        stamp,
        rec.memory_mb if rec else None,
        cost,
        currency,
        html if html in names else None,
    )
    if rec is None:
        return "no recommendation", None, point
    text = f"recommended {rec.memory_mb} MB {rec.architecture.value} ({rec.strategy.name.value})"
    return f"{text}, {money(cost, currency)} per 1M invocations", None, point


def _generic(doc: Mapping[str, Any] | None) -> str:
    """A line about a run of a kind whose format this version does not read in detail."""
    if not doc:
        return ""
    if doc.get("kind") == "fleet" and isinstance(doc.get("functions"), list):
        functions = [f for f in doc["functions"] if isinstance(f, Mapping)]
        statuses = [str(f.get("status")) for f in functions]
        failed = [str(f.get("function")) for f in functions if f.get("status") != "tuned"]
        tags = ", ".join(f"{k}={v}" for k, v in (doc.get("tags") or {}).items())
        said = f" (failed: {', '.join(failed)})" if failed else ""
        return (
            f"{tags}: {statuses.count('tuned')} of {len(statuses)} functions tuned{said}, "
            f"{doc.get('transitions', '?')} transitions"
        )
    run = doc.get("run")
    if isinstance(run, Mapping) and isinstance(run.get("stats"), Mapping):  # Newman's JSON
        stats = run["stats"]
        requests = (stats.get("requests") or {}).get("total", "?")
        failed = (stats.get("assertions") or {}).get("failed", "?")
        return f"{requests} requests, {failed} failed assertions"
    parts = [
        f"{k}: {doc[k]}"
        for k in ("outcome", "status", "action", "decision", "memory_mb")
        if isinstance(doc.get(k), str | int | float) and not isinstance(doc.get(k), bool)
    ]
    return ", ".join(parts)


_LABELS = {
    ("power-tuner", "html"): "report",
    ("power-tuner", "png"): "chart",
    ("power-tuner", "md"): "summary",
    ("power-tuner", "csv"): "samples",
    ("memory-summary", "md"): "summary",
    ("newman", "html"): "report",
    ("newman", "md"): "summary",
    ("newman", "xml"): "JUnit",
}


_ORDER = {"report": 0, "chart": 1, "summary": 2, "samples": 3}


def _label(name: str) -> str:
    """What a link opens: `report`, `chart`, ..., else the file's extension."""
    m = _NAME.match(name.rpartition("/")[2])
    if m is None:
        return name
    return _LABELS.get((m.group("kind"), m.group("ext")), m.group("ext"))


def build_index(files: Sequence[HistoryEntry], history: str = "history") -> Index:
    """The index of a history folder's files; links are relative to the index's folder."""
    names = {f.name for f in files}
    # a fleet writes each function's files in a folder of its own (`<function>/`): runs
    # are grouped by folder too, as two functions' files often share a stamp
    groups: dict[tuple[str, str, str], list[HistoryEntry]] = {}
    others: list[str] = []
    for f in files:
        folder, _, base = f.name.rpartition("/")
        m = _NAME.match(base)
        kind = None if m is None else _COMPANIONS.get(m.group("kind"), m.group("kind"))
        if m is None or kind not in KINDS:
            others.append(f.name)
            continue
        groups.setdefault((kind, m.group("stamp"), folder), []).append(f)
    runs: list[Run] = []
    trends: dict[str, list[TrendPoint]] = {}
    for (kind, stamp, folder), entries in groups.items():
        main = next((e for e in entries if e.name.endswith(".json")), entries[0])
        summary, problem = _generic(main.document), main.problem
        if kind == "tuning" and main.document is not None:
            prefix = f"{folder}/" if folder else ""
            summary, problem, point = _tuning(main, stamp, names, prefix)
            if point is not None:
                trends.setdefault(_function(main.document), []).append(point)
        links = tuple(
            (_label(e.name), f"{history}/{e.name}")
            for e in sorted(entries, key=lambda e: (_ORDER.get(_label(e.name), 9), e.name))
        )
        runs.append(
            Run(
                _when(stamp[:16]),
                stamp,
                KINDS[kind],
                _function(main.document),
                summary,
                links,
                problem,
            )
        )
    runs.sort(key=lambda r: (r.stamp, r.kind), reverse=True)
    return Index(
        history=history,
        runs=tuple(runs),
        trends=tuple(
            (fn, tuple(sorted(ps, key=lambda p: p.stamp))) for fn, ps in sorted(trends.items())
        ),
        others=tuple(sorted(others)),
    )
