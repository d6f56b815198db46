"""`undo(ledger, backend)`: revert every pending change of a run ledger, through the Backend port.

Order, and why:
1. `$LATEST` first: live traffic sees it. It is put back only if it still holds
   our change (its RevisionId is the last one we saw, or it is exactly the
   configuration we attempted with the original code: an update or publish that
   raised but landed); anything else is someone else's deploy and is left alone.
2. aliases: a moved live alias is live traffic too, and a version an alias points
   at cannot be deleted (ResourceConflictException);
3. versions, including ones whose PublishVersion raised or was killed before its
   number was written down, found by the run's description prefix;
4. scratch functions, with their aliases and versions (one DeleteFunction).

Every step stands alone: a failure becomes a `Problem` and the next steps still
run. After each step the ledger is persisted (`on_change`), so a second `undo`
(`powertune cleanup` after a partial failure) only does what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from functools import partial

from powertune.errors import BackendError
from powertune.tuning.ledger import Change, ChangeKind, RunLedger, Status, version_published
from powertune.tuning.ports import AliasUpdater, Backend

Report = Callable[[str], None]
_CONFLICT = "PreconditionFailedException"
_MISSING = "ResourceNotFoundException"


class ProblemKind(Enum):
    """Why a change was not reverted."""

    #: a call failed; running undo again (`powertune cleanup`) retries it
    FAILED = "failed"
    #: someone else changed the resource since; deliberately not reverted
    LEFT_ALONE = "left_alone"
    #: this backend cannot revert this kind of change
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class Problem:
    """One change undo could not revert: what, why, and what to do about it."""

    kind: ProblemKind
    resource: str
    message: str
    fix: str

    @property
    def outstanding(self) -> bool:
        """Something is still left behind (LEFT_ALONE is settled: it is theirs now)."""
        return self.kind is not ProblemKind.LEFT_ALONE


def undo(ledger: RunLedger, backend: Backend, *, report: Report | None = None) -> list[Problem]:
    """Revert what is pending in `ledger`; return every problem, having tried every step.

    `report` receives one line per change reverted (`powertune cleanup` prints them).
    """
    say = report or _silent
    problems: list[Problem] = []
    step: Callable[[], Problem | None]
    scratch = {e.function_name for _, e in ledger.pending(ChangeKind.FUNCTION_CREATED)}
    latest = {e.function_name for _, e in ledger.pending(ChangeKind.LATEST_UPDATED)}
    for fn in sorted(latest - scratch):
        step = partial(restore_latest, ledger, backend, fn, say)
        _attempt(ledger, problems, f"$LATEST of {fn}", step)
    # A scratch function's aliases and versions go with it (DeleteFunction without a
    # qualifier deletes them all), so they are left to step 4.
    aliases = ledger.pending(ChangeKind.ALIAS_CREATED, ChangeKind.ALIAS_MOVED)
    for index, change in reversed([(i, c) for i, c in aliases if c.function_name not in scratch]):
        step = partial(_undo_alias, ledger, backend, index, change, say)
        _attempt(ledger, problems, f"alias {change.function_name}:{change.alias}", step)
    published = {e.function_name for _, e in ledger.pending(ChangeKind.VERSION_PUBLISHED)}
    for fn in sorted(published - scratch):
        _attempt(ledger, problems, f"versions of {fn}", partial(_find_unseen, ledger, backend, fn))
    versions = ledger.pending(ChangeKind.VERSION_PUBLISHED)
    for index, change in [(i, c) for i, c in versions if c.function_name not in scratch]:
        step = partial(_undo_version, ledger, backend, index, change, say)
        _attempt(ledger, problems, f"version {change.function_name}:{change.version}", step)
    for index, change in ledger.pending(ChangeKind.FUNCTION_CREATED):
        step = partial(_undo_function, ledger, backend, index, change, say)
        _attempt(ledger, problems, f"scratch copy {change.function_name}", step)
    if not any(e.pending for e in ledger.entries):
        ledger.close()
    return problems


def restore_latest(
    ledger: RunLedger, backend: Backend, function_name: str, report: Report | None = None
) -> Problem | None:
    """Put `$LATEST` of `function_name` back as it was before the run's first pending update.

    Returns a LEFT_ALONE problem when someone else changed it since; raises
    BackendError when a call fails (the entries stay pending for a retry).
    """
    entries = [
        (i, e)
        for i, e in ledger.pending(ChangeKind.LATEST_UPDATED)
        if e.function_name == function_name
    ]
    if not entries:
        return None
    first, last = entries[0][1], entries[-1][1]
    indices = [i for i, _ in entries]
    memory_mb, architecture = first.memory_mb_before, first.architecture_before
    assert memory_mb is not None and architecture is not None, "LATEST_UPDATED without its before"
    current = backend.get_configuration(function_name)
    if (current.memory_mb, current.architecture) == (memory_mb, architecture):
        _mark(ledger, indices, Status.UNDONE)
        (report or _silent)(f"{function_name} is already at its original {memory_mb} MB")
        return None
    # An empty RevisionId (moto has none) proves nothing: then only the configuration counts.
    known = _known_revision(ledger, function_name, first)
    unchanged = bool(known) and current.revision_id == known
    landed = (current.memory_mb, current.architecture, current.code_sha256) == (
        last.memory_mb,
        last.architecture,
        first.code_sha256,
    )
    ours = unchanged or landed
    if ours:
        try:
            backend.update_configuration(
                function_name,
                memory_mb=memory_mb,
                architecture=architecture,
                revision_id=current.revision_id,
            )
        except BackendError as exc:
            if exc.code != _CONFLICT:
                raise
            ours = False
    if not ours:
        _mark(ledger, indices, Status.LEFT)
        return Problem(
            ProblemKind.LEFT_ALONE,
            f"$LATEST of {function_name}",
            f"{function_name} changed during the run (its RevisionId moved: someone deployed); "
            f"its configuration was left as they set it instead of restoring {memory_mb} MB",
            f"check {function_name}'s configuration; if that deploy did not mean to change its "
            f"memory, set it back to {memory_mb} MB yourself",
        )
    _mark(ledger, indices, Status.UNDONE)
    (report or _silent)(f"restored {function_name} to {memory_mb} MB")
    return None


def _known_revision(ledger: RunLedger, function_name: str, first: Change) -> str | None:
    """`$LATEST`'s RevisionId after the run's last change that is known to have landed."""
    known = first.revision_before
    for change in ledger.entries:
        if (
            change.function_name == function_name
            and change.kind in (ChangeKind.LATEST_UPDATED, ChangeKind.VERSION_PUBLISHED)
            and change.status is Status.DONE
            and change.revision_after is not None
        ):
            known = change.revision_after
    return known


def _undo_alias(
    ledger: RunLedger, backend: Backend, index: int, change: Change, say: Report
) -> Problem | None:
    fn, alias = change.function_name, change.alias or ""
    if change.kind is ChangeKind.ALIAS_CREATED:
        backend.delete_alias(fn, alias)  # a missing alias is not an error
        ledger.update(index, status=Status.UNDONE)
        say(f"deleted alias {fn}:{alias}")
        return None
    if not isinstance(backend, AliasUpdater):
        return Problem(
            ProblemKind.UNSUPPORTED,
            f"alias {fn}:{alias}",
            f"this backend cannot move alias {fn}:{alias} back to version {change.version_before}",
            f"point {fn}:{alias} at version {change.version_before} by hand "
            "(aws lambda update-alias)",
        )
    now: str | None = backend.get_configuration(fn, alias).version
    if now == change.version:
        try:
            backend.update_alias(
                fn, alias, change.version_before or "", revision_id=change.revision_after
            )
        except BackendError as exc:
            if exc.code != _CONFLICT:
                raise
            now = None
        else:
            now = change.version_before
    if now != change.version_before:
        ledger.update(index, status=Status.LEFT)
        return Problem(
            ProblemKind.LEFT_ALONE,
            f"alias {fn}:{alias}",
            f"alias {fn}:{alias} was moved by someone else (now version {now}); left as it is",
            f"check which version {fn}:{alias} should serve and move it yourself if needed",
        )
    ledger.update(index, status=Status.UNDONE)
    say(f"moved alias {fn}:{alias} back to version {change.version_before}")
    return None


def _find_unseen(ledger: RunLedger, backend: Backend, function_name: str) -> None:
    """Resolve publishes that raised or were killed: find their versions by description."""
    intended = [
        i
        for i, e in ledger.pending(ChangeKind.VERSION_PUBLISHED)
        if e.function_name == function_name and e.status is Status.INTENDED and e.version is None
    ]
    if not intended:
        return
    known = {
        e.version
        for e in ledger.entries
        if e.kind is ChangeKind.VERSION_PUBLISHED and e.function_name == function_name
    }
    try:
        versions = backend.list_versions(function_name)
    except BackendError as exc:
        if exc.code != _MISSING:
            raise
        versions = []  # the function is gone, and its versions with it
    for v in versions:
        if v.description.startswith(ledger.version_prefix) and v.version not in known:
            found = ledger.record(
                replace(version_published(function_name, v.description), version=v.version)
            )
            ledger.done(found)
    _mark(ledger, intended, Status.UNDONE)


def _undo_version(
    ledger: RunLedger, backend: Backend, index: int, change: Change, say: Report
) -> None:
    if change.version is None:
        return  # number unknown: `_find_unseen` resolves it, now or on the next undo
    if not change.owned:
        # A publish that returned someone's existing version: used, never deleted.
        ledger.update(index, status=Status.UNDONE)
        return
    backend.delete_version(change.function_name, change.version)
    ledger.update(index, status=Status.UNDONE)
    say(f"deleted version {change.function_name}:{change.version}")


def _undo_function(
    ledger: RunLedger, backend: Backend, index: int, change: Change, say: Report
) -> None:
    backend.delete_function(change.function_name)  # a missing function is not an error
    rest = [
        i
        for i, e in enumerate(ledger.entries)
        if e.pending and e.function_name == change.function_name
    ]
    _mark(ledger, [index, *rest], Status.UNDONE)
    say(f"deleted scratch copy {change.function_name}")


def _mark(ledger: RunLedger, indices: list[int], status: Status) -> None:
    # One write for all: a kill between two of them would leave a later update
    # pending alone, and its "before" is not the original configuration.
    ledger.set_status(indices, status)


def _attempt(
    ledger: RunLedger,
    problems: list[Problem],
    resource: str,
    step: Callable[[], Problem | None],
) -> None:
    """Run one undo step; a failed call becomes a Problem instead of stopping the rest."""
    try:
        problem = step()
    except BackendError as exc:
        problem = Problem(
            ProblemKind.FAILED,
            resource,
            f"{resource}: {exc}",
            f"run `powertune cleanup {ledger.function_name}` again once the cause is fixed, "
            f"or remove {resource} by hand",
        )
    if problem is not None:
        problems.append(problem)


def _silent(_line: str) -> None:
    return None
