"""`powertune apply FUNCTION --memory N` and `powertune rollback FUNCTION`.

Apply sets the memory (and moves `--alias` to a freshly published version),
writes it back to Terraform and records `apply-<ts>.json`. Rollback reads the
latest apply record of the function in `--history` that has not been rolled
back yet, and puts the previous size (and the alias) back, through the same code.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from powertune.cli.apply_flow import DEFAULT_HISTORY, WriteBack, actor, run_apply, writeback_options
from powertune.cli.target_options import lambda_backend, target_options
from powertune.decision.apply import Applied, ApplyPlan
from powertune.decision.policy import FunctionChanged
from powertune.decision.records import applied_from_json, apply_to_json
from powertune.errors import ConfigError
from powertune.lambda_model import MAX_MEMORY_MB, MIN_MEMORY_MB
from powertune.storage.history import apply_records
from powertune.tuning.plan import parse_function


@click.command()
@click.argument("function")
@click.option("--memory", "memory_mb", type=int, required=True, help="Memory size in MB.")
@click.option("--alias", default=None, help="Also publish a version and move this alias to it.")
@click.option(
    "--decision",
    "decision_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The decision-<ts>.json this apply carries out (recorded as the reason).",
)
@writeback_options
@target_options
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_HISTORY,
    show_default=True,
    help="Folder for apply-<ts>.json.",
)
def apply(
    function: str,
    memory_mb: int,
    alias: str | None,
    decision_file: Path | None,
    terraform_dir: Path | None,
    tfvar: str,
    region: str | None,
    endpoint_url: str | None,
    use_local: bool,
    local_state_dir: Path | None,
    output: Path,
) -> None:
    """Set FUNCTION's memory to N MB (and --alias), write it back, and record it."""
    if not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
        raise ConfigError(
            f"--memory {memory_mb} is outside Lambda's range; use {MIN_MEMORY_MB} to "
            f"{MAX_MEMORY_MB} MB"
        )
    writeback = WriteBack.checked(terraform_dir, tfvar)
    backend, the_region = lambda_backend(
        function,
        region=region,
        endpoint_url=endpoint_url,
        use_local=use_local,
        local_state_dir=local_state_dir,
    )
    plan = ApplyPlan(parse_function(function).name, memory_mb, alias=alias)
    record, path = run_apply(
        backend,
        plan,
        region=the_region,
        history=output,
        writeback=writeback,
        at=datetime.now(UTC),
        by=actor(),
        decision_file=None if decision_file is None else str(decision_file),
    )
    click.echo(json.dumps(apply_to_json(record), indent=2))
    _say("applied", record.applied, path)


@click.command()
@click.argument("function")
@click.option(
    "--history",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_HISTORY,
    show_default=True,
    help="Folder holding the apply records (and where the rollback is recorded).",
)
@writeback_options
@target_options
def rollback(
    function: str,
    history: Path,
    terraform_dir: Path | None,
    tfvar: str,
    region: str | None,
    endpoint_url: str | None,
    use_local: bool,
    local_state_dir: Path | None,
) -> None:
    """Put FUNCTION back to the size (and alias) it had before its latest apply."""
    name = parse_function(function).name
    source, last = latest_unreverted(history, name)
    writeback = WriteBack.checked(terraform_dir, tfvar)
    backend, the_region = lambda_backend(
        function,
        region=region,
        endpoint_url=endpoint_url,
        use_local=use_local,
        local_state_dir=local_state_dir,
    )
    live = backend.get_configuration(name)
    if live.memory_mb != last.memory_mb_after:
        raise FunctionChanged(
            f"{name} is at {live.memory_mb} MB, not the {last.memory_mb_after} MB that {source} "
            "applied: it changed since, so rolling back would undo someone else's change. "
            f"Set it with `powertune apply {name} --memory N` instead"
        )
    plan = ApplyPlan(
        name,
        last.memory_mb_before,
        # an alias the apply created is pointed at a new version of the restored size
        alias=last.alias,
        alias_version=last.alias_version_before,
        reason="rollback",
    )
    record, path = run_apply(
        backend,
        plan,
        region=the_region,
        history=history,
        writeback=writeback,
        at=datetime.now(UTC),
        by=actor(),
        action="rollback",
        rolls_back=str(source),
    )
    click.echo(json.dumps(apply_to_json(record), indent=2))
    _say("rolled back", record.applied, path)


def latest_unreverted(history: Path, function_name: str) -> tuple[Path, Applied]:
    """The newest apply record of the function that no later rollback reverted."""
    reverted: set[str] = set()
    for path, doc in apply_records(history, function_name):
        if doc.get("action") == "rollback":
            reverted.add(str(doc.get("rolls_back")))
            continue
        if str(path) not in reverted and path.name not in {Path(r).name for r in reverted}:
            return path, applied_from_json(doc, str(path))
    raise ConfigError(
        f"no apply of {function_name} to roll back in {history} (every apply record there is "
        "rolled back already, or there is none); pass --history with the folder the apply used"
    )


def _say(verb: str, applied: Applied, path: Path) -> None:
    alias = ""
    if applied.alias:
        alias = (
            f", alias {applied.alias}: {applied.alias_version_before} -> "
            f"{applied.alias_version_after}"
        )
    click.echo(
        f"{verb}: {applied.function_name} {applied.memory_mb_before} MB -> "
        f"{applied.memory_mb_after} MB{alias}\n  record: {path}",
        err=True,
    )
