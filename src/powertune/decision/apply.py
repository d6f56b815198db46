"""Apply a memory size to a function, and roll it back, through the run ledger.

The same code runs for `powertune apply`, the apply step inside `decide`, and
`powertune rollback`. Every change is written to the ledger before it is made
(and journaled to disk by the caller's sink), so a failure or Ctrl-C midway is
undone by the same `undo` the tuner uses: the function is never left half
changed. Once every step landed the ledger is closed: an apply is meant to stay.

Steps: UpdateFunctionConfiguration with the RevisionId read just before (so a
concurrent deploy is never overwritten) and a wait until the update is
Successful; with an alias, PublishVersion of that exact revision and
UpdateAlias (or CreateAlias) to the new version.
"""

from __future__ import annotations

from dataclasses import dataclass

from powertune.errors import BackendError, PowertuneError
from powertune.tuning.ledger import (
    RunLedger,
    alias_created,
    alias_moved,
    latest_updated,
    version_published,
)
from powertune.tuning.ports import AliasUpdater, Backend, FunctionConfig, LedgerSink
from powertune.tuning.undo import undo


class ApplyFailed(PowertuneError):
    """An apply failed midway; what it had changed was undone (or the message says what is left)."""


@dataclass(frozen=True, slots=True)
class ApplyPlan:
    """What to set: the memory, and optionally the alias to move.

    `alias_version` None with an alias: publish `$LATEST` and point the alias at
    the new version (apply). A version: point the alias at it (rollback).
    """

    function_name: str
    memory_mb: int
    alias: str | None = None
    alias_version: str | None = None
    #: why, in the published version's description (the audit trail in the Lambda console)
    reason: str = "apply"


@dataclass(frozen=True, slots=True)
class Applied:
    """What an apply changed: before and after, as Lambda reported them."""

    function_name: str
    function_arn: str
    memory_mb_before: int
    memory_mb_after: int
    revision_before: str
    revision_after: str
    alias: str | None = None
    #: None when the alias did not exist before
    alias_version_before: str | None = None
    alias_version_after: str | None = None
    published_version: str | None = None

    @property
    def changed(self) -> bool:
        return (
            self.memory_mb_before != self.memory_mb_after
            or self.alias_version_before != self.alias_version_after
        )


def apply_memory(
    backend: Backend, plan: ApplyPlan, *, run_id: str, sink: LedgerSink | None = None
) -> Applied:
    """Set the memory (and move the alias), undoing everything if any step fails."""
    before = backend.get_configuration(plan.function_name)
    ledger = RunLedger(before, run_id, on_change=None if sink is None else sink.save)
    try:
        after = _set_memory(backend, ledger, before, plan.memory_mb)
        applied = Applied(
            plan.function_name,
            before.function_arn,
            before.memory_mb,
            after.memory_mb,
            before.revision_id,
            after.revision_id,
        )
        if plan.alias:
            applied = _move_alias(backend, ledger, after, plan, applied)
    except (BackendError, KeyboardInterrupt) as exc:
        problems = undo(ledger, backend)
        if isinstance(exc, KeyboardInterrupt):
            raise
        left = "; ".join(p.message for p in problems if p.outstanding)
        raise ApplyFailed(
            f"applying {plan.memory_mb} MB to {plan.function_name} failed ({exc}); "
            + (
                f"undo left something behind: {left}. Run `powertune cleanup {plan.function_name}`"
                if left
                else f"{plan.function_name} was put back as it was ({before.memory_mb} MB)"
            )
        ) from exc
    ledger.close()  # every step landed: nothing is to be undone, the journal goes
    return applied


def _set_memory(
    backend: Backend, ledger: RunLedger, before: FunctionConfig, memory_mb: int
) -> FunctionConfig:
    if before.memory_mb == memory_mb:
        return before
    i = ledger.record(latest_updated(before, memory_mb, before.architecture, before.revision_id))
    after = backend.update_configuration(
        before.function_name,
        memory_mb=memory_mb,
        architecture=before.architecture,
        revision_id=before.revision_id or None,
    )
    ledger.done(i, revision_after=after.revision_id)
    return after


def _move_alias(
    backend: Backend, ledger: RunLedger, latest: FunctionConfig, plan: ApplyPlan, applied: Applied
) -> Applied:
    fn, alias = plan.function_name, plan.alias or ""
    if not isinstance(backend, AliasUpdater):
        raise ApplyFailed(f"this backend cannot move aliases; apply without --alias {alias}")
    version = plan.alias_version
    if version is None:
        # The run's prefix lets undo find this version even if PublishVersion raised.
        description = f"{ledger.version_prefix}{plan.reason}: {latest.memory_mb} MB"[:256]
        i = ledger.record(version_published(fn, description))
        published = backend.publish_version(
            fn,
            description=description,
            code_sha256=latest.code_sha256,
            revision_id=latest.revision_id or None,
        )
        version = published.version
        ledger.done(i, version=version)
    target = backend.get_alias(fn, alias)
    if target is None:
        i = ledger.record(alias_created(fn, alias, version))
        backend.create_alias(fn, alias, version)
        ledger.done(i)
    elif target.version != version:
        i = ledger.record(alias_moved(fn, alias, target.version, version, target.revision_id))
        revision = backend.update_alias(fn, alias, version, revision_id=target.revision_id or None)
        ledger.done(i, revision_after=revision)
    return Applied(
        applied.function_name,
        applied.function_arn,
        applied.memory_mb_before,
        applied.memory_mb_after,
        applied.revision_before,
        applied.revision_after,
        alias=alias,
        alias_version_before=None if target is None else target.version,
        alias_version_after=version,
        published_version=None if plan.alias_version else version,
    )
