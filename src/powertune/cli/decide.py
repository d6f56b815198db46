"""`powertune decide RESULT.json --mode auto|manual`: act on a tuning result.

Reads the function's memory live, runs the pure change policy
(`powertune.decision.policy`), applies the change in auto mode through the same
code as `powertune apply`, and records `decision-<ts>.json` and
`memory-summary-<ts>.md`. Exit codes: 0 applied or nothing to do, 1 error
(including a function changed since the tuning, without --force), 2 bad input,
3 approval denied or timed out.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from powertune.cli.apply_flow import DEFAULT_HISTORY, WriteBack, actor, run_apply, writeback_options
from powertune.cli.decide_manual import issue_body, run_manual_gate
from powertune.cli.gate_options import gate_keys, gate_options, gate_settings
from powertune.cli.target_options import lambda_backend, target_options
from powertune.decision.apply import ApplyPlan
from powertune.decision.policy import DEFAULT_MONTHLY_INVOCATIONS, PolicyOptions, decide_change
from powertune.decision.records import DecisionRecord, Outcome, decision_to_json
from powertune.decision.summary import render_summary
from powertune.errors import ApprovalRefused, ConfigError
from powertune.reports.naming import ReportFormat, report_paths
from powertune.results.model import TuningResult
from powertune.storage.history import new_path, write_json, write_text
from powertune.storage.results import read_result
from powertune.tuning.plan import parse_function
from powertune.tuning.ports import Backend

F = TypeVar("F", bound=Callable[..., Any])
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*$")


def parse_min_savings(text: str) -> float:
    """`5%` (or `5`) as 0.05; a ConfigError for anything outside 0-100%."""
    match = _PERCENT.match(text)
    value = float(match.group(1)) / 100 if match else -1.0
    if not 0.0 <= value <= 1.0:
        raise ConfigError(
            f"--min-savings {text!r} is not a percentage; write it as 5% (from 0% to 100%)"
        )
    return value


def saving_options(command: F) -> F:
    """--min-savings and --monthly-invocations, shared by `decide` and `fleet --mode`."""
    command = click.option(
        "--monthly-invocations",
        type=click.IntRange(min=0),
        default=DEFAULT_MONTHLY_INVOCATIONS,
        show_default=True,
        help="Invocations per month, for the projection.",
    )(command)
    return click.option(
        "--min-savings", default="5%", show_default=True, help="Smallest saving worth it."
    )(command)


@click.command()
@click.argument("result_file", type=click.Path(path_type=Path))
@click.option("--mode", type=click.Choice(["auto", "manual"]), required=True, help="auto applies.")
@saving_options
@click.option("--force", is_flag=True, help="Decide even if the function changed since tuning.")
@writeback_options
@click.option("--alias", default=None, help="Also publish a version and move this alias to it.")
@target_options
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_HISTORY,
    show_default=True,
    help="Folder for decision-<ts>.json, memory-summary-<ts>.md, apply-<ts>.json.",
)
@click.option("--dry-run", is_flag=True, help="Decide and print; change and write nothing.")
@gate_options
def decide(**options: Any) -> None:
    """Decide whether to move the function in RESULT.json to its recommended size, and act."""
    gate_values = {key: options.pop(key) for key in gate_keys()}
    o = DecideOptions(**options)
    gate = gate_settings(gate_values, os.environ) if o.mode == "manual" else None
    policy = PolicyOptions(parse_min_savings(o.min_savings), o.monthly_invocations, o.force)
    writeback = WriteBack.checked(o.terraform_dir, o.tfvar)
    result = read_result(o.result_file)
    if result.recommendation is None:
        raise ConfigError(
            f"{o.result_file} holds no recommendation (every size failed, or it was never "
            "analysed); run `powertune analyze` on it or tune again"
        )
    backend, region = lambda_backend(
        result.function_arn,
        region=o.region,
        endpoint_url=o.endpoint_url,
        use_local=o.use_local,
        local_state_dir=o.local_state_dir,
        default_region=result.region,
    )
    live = backend.get_configuration(parse_function(result.function_arn).name)
    decision = decide_change(result, live, policy)
    now, by = datetime.now(UTC), f"powertune {o.mode} mode, run by {actor()}"
    record = DecisionRecord(decision, o.mode, Outcome.NO_CHANGE, by, now, str(o.result_file))
    if o.dry_run:
        record = replace(record, outcome=Outcome.DRY_RUN)
        click.echo(json.dumps(decision_to_json(record), indent=2))
        click.echo(render_summary(record), err=True)
        return
    decision_path = new_path(o.output, "decision", now, ".json")
    links = report_links(o.result_file, result, o.output)
    refused = None
    if decision.change and gate is None:
        record = _apply(record, backend, region, o, writeback, decision_path)
    elif decision.change and gate is not None:
        body = issue_body(record, result, o.result_file, links)
        record, refused = run_manual_gate(
            gate, record, body, lambda r: _apply(r, backend, region, o, writeback, decision_path)
        )
    write_json(decision_path, decision_to_json(record))
    summary_path = new_path(o.output, "memory-summary", now, ".md")
    summary = write_text(summary_path, render_summary(record, links))
    click.echo(json.dumps(decision_to_json(record), indent=2))
    _say(record, decision_path, summary)
    if refused is not None:
        raise ApprovalRefused(refused)


@dataclass(frozen=True, slots=True)
class DecideOptions:
    """The parsed command line of `decide`."""

    result_file: Path
    mode: str
    min_savings: str
    monthly_invocations: int
    force: bool
    terraform_dir: Path | None
    tfvar: str
    alias: str | None
    region: str | None
    endpoint_url: str | None
    use_local: bool
    local_state_dir: Path | None
    output: Path
    dry_run: bool


def _apply(
    record: DecisionRecord,
    backend: Backend,
    region: str,
    o: DecideOptions,
    writeback: WriteBack,
    decision_path: Path,
) -> DecisionRecord:
    """The apply step: exactly `powertune apply`, recorded as this decision's."""
    d = record.decision
    plan = ApplyPlan(d.function_name, d.recommended_memory_mb, alias=o.alias, reason="decide")
    applied, apply_path = run_apply(
        backend,
        plan,
        region=region,
        history=o.output,
        writeback=writeback,
        at=record.decided_at,
        by=record.decided_by,
        decision_file=str(decision_path),
    )
    return replace(
        record,
        outcome=Outcome.APPLIED,
        apply_file=str(apply_path),
        terraform=applied.terraform,
    )


def report_links(result_file: Path, result: TuningResult, folder: Path) -> list[tuple[str, str]]:
    """(label, path relative to `folder`) of the run's HTML and PNG reports that exist."""
    paths = report_paths(result_file, result)
    links = []
    for label, fmt in (("HTML report", ReportFormat.HTML), ("PNG chart", ReportFormat.PNG)):
        path = Path(paths[fmt])
        if path.is_file():
            links.append((label, os.path.relpath(path, folder)))
    return links


def _say(record: DecisionRecord, decision_path: Path, summary: Path) -> None:
    """A few lines on stderr: what happened, the saving per million, the files."""
    d = record.decision
    before, after = d.before, d.after
    per_million = ""
    if before and after and before.cost_per_million_usd and after.cost_per_million_usd:
        delta = before.cost_per_million_usd - after.cost_per_million_usd
        per_million = f", {delta:+.4f} USD saved per million invocations"
    verb = "applied" if record.outcome is Outcome.APPLIED else "no change"
    click.echo(
        f"{verb}: {d.function_name} {d.current_memory_mb} MB -> {d.recommended_memory_mb} MB"
        f"{per_million}",
        err=True,
    )
    click.echo(f"  why: {d.reasons[-1]}", err=True)
    click.echo(f"  decision: {decision_path}\n  summary: {summary}", err=True)
    if record.apply_file:
        click.echo(f"  apply: {record.apply_file}", err=True)
    if record.terraform:
        click.echo(f"  terraform: {record.terraform.path}", err=True)
