"""The ports the engine talks through: `Backend` (Lambda) and `LedgerSink` (the run's ledger).

Adapters live outside the pure core: `powertune.backends.aws` (boto3, also the
local cloud), `powertune.backends.fake`, `powertune.backends.simulator`, and
`powertune.storage.journal` for the on-disk journal. Raw AWS dicts never cross this line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from powertune.tuning.models import Architecture

if TYPE_CHECKING:
    from powertune.tuning.ledger import RunLedger


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """What the engine needs to know about one function version or `$LATEST`."""

    function_name: str
    function_arn: str
    version: str
    memory_mb: int
    architecture: Architecture
    timeout_s: int
    runtime: str | None
    code_sha256: str
    revision_id: str
    description: str = ""
    state: str = "Active"
    last_update_status: str = "Successful"
    package_type: str = "Zip"
    #: /tmp size (EphemeralStorage.Size); above 512 MB it is billed per GB-second
    ephemeral_storage_mb: int = 512


@dataclass(frozen=True, slots=True)
class InvokeOutcome:
    """One synchronous invocation: what came back and the parsed REPORT line.

    `duration_ms` etc. come from the REPORT line of the `LogType=Tail` log;
    `function_error` is the `X-Amz-Function-Error` header (None on success) and
    `error_type` the `errorType` of the error payload, or the REPORT line's
    `Error Type` / `Status: timeout` when the payload has none.
    """

    payload: bytes
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None = None
    restore_duration_ms: float | None = None
    billed_restore_duration_ms: int | None = None
    max_memory_used_mb: int | None = None
    function_error: str | None = None
    error_type: str | None = None
    executed_version: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Backend(Protocol):
    """Lambda control and data plane, as much as tuning needs.

    Every method raises `powertune.errors.BackendError` on an AWS error, after
    the adapter's own retries for throttling (429) and conflicts (409).
    """

    def get_configuration(self, function_name: str, qualifier: str | None = None) -> FunctionConfig:
        """Configuration of `$LATEST` (qualifier None) or of a version or alias."""
        ...

    def update_configuration(
        self,
        function_name: str,
        *,
        memory_mb: int,
        architecture: Architecture,
        revision_id: str | None,
    ) -> FunctionConfig:
        """Set `$LATEST`'s memory (and architecture) and wait until the update is done.

        With `revision_id`, the update only happens if `$LATEST` is still at that
        revision (`PreconditionFailedException` otherwise, as a BackendError).
        """
        ...

    def publish_version(
        self,
        function_name: str,
        *,
        description: str,
        code_sha256: str,
        revision_id: str | None = None,
    ) -> FunctionConfig:
        """Publish `$LATEST` as a new version and wait until it is active.

        With `revision_id`, only if `$LATEST` is still at that revision
        (`PreconditionFailedException` otherwise). On AWS a publish also gives
        `$LATEST` a new RevisionId.
        """
        ...

    def create_alias(self, function_name: str, alias: str, version: str) -> None: ...

    def delete_alias(self, function_name: str, alias: str) -> None:
        """Delete an alias; a missing alias is not an error."""
        ...

    def delete_version(self, function_name: str, version: str) -> None:
        """Delete one published version; a missing version is not an error."""
        ...

    def list_versions(self, function_name: str) -> list[FunctionConfig]:
        """Every published version (not `$LATEST`), with its description."""
        ...

    def invoke(self, function_name: str, qualifier: str, payload: bytes) -> InvokeOutcome:
        """Invoke synchronously with `LogType=Tail` and parse the REPORT line."""
        ...

    def create_scratch_copy(self, source: FunctionConfig, copy_name: str) -> FunctionConfig:
        """Create a new function with `source`'s code and configuration."""
        ...

    def delete_function(self, function_name: str) -> None:
        """Delete a whole function (used for scratch copies only)."""
        ...

    def supported_architectures(self) -> frozenset[Architecture]:
        """Architectures this backend can run at their real speed."""
        ...

    @property
    def region(self) -> str: ...

    def describe(self) -> dict[str, str]:
        """Facts to record in the result (backend kind, endpoint, CPU control)."""
        ...


class LedgerSink(Protocol):
    """Where a run's ledger is persisted (the on-disk journal, a Step Functions state...).

    `save` is called before every change and after every undo step, with the whole
    ledger; once `ledger.closed` (undo left nothing pending) it may drop it.
    """

    def save(self, ledger: RunLedger) -> None: ...


@dataclass(frozen=True, slots=True)
class AliasTarget:
    """Where an alias points: its version and the alias's own RevisionId."""

    version: str
    revision_id: str


@runtime_checkable
class AliasUpdater(Protocol):
    """A backend that can read and move an alias (apply --alias; undo of ALIAS_MOVED)."""

    def get_alias(self, function_name: str, alias: str) -> AliasTarget | None:
        """Where `alias` points; None when there is no such alias."""
        ...

    def update_alias(
        self, function_name: str, alias: str, version: str, *, revision_id: str | None
    ) -> str:
        """Point `alias` at `version` (only if its RevisionId is still `revision_id`);
        return the alias's new RevisionId."""
        ...
