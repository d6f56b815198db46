"""Execute a tuning plan through a Backend, changing live traffic as briefly as possible.

Sequence (docs/tuning.md has the why):
1. read `$LATEST` (and the qualified version, if any); refuse to benchmark other
   code than the target's;
2. journal the original configuration and RevisionId before the first change;
3. for each configuration: update `$LATEST` (with RevisionId), wait, publish a
   version, point a temporary `pt-<run>-...` alias at it;
4. restore `$LATEST` at once, before any benchmark invocation;
5. invoke only the aliases: one warm-up each, then what the sampling policy asks,
   interleaved; a configuration whose invocation fails (an error type not in
   `allowed_errors`) is marked failed and the run goes on;
6. whatever happens (success, failure, Ctrl-C, SIGTERM turned into an
   exception by the CLI), delete every alias and version the run created and
   restore `$LATEST` if that has not happened yet.

No I/O here beyond the injected Backend and Journal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from powertune.errors import BackendError, ConfigError, RestoreConflict, UnsupportedArchitecture
from powertune.tuning.models import Configuration, InvocationRecord
from powertune.tuning.plan import TuningPlan, version_description_prefix
from powertune.tuning.ports import Backend, FunctionConfig, InvokeOutcome, Journal, NullJournal
from powertune.tuning.sampling import SamplingEvent, SamplingPolicy, SamplingState

if TYPE_CHECKING:
    from powertune.clock import Clock

OnInvocation = Callable[[InvocationRecord, int], None]


@dataclass(frozen=True, slots=True)
class TuningRun:
    """What a run measured, with everything needed to analyse it again later."""

    plan: TuningPlan
    function_name: str
    function_arn: str
    region: str
    original: FunctionConfig
    records: tuple[InvocationRecord, ...]
    events: tuple[SamplingEvent, ...]
    backend: dict[str, str]
    started_at: float
    finished_at: float
    warnings: tuple[str, ...] = ()
    backend_failures: dict[Configuration, str] = field(default_factory=dict)


@dataclass
class _Created:
    function: str | None = None
    versions: list[tuple[str, str]] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    restored: bool = False
    last_revision: str | None = None
    #: the configuration of an update call that raised: it may still have landed
    uncertain: Configuration | None = None
    #: a PublishVersion call raised: its version may exist under a number we never saw
    publish_uncertain: bool = False
    #: the configuration `$LATEST` was last set to by this run
    applied: Configuration | None = None


def to_record(
    configuration: Configuration, payload_index: int, outcome: InvokeOutcome, sequence: int
) -> InvocationRecord:
    """Turn an adapter's outcome into the raw record kept in the result."""
    error_type = outcome.error_type
    if error_type is None and outcome.function_error:
        error_type = outcome.function_error
    return InvocationRecord(
        memory_mb=configuration.memory_mb,
        architecture=configuration.architecture,
        payload_index=payload_index,
        duration_ms=outcome.duration_ms,
        billed_duration_ms=outcome.billed_duration_ms,
        init_duration_ms=outcome.init_duration_ms,
        restore_duration_ms=outcome.restore_duration_ms,
        billed_restore_duration_ms=outcome.billed_restore_duration_ms,
        max_memory_used_mb=outcome.max_memory_used_mb,
        error_type=error_type,
        sequence=sequence,
    )


class Tuner:
    """Runs one plan; see the module docstring for the sequence."""

    def __init__(
        self,
        plan: TuningPlan,
        backend: Backend,
        policy: SamplingPolicy,
        *,
        clock: Clock,
        journal: Journal | None = None,
        on_invocation: OnInvocation | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.plan = plan
        self.backend = backend
        self.policy = policy
        self.clock = clock
        self.journal = journal or NullJournal()
        self.on_invocation = on_invocation
        self.on_warning = on_warning
        self._warnings: list[str] = []
        self._created = _Created()

    def _warn(self, message: str) -> None:
        self._warnings.append(message)
        if self.on_warning is not None:
            self.on_warning(message)

    # --- preparation --------------------------------------------------------------
    def _check_target(self) -> tuple[FunctionConfig, FunctionConfig]:
        """Return ($LATEST, the configuration whose code is benchmarked)."""
        unsupported = {c.architecture for c in self.plan.configurations} - set(
            self.backend.supported_architectures()
        )
        if unsupported:
            names = ", ".join(sorted(a.value for a in unsupported))
            raise UnsupportedArchitecture(
                f"this backend cannot run {names} at real speed ({self.backend.describe()}); "
                "it will not report other timings under those prices. Drop it from --architectures"
            )
        name, qualifier = self.plan.target.name, self.plan.target.qualifier
        latest = self.backend.get_configuration(name)
        if latest.package_type != "Zip" and self.plan.scratch_copy:
            raise ConfigError(
                f"{name} is a container image; --scratch-copy supports ZIP functions only"
            )
        if qualifier in (None, "$LATEST"):
            return latest, latest
        source = self.backend.get_configuration(name, qualifier)
        if self.plan.scratch_copy:
            return latest, source
        if (source.code_sha256, source.timeout_s, source.runtime) != (
            latest.code_sha256,
            latest.timeout_s,
            latest.runtime,
        ):
            raise ConfigError(
                f"{name}:{qualifier} (version {source.version}) has other code or configuration "
                f"than $LATEST (CodeSha256 {source.code_sha256[:12]}… vs "
                f"{latest.code_sha256[:12]}…); "
                "a published version cannot be re-published at another memory size, so tuning "
                "it in place would benchmark other code. Use --scratch-copy to tune a temporary "
                "copy built from that version's code"
            )
        return latest, source

    def _prepare(self, target: str, start: FunctionConfig) -> dict[Configuration, str]:
        """Publish one version per configuration behind a temporary alias."""
        aliases: dict[Configuration, str] = {}
        revision = start.revision_id
        ours = version_description_prefix(self.plan.run_id)
        for configuration in self.plan.configurations:
            self.journal.updating(configuration.memory_mb, configuration.architecture)
            self._created.uncertain = configuration
            updated = self.backend.update_configuration(
                target,
                memory_mb=configuration.memory_mb,
                architecture=configuration.architecture,
                revision_id=revision,
            )
            self._created.uncertain = None
            self._created.applied = configuration
            revision = updated.revision_id
            self._created.last_revision = revision
            self.journal.updated(revision)
            # Journal first: a kill before `created_version` would otherwise leave a
            # version nobody knows; `recover` finds it by its description.
            self.journal.publishing(target)
            self._created.publish_uncertain = True
            version = self.backend.publish_version(
                target,
                description=self.plan.version_description(configuration),
                code_sha256=updated.code_sha256,
                revision_id=revision,
            )
            self._created.publish_uncertain = False
            if version.description.startswith(ours):
                self._created.versions.append((target, version.version))
                self.journal.created_version(target, version.version)
            else:
                # PublishVersion returned an existing version (nothing changed since it
                # was published): it is not ours, so it is used but never deleted.
                self._warn(
                    f"{configuration.label}: reusing existing version {version.version} "
                    "(Lambda does not publish unchanged code and configuration twice)"
                )
            revision = self._revision_after_publish(target, configuration, updated)
            alias = self.plan.alias_for(configuration)
            # Journal first: the name is known in advance, and an alias the journal does
            # not know would keep its version from being deleted after a SIGKILL
            # (DeleteFunction on a version an alias points to is a ResourceConflict).
            # Deleting an alias that was never created is not an error.
            self._created.aliases.append((target, alias))
            self.journal.created_alias(target, alias)
            self.backend.create_alias(target, alias, version.version)
            aliases[configuration] = alias
        return aliases

    def _revision_after_publish(
        self, target: str, configuration: Configuration, updated: FunctionConfig
    ) -> str:
        """`$LATEST`'s RevisionId after PublishVersion, which on AWS gives it a new one.

        (AWS-validated behaviour, e.g. LocalStack's recorded snapshot of
        test_function_revisions_version_and_alias.) The new id is taken only if
        `$LATEST` still has what this run set; otherwise someone deployed between
        our publish and this read, and the next update must not overwrite them.
        """
        current = self.backend.get_configuration(target)
        if (current.memory_mb, current.architecture, current.code_sha256) != (
            configuration.memory_mb,
            configuration.architecture,
            updated.code_sha256,
        ):
            raise RestoreConflict(
                f"{target} changed while the run was publishing {configuration.label} "
                f"(now {current.memory_mb} MB, CodeSha256 {current.code_sha256[:12]}…): "
                "someone deployed; the run stops and leaves their change alone"
            )
        if current.revision_id != updated.revision_id:
            self._created.last_revision = current.revision_id
            self.journal.updated(current.revision_id)
        return current.revision_id

    def _landed_revision(self, target: str, original: FunctionConfig) -> str | None:
        """RevisionId of an update that raised but landed (e.g. its wait timed out), else None.

        It is ours if `$LATEST` now has exactly that configuration with the original
        code and a RevisionId we have not seen; anything else is someone else's change.
        """
        # An update that raised may have landed; so may a publish, which on AWS also
        # moves `$LATEST`'s RevisionId while leaving the configuration we applied.
        attempted = self._created.uncertain or (
            self._created.applied if self._created.publish_uncertain else None
        )
        if attempted is None:
            return None
        current = self.backend.get_configuration(target)
        known = self._created.last_revision or original.revision_id
        if current.revision_id != known and (
            current.memory_mb,
            current.architecture,
            current.code_sha256,
        ) == (attempted.memory_mb, attempted.architecture, original.code_sha256):
            return current.revision_id
        return None

    def _restore(self, target: str, original: FunctionConfig) -> None:
        if self._created.restored:
            return
        revision = self._landed_revision(target, original) or self._created.last_revision
        if revision is None:
            self._created.restored = True
            return
        try:
            self.backend.update_configuration(
                target,
                memory_mb=original.memory_mb,
                architecture=original.architecture,
                revision_id=revision,
            )
        except BackendError as exc:
            if exc.code != "PreconditionFailedException":
                raise
            self._created.restored = True
            raise RestoreConflict(
                f"{target} changed during the run (its RevisionId moved: someone deployed); "
                "its configuration was left as they set it instead of restoring "
                f"{original.memory_mb} MB"
            ) from exc
        self._created.restored = True
        self.journal.restored()

    def _find_unseen_versions(self, target: str) -> None:
        """Add to the clean-up the run's versions whose PublishVersion call raised."""
        prefix = version_description_prefix(self.plan.run_id)
        for v in self.backend.list_versions(target):
            if (
                v.description.startswith(prefix)
                and (target, v.version) not in self._created.versions
            ):
                self._created.versions.append((target, v.version))
                self.journal.created_version(target, v.version)

    def _clean_up(self, target: str, original: FunctionConfig, scratch: bool) -> None:
        """Undo everything; keep going past individual failures and report them."""
        problems: list[str] = []
        if not scratch:
            try:
                self._restore(target, original)
            except RestoreConflict as exc:
                self._warn(str(exc))
            except BackendError as exc:
                problems.append(f"restore of {target}: {exc}")
        for fn, alias in self._created.aliases:
            try:
                self.backend.delete_alias(fn, alias)
                self.journal.deleted_alias(fn, alias)
            except BackendError as exc:
                problems.append(f"alias {alias}: {exc}")
        if self._created.publish_uncertain and not scratch:
            try:
                self._find_unseen_versions(target)
            except BackendError as exc:
                problems.append(f"listing versions of {target}: {exc}")
        for fn, version in self._created.versions:
            try:
                self.backend.delete_version(fn, version)
                self.journal.deleted_version(fn, version)
            except BackendError as exc:
                problems.append(f"version {version}: {exc}")
        if self._created.function is not None:
            try:
                self.backend.delete_function(self._created.function)
            except BackendError as exc:
                problems.append(f"scratch copy {self._created.function}: {exc}")
        if problems:
            self._warn(
                "clean-up incomplete; run `powertune cleanup "
                f"{self.plan.target.name}` to finish: " + "; ".join(problems)
            )
        else:
            self.journal.finish()

    # --- measurement --------------------------------------------------------------
    def _measure(
        self, target: str, aliases: dict[Configuration, str]
    ) -> tuple[list[InvocationRecord], dict[Configuration, str]]:
        state = SamplingState(
            configurations=self.plan.configurations,
            payload_weights=tuple(p.weight for p in self.plan.payloads),
        )
        backend_failures: dict[Configuration, str] = {}

        def invoke(configuration: Configuration, payload_index: int) -> None:
            body = self.plan.payloads[payload_index].body
            try:
                outcome = self.backend.invoke(target, aliases[configuration], body)
            except BackendError as exc:
                state.failed.add(configuration)
                backend_failures[configuration] = str(exc)
                self._warn(f"{configuration.label} marked failed: {exc}")
                return
            record = to_record(configuration, payload_index, outcome, len(state.records))
            state.records.append(record)
            if record.error_type is not None and record.error_type not in self.plan.allowed_errors:
                state.failed.add(configuration)
            if self.on_invocation is not None:
                self.on_invocation(record, len(state.records))

        # One warm-up per configuration: a fresh version starts cold; the record is
        # kept (it feeds the cold-start table) and the policy's samples come after it.
        for configuration in self.plan.configurations:
            invoke(configuration, 0)
        while True:
            batch = [
                r for r in self.policy.next_batch(state) if r.configuration not in state.failed
            ]
            if not batch:
                break
            for request in batch:
                if request.configuration not in state.failed:
                    invoke(request.configuration, request.payload_index)
        return state.records, backend_failures

    def run(self) -> TuningRun:
        """Execute the plan; always clean up, then re-raise whatever interrupted it."""
        started = self.clock.now()
        latest, source = self._check_target()
        scratch = self.plan.scratch_copy
        target = self.plan.target.name
        self.journal.begin(latest, scratch_copy=self.plan.scratch_name() if scratch else None)
        try:
            if scratch:
                target = self.plan.scratch_name()
                self._created.function = target
                self.journal.created_function(target)
                copy = self.backend.create_scratch_copy(source, target)
                start = copy
            else:
                start = latest
            aliases = self._prepare(target, start)
            if not scratch:
                try:
                    self._restore(target, latest)
                except RestoreConflict as exc:
                    self._warn(str(exc))
            records, backend_failures = self._measure(target, aliases)
        finally:
            self._clean_up(target, latest, scratch)
        return TuningRun(
            plan=self.plan,
            function_name=self.plan.target.name,
            function_arn=latest.function_arn,
            region=self.backend.region,
            original=latest,
            records=tuple(records),
            events=tuple(self.policy.events),
            backend=self.backend.describe(),
            started_at=started,
            finished_at=self.clock.now(),
            warnings=tuple(self._warnings),
            backend_failures=backend_failures,
        )
