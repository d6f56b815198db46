"""Before measuring: check the target, then publish one version per configuration behind an alias.

Every change is written to the run's ledger before it is made (see tuning/ledger.py):
a kill at any instant leaves enough for `undo` to find and revert it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from powertune.errors import ConfigError, RestoreConflict, UnsupportedArchitecture
from powertune.tuning.ledger import RunLedger, alias_created, latest_updated, version_published
from powertune.tuning.models import Configuration
from powertune.tuning.plan import TuningPlan
from powertune.tuning.ports import Backend, FunctionConfig


def check_target(plan: TuningPlan, backend: Backend) -> tuple[FunctionConfig, FunctionConfig]:
    """Return ($LATEST, the configuration whose code is benchmarked); refuse other code."""
    unsupported = {c.architecture for c in plan.configurations} - set(
        backend.supported_architectures()
    )
    if unsupported:
        names = ", ".join(sorted(a.value for a in unsupported))
        raise UnsupportedArchitecture(
            f"this backend cannot run {names} at real speed ({backend.describe()}); "
            "it will not report other timings under those prices. Drop it from --architectures"
        )
    name, qualifier = plan.target.name, plan.target.qualifier
    latest = backend.get_configuration(name)
    if latest.package_type != "Zip" and plan.scratch_copy:
        raise ConfigError(
            f"{name} is a container image; --scratch-copy supports ZIP functions only"
        )
    if qualifier in (None, "$LATEST"):
        return latest, latest
    source = backend.get_configuration(name, qualifier)
    if plan.scratch_copy:
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


@dataclass
class Preparation:
    """Publishes the plan's versions on `target`, recording each step in `ledger` first."""

    plan: TuningPlan
    backend: Backend
    ledger: RunLedger
    warn: Callable[[str], None]

    def run(self, start: FunctionConfig) -> dict[Configuration, str]:
        """One version per configuration behind a temporary alias; returns the aliases."""
        aliases: dict[Configuration, str] = {}
        current = start
        for configuration in self.plan.configurations:
            current, version = self._publish(current, configuration)
            alias = self.plan.alias_for(configuration)
            # Recorded first: the name is known in advance, and an alias the ledger does
            # not know would keep its version from being deleted after a SIGKILL
            # (DeleteFunction on a version an alias points to is a ResourceConflict).
            # Deleting an alias that was never created is not an error.
            entry = self.ledger.record(alias_created(current.function_name, alias, version))
            self.backend.create_alias(current.function_name, alias, version)
            self.ledger.done(entry)
            aliases[configuration] = alias
        return aliases

    def _publish(
        self, current: FunctionConfig, configuration: Configuration
    ) -> tuple[FunctionConfig, str]:
        """Set `$LATEST` to `configuration` and publish it; return ($LATEST after, version)."""
        target = current.function_name
        entry = self.ledger.record(
            latest_updated(
                current, configuration.memory_mb, configuration.architecture, current.revision_id
            )
        )
        updated = self.backend.update_configuration(
            target,
            memory_mb=configuration.memory_mb,
            architecture=configuration.architecture,
            revision_id=current.revision_id,
        )
        self.ledger.done(entry, revision_after=updated.revision_id)
        # Recorded first: a kill before the version number is written would otherwise
        # leave a version nobody knows; undo finds it by its description.
        description = self.plan.version_description(configuration)
        entry = self.ledger.record(version_published(target, description))
        version = self.backend.publish_version(
            target,
            description=description,
            code_sha256=updated.code_sha256,
            revision_id=updated.revision_id,
        )
        owned = version.description.startswith(self.ledger.version_prefix)
        if not owned:
            # PublishVersion returned an existing version (nothing changed since it
            # was published): it is not ours, so it is used but never deleted.
            self.warn(
                f"{configuration.label}: reusing existing version {version.version} "
                "(Lambda does not publish unchanged code and configuration twice)"
            )
        self.ledger.update(entry, version=version.version, owned=owned)
        after = self._latest_after_publish(target, configuration, updated)
        self.ledger.done(entry, revision_after=after.revision_id)
        return after, version.version

    def _latest_after_publish(
        self, target: str, configuration: Configuration, updated: FunctionConfig
    ) -> FunctionConfig:
        """`$LATEST` after PublishVersion, which on AWS gives it a new RevisionId.

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
        return current
