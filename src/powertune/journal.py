"""The on-disk journal of a tuning run, and `powertune cleanup` that replays it.

Before its first change a run writes `<state>/journals/<function>-<run>.json`
with the original configuration and RevisionId; every version, alias and
scratch copy it creates is added before the next step, and the file is
removed once everything is undone. After a SIGKILL or a lost connection,
`recover()` finishes the job from the file: it deletes what the run created and
restores the original configuration, unless someone changed the function since
(its RevisionId moved), in which case it says so and leaves it alone.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from powertune.errors import BackendError, ConfigError
from powertune.tuning.models import Architecture
from powertune.tuning.plan import version_description_prefix
from powertune.tuning.ports import Backend, FunctionConfig

ENV_STATE_DIR = "POWERTUNE_STATE_DIR"


def default_state_dir() -> Path:
    """`$POWERTUNE_STATE_DIR`, else `$XDG_STATE_HOME/powertune`, else ~/.local/state/powertune."""
    explicit = os.environ.get(ENV_STATE_DIR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "powertune"


class FileJournal:
    """A Journal that rewrites one JSON file atomically at each event."""

    def __init__(self, directory: Path, function_name: str, run_id: str) -> None:
        self.path = directory / "journals" / f"{function_name}-{run_id}.json"
        self._doc: dict[str, Any] = {
            "function_name": function_name,
            "run_id": run_id,
            "original": None,
            "scratch_copy": None,
            "last_revision": None,
            "applying": None,
            "restored": False,
            "created_function": None,
            "publishing": [],
            "versions": [],
            "aliases": [],
        }

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._doc, indent=2), encoding="utf-8")
        tmp.replace(self.path)

    def begin(self, original: FunctionConfig, *, scratch_copy: str | None) -> None:
        self._doc["original"] = {**asdict(original), "architecture": original.architecture.value}
        self._doc["scratch_copy"] = scratch_copy
        self._write()

    def updating(self, memory_mb: int, architecture: Architecture) -> None:
        self._doc["applying"] = {"memory_mb": memory_mb, "architecture": architecture.value}
        self._write()

    def updated(self, revision_id: str) -> None:
        self._doc["last_revision"] = revision_id
        self._write()

    def created_function(self, function_name: str) -> None:
        self._doc["created_function"] = function_name
        self._write()

    def publishing(self, function_name: str) -> None:
        if function_name not in self._doc["publishing"]:
            self._doc["publishing"].append(function_name)
            self._write()

    def created_version(self, function_name: str, version: str) -> None:
        self._doc["versions"].append([function_name, version])
        self._write()

    def created_alias(self, function_name: str, alias: str) -> None:
        self._doc["aliases"].append([function_name, alias])
        self._write()

    def deleted_alias(self, function_name: str, alias: str) -> None:
        self._doc["aliases"] = [a for a in self._doc["aliases"] if a != [function_name, alias]]
        self._write()

    def deleted_version(self, function_name: str, version: str) -> None:
        self._doc["versions"] = [v for v in self._doc["versions"] if v != [function_name, version]]
        self._write()

    def restored(self) -> None:
        self._doc["restored"] = True
        self._write()

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


def pending_journals(directory: Path, function_name: str) -> list[Path]:
    """Journals left behind by interrupted runs on `function_name`."""
    folder = directory / "journals"
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(
                f"journal {str(path)!r} is unreadable ({exc}); repair it, or delete it after "
                "checking the function's aliases and versions by hand"
            ) from exc
        if isinstance(doc, dict) and doc.get("function_name") == function_name:
            found.append(path)
    return found


def journal_region(journal_path: Path) -> str | None:
    """The region of the function a journal's run tuned (from its ARN), if recorded."""
    try:
        doc = json.loads(journal_path.read_text(encoding="utf-8"))
        arn = str(doc["original"]["function_arn"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" else None


def recover(backend: Backend, journal_path: Path) -> list[str]:
    """Undo what an interrupted run left behind; return what was done, line by line."""
    try:
        doc = json.loads(journal_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read journal {journal_path}: {exc}") from exc
    done: list[str] = []
    for fn, alias in doc["aliases"]:
        backend.delete_alias(fn, alias)
        done.append(f"deleted alias {fn}:{alias}")
    for fn, version in doc["versions"]:
        backend.delete_version(fn, version)
        done.append(f"deleted version {fn}:{version}")
    done += _delete_unjournaled_versions(backend, doc)
    if doc.get("created_function"):
        backend.delete_function(doc["created_function"])
        done.append(f"deleted scratch copy {doc['created_function']}")
    line = _restore_original(backend, doc)
    if line is not None:
        done.append(line)
    journal_path.unlink(missing_ok=True)
    return done


def _restore_original(backend: Backend, doc: dict[str, Any]) -> str | None:
    """Put `$LATEST` back at its original configuration unless someone else changed it."""
    name = doc["function_name"]
    original = doc.get("original")
    applying = doc.get("applying")
    revision = doc.get("last_revision")
    if not original or doc.get("restored") or doc.get("scratch_copy"):
        return None
    if not revision and not applying:
        return None  # the run never got to change $LATEST
    memory = int(original["memory_mb"])
    architecture = Architecture(original["architecture"])
    if revision:
        try:
            backend.update_configuration(
                name, memory_mb=memory, architecture=architecture, revision_id=revision
            )
            return f"restored {name} to {memory} MB"
        except BackendError as exc:
            if exc.code != "PreconditionFailedException":
                raise
    # The RevisionId is not the last one journaled: either someone deployed, or the run
    # was killed between an update and its journal entry. Only in the second case is
    # $LATEST exactly at the configuration being applied, with the original code.
    current = backend.get_configuration(name)
    if (current.memory_mb, current.architecture) == (memory, architecture):
        return f"{name} is already at its original {memory} MB"
    ours = applying is not None and (
        current.memory_mb,
        current.architecture.value,
        current.code_sha256,
    ) == (int(applying["memory_mb"]), applying["architecture"], original["code_sha256"])
    if ours:
        backend.update_configuration(
            name, memory_mb=memory, architecture=architecture, revision_id=current.revision_id
        )
        return f"restored {name} to {memory} MB"
    return (
        f"left {name} alone: it changed after the run's last update (someone deployed); "
        f"its original memory was {memory} MB"
    )


def _delete_unjournaled_versions(backend: Backend, doc: dict[str, Any]) -> list[str]:
    """Versions published by the run but killed before their journal entry, found by description."""
    prefix = version_description_prefix(doc["run_id"])
    done: list[str] = []
    for fn in doc.get("publishing", []):
        if fn == doc.get("created_function"):
            continue  # deleted with the scratch copy
        try:
            versions = backend.list_versions(fn)
        except BackendError as exc:
            if exc.code == "ResourceNotFoundException":
                continue
            raise
        for v in versions:
            if v.description.startswith(prefix) and [fn, v.version] not in doc["versions"]:
                backend.delete_version(fn, v.version)
                done.append(f"deleted version {fn}:{v.version} (published, not yet journaled)")
    return done
