"""The run ledger: the one record of every change a run makes to a function.

An entry is written *before* its change is attempted (status INTENDED) and marked
DONE once the call returned, so after a crash or a kill an INTENDED entry means
"this may or may not have landed": `undo` (tuning/undo.py) finds out. Each entry
holds the state before the change and the RevisionIds seen, so undo can tell our
own change from someone else's deploy and leave theirs alone.

The ledger is JSON-able (`to_dict` / `from_dict`) so it can be journaled to disk or
carried in a Step Functions execution's state. Persistence is one callback,
`on_change(ledger)`, called before every change and after every undo step.
Pure: no I/O here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from enum import Enum
from typing import Any

from powertune.tuning.models import Architecture
from powertune.tuning.plan import version_description_prefix
from powertune.tuning.ports import FunctionConfig

LEDGER_FORMAT = 1


class ChangeKind(Enum):
    """What one entry changed."""

    #: `$LATEST`'s memory/architecture set to (memory_mb, architecture)
    LATEST_UPDATED = "latest_updated"
    #: a version published from `$LATEST` (its number, once known, in `version`)
    VERSION_PUBLISHED = "version_published"
    #: an alias created, pointing at `version`
    ALIAS_CREATED = "alias_created"
    #: an existing alias moved from `version_before` to `version`
    ALIAS_MOVED = "alias_moved"
    #: a whole (scratch) function created
    FUNCTION_CREATED = "function_created"


class Status(Enum):
    """Where one change stands."""

    #: written before the call: it may have landed or not
    INTENDED = "intended"
    #: the call returned: the change is in place
    DONE = "done"
    #: reverted (or found never to have landed)
    UNDONE = "undone"
    #: someone else changed the resource since; it is theirs now and stays as is
    LEFT = "left"


PENDING = frozenset({Status.INTENDED, Status.DONE})


@dataclass(frozen=True, slots=True)
class Change:
    """One change to one function; which fields matter depends on `kind`.

    LATEST_UPDATED: memory_mb/architecture (attempted), memory_mb_before/
    architecture_before, code_sha256 (the code `$LATEST` had, so our own change can
    be recognised), revision_before/revision_after (`$LATEST`'s RevisionIds).
    VERSION_PUBLISHED: description, version (once known), owned (False when Lambda
    returned an existing version, which is never deleted), revision_after.
    ALIAS_CREATED / ALIAS_MOVED: alias, version, version_before (moved only),
    revision_before/revision_after (the alias's RevisionIds).
    """

    kind: ChangeKind
    function_name: str
    status: Status = Status.INTENDED
    memory_mb: int | None = None
    architecture: Architecture | None = None
    memory_mb_before: int | None = None
    architecture_before: Architecture | None = None
    code_sha256: str | None = None
    revision_before: str | None = None
    revision_after: str | None = None
    description: str | None = None
    version: str | None = None
    version_before: str | None = None
    alias: str | None = None
    owned: bool = True

    @property
    def pending(self) -> bool:
        """Still to be undone (or found out about)."""
        return self.status in PENDING

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        for key in ("kind", "status", "architecture", "architecture_before"):
            value = getattr(self, key)
            doc[key] = None if value is None else value.value
        return {k: v for k, v in doc.items() if v is not None}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Change:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in doc.items() if k in known}
        values["kind"] = ChangeKind(doc["kind"])
        values["status"] = Status(doc.get("status", Status.INTENDED.value))
        for key in ("architecture", "architecture_before"):
            if values.get(key) is not None:
                values[key] = Architecture(values[key])
        return cls(**values)


def latest_updated(
    before: FunctionConfig, memory_mb: int, architecture: Architecture, revision_id: str
) -> Change:
    """`$LATEST` of `before.function_name` about to be set to memory_mb/architecture."""
    return Change(
        ChangeKind.LATEST_UPDATED,
        before.function_name,
        memory_mb=memory_mb,
        architecture=architecture,
        memory_mb_before=before.memory_mb,
        architecture_before=before.architecture,
        code_sha256=before.code_sha256,
        revision_before=revision_id,
    )


def version_published(function_name: str, description: str) -> Change:
    return Change(ChangeKind.VERSION_PUBLISHED, function_name, description=description)


def alias_created(function_name: str, alias: str, version: str) -> Change:
    return Change(ChangeKind.ALIAS_CREATED, function_name, alias=alias, version=version)


def alias_moved(
    function_name: str, alias: str, version_before: str, version: str, revision_before: str
) -> Change:
    return Change(
        ChangeKind.ALIAS_MOVED,
        function_name,
        alias=alias,
        version=version,
        version_before=version_before,
        revision_before=revision_before,
    )


def function_created(function_name: str) -> Change:
    return Change(ChangeKind.FUNCTION_CREATED, function_name)


OnChange = Callable[["RunLedger"], None]


class RunLedger:
    """Every change of one run, in order, persisted through `on_change` at each step."""

    def __init__(
        self,
        original: FunctionConfig,
        run_id: str,
        *,
        on_change: OnChange | None = None,
        entries: tuple[Change, ...] = (),
        closed: bool = False,
    ) -> None:
        self.original = original
        self.run_id = run_id
        self.on_change = on_change
        self._entries = list(entries)
        #: undo finished with nothing pending: the ledger (and its journal) can go
        self.closed = closed

    @property
    def function_name(self) -> str:
        return self.original.function_name

    @property
    def entries(self) -> tuple[Change, ...]:
        return tuple(self._entries)

    @property
    def version_prefix(self) -> str:
        """Description prefix of every version this run publishes (to find unseen ones)."""
        return version_description_prefix(self.run_id)

    def save(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    def record(self, change: Change) -> int:
        """Append a change *before* it is attempted, persist, return its index."""
        self._entries.append(replace(change, status=Status.INTENDED))
        self.save()
        return len(self._entries) - 1

    def update(self, index: int, **values: Any) -> None:
        """Change fields of entry `index` (e.g. status, version, revision_after) and persist."""
        self._entries[index] = replace(self._entries[index], **values)
        self.save()

    def set_status(self, indices: list[int], status: Status) -> None:
        """Give several entries one status in a single write (one step, all or nothing)."""
        for i in indices:
            self._entries[i] = replace(self._entries[i], status=status)
        self.save()

    def done(self, index: int, **values: Any) -> None:
        self.update(index, status=Status.DONE, **values)

    def pending(self, *kinds: ChangeKind) -> list[tuple[int, Change]]:
        """Entries still to undo, oldest first, optionally of these kinds only."""
        return [
            (i, e)
            for i, e in enumerate(self._entries)
            if e.pending and (not kinds or e.kind in kinds)
        ]

    def close(self) -> None:
        self.closed = True
        self.save()

    def to_dict(self) -> dict[str, Any]:
        original = {**asdict(self.original), "architecture": self.original.architecture.value}
        return {
            "ledger_format": LEDGER_FORMAT,
            "function_name": self.function_name,
            "run_id": self.run_id,
            "original": original,
            "closed": self.closed,
            "entries": [e.to_dict() for e in self._entries],
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any], *, on_change: OnChange | None = None) -> RunLedger:
        """Read `to_dict`'s form, or the journal format of powertune before the ledger."""
        original = _config_from_dict(doc["original"])
        if "ledger_format" not in doc:
            entries = _entries_from_old_journal(doc, original)
            return cls(original, str(doc["run_id"]), on_change=on_change, entries=entries)
        return cls(
            original,
            str(doc["run_id"]),
            on_change=on_change,
            entries=tuple(Change.from_dict(e) for e in doc["entries"]),
            closed=bool(doc.get("closed", False)),
        )


def _config_from_dict(doc: dict[str, Any]) -> FunctionConfig:
    known = {f.name for f in fields(FunctionConfig)}
    values = {k: v for k, v in doc.items() if k in known}
    values["architecture"] = Architecture(doc["architecture"])
    return FunctionConfig(**values)


def _entries_from_old_journal(doc: dict[str, Any], original: FunctionConfig) -> tuple[Change, ...]:
    """The entries an old-format journal (a dict of lists and flags) stands for."""
    entries: list[Change] = []
    scratch = doc.get("created_function")
    if scratch:
        entries.append(replace(function_created(scratch), status=Status.DONE))
    applying, revision = doc.get("applying"), doc.get("last_revision")
    if not doc.get("scratch_copy") and not doc.get("restored") and (applying or revision):
        attempted = applying or {
            "memory_mb": original.memory_mb,
            "architecture": original.architecture.value,
        }
        change = latest_updated(
            original,
            int(attempted["memory_mb"]),
            Architecture(attempted["architecture"]),
            original.revision_id,
        )
        status = Status.DONE if revision is not None else Status.INTENDED
        entries.append(replace(change, status=status, revision_after=revision))
    for fn in doc.get("publishing", []):
        entries.append(version_published(fn, version_description_prefix(str(doc["run_id"]))))
    for fn, version in doc.get("versions", []):
        change = replace(version_published(fn, ""), version=str(version))
        entries.append(replace(change, status=Status.DONE))
    for fn, alias in doc.get("aliases", []):
        entries.append(replace(alias_created(fn, alias, ""), status=Status.DONE))
    return tuple(entries)
