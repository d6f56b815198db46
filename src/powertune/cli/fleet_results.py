"""What `powertune fleet` makes of a finished fleet: results, decisions, the table, the record.

Each tuned function's child execution output becomes its result through the
same code as `tune --engine stepfunctions` (`write_execution_result`), into
`DIR/<function>/`. Its `stateMachine.executionCost` is its own child's
transitions plus an equal share of the fleet's (the map and its items), so the
functions' costs add up to the fleet's. With `--mode`, each result goes through
`powertune decide` itself. The fleet's record (`DIR/fleet-<ts>.json`) and a
table of every function's outcome close the run.
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from powertune.errors import ApprovalRefused, PowertuneError
from powertune.stepfunctions.execution import Finished, execution_cost_usd, usd_per_transition
from powertune.stepfunctions.fleet import ItemStatus, count_transitions, outcomes
from powertune.storage.history import new_path, write_json

if TYPE_CHECKING:
    from powertune.cli.fleet_flow import FleetOptions, Sent

FLEET_SCHEMA_VERSION = "1.0"


class FleetIncomplete(PowertuneError):
    """At least one function of the fleet was not tuned (the others were written)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One function's line in the table and the record."""

    function: str
    function_arn: str
    status: ItemStatus
    error: str | None = None
    execution_arn: str | None = None
    result_file: str | None = None
    #: its own child's transitions plus its equal share of the fleet's (so not whole)
    transitions: float = 0.0
    execution_cost: float = 0.0
    memory: str = ""
    decision: str = ""

    @classmethod
    def failed(cls, function: str, arn: str, error: str) -> Outcome:
        return cls(function, arn, ItemStatus.FAILED, error)


def _tuned(s: Sent, arn: str, cost: float, sfn: Any, endpoint_url: str | None) -> Outcome:
    """Write one tuned function's result; a result that cannot be decided is a failure."""
    from powertune.cli.tune_stepfunctions import write_execution_result

    base = Outcome(s.item.function, s.prepared.config.function_arn, ItemStatus.TUNED)
    base = replace(base, execution_arn=arn, execution_cost=cost)
    output = json.loads(sfn.describe_execution(executionArn=arn)["output"])
    try:
        path = write_execution_result(s.options, output, arn, s.prepared.prices, endpoint_url, cost)
    except PowertuneError as exc:
        return replace(base, status=ItemStatus.FAILED, error=str(exc))
    doc = json.loads(path.read_text())
    memory = f"{doc['settings']['original_memory_mb']} -> {doc.get('power')} MB"
    return replace(base, result_file=str(path), memory=memory)


def collect(
    sfn: Any,
    finished: Finished | None,
    sent: list[Sent],
    refused: list[Outcome],
    region: str,
    endpoint_url: str | None,
) -> list[Outcome]:
    """Every function's outcome, the tuned ones' results written, in name order."""
    found = list(refused)
    if finished is not None:
        items = outcomes(finished.output, [s.item for s in sent])
        counted = count_transitions(sfn, finished.execution_arn, items)
        share = (counted.fleet + counted.items) / len(sent)
        for s, item in zip(sent, items, strict=True):
            attributed = share + counted.tuners.get(item.execution_arn or "", 0)
            cost = attributed * usd_per_transition(region)
            if item.status is ItemStatus.TUNED and item.execution_arn:
                outcome = _tuned(s, item.execution_arn, cost, sfn, endpoint_url)
            else:
                error = item.error or "failed without an error"
                if not item.cleanup_complete:
                    error += f"; run `powertune cleanup {s.item.function}` to finish its clean-up"
                outcome = Outcome.failed(s.item.function, s.prepared.config.function_arn, error)
                outcome = replace(outcome, execution_arn=item.execution_arn, execution_cost=cost)
            found.append(replace(outcome, transitions=attributed))
    return sorted(found, key=lambda o: o.function)


def _decide_args(f: FleetOptions, result_file: str, output: Path) -> list[str]:
    """The `decide` command line for one function's result, with the fleet's options."""
    t = f.tune
    args = [result_file, "--mode", str(f.mode), "--min-savings", f.min_savings]
    args += ["--monthly-invocations", str(f.monthly_invocations), "--output", str(output)]
    if f.alias:
        args += ["--alias", f.alias]
    if t["use_local"]:
        args.append("--local")
        if t["local_state_dir"] is not None:
            args += ["--local-state-dir", str(t["local_state_dir"])]
    for flag, key in (("--region", "region"), ("--endpoint-url", "endpoint_url")):
        if t[key]:
            args += [flag, str(t[key])]
    if f.mode == "manual":
        for key, value in f.gate.items():
            flag = "--" + key.replace("_", "-")
            if isinstance(value, bool):
                args += [flag] if value else []
            elif value is not None:
                args += [flag, str(value)]
    return args


def _decide(f: FleetOptions, outcome: Outcome) -> Outcome:
    """Run `powertune decide` on one tuned function's result; its outcome in a word."""
    from powertune.cli.decide import decide

    assert outcome.result_file is not None
    folder = Path(outcome.result_file).parent
    try:
        # decide's JSON goes to stderr here: the fleet's stdout is its table
        with contextlib.redirect_stdout(sys.stderr):
            decide.main(_decide_args(f, outcome.result_file, folder), standalone_mode=False)
    except ApprovalRefused as exc:
        return replace(outcome, decision=f"refused: {exc}")
    except PowertuneError as exc:
        return replace(outcome, status=ItemStatus.FAILED, error=f"decide failed: {exc}")
    newest = sorted(folder.glob("decision-*.json"), key=lambda p: p.stat().st_mtime)[-1]
    doc = json.loads(newest.read_text())
    return replace(outcome, decision=str(doc.get("outcome", "")))


def _record(f: FleetOptions, found: list[Outcome], finished: Finished | None, region: str) -> Path:
    now = datetime.now(UTC)
    total = round(sum(o.transitions for o in found))  # whole again: the shares add up
    doc = {
        "schema_version": FLEET_SCHEMA_VERSION,
        "kind": "fleet",
        "region": region,
        "tags": {t.key: t.value for t in f.tags},
        "execution_arn": None if finished is None else finished.execution_arn,
        "finished_at": now.isoformat(),
        "transitions": total,
        "executionCost": execution_cost_usd(total, region),
        "functions": [
            {
                "function": o.function,
                "function_arn": o.function_arn,
                "status": o.status.value,
                "error": o.error,
                "execution_arn": o.execution_arn,
                "result_file": o.result_file,
                "transitions": o.transitions,
                "executionCost": o.execution_cost,
                "decision": o.decision or None,
            }
            for o in found
        ],
    }
    return write_json(new_path(f.output, "fleet", now, ".json"), doc)


def _table(found: list[Outcome], decided: bool) -> Table:
    table = Table(title="fleet", show_lines=False)
    for column in ("function", "status", "memory", "transitions", "cost (USD)"):
        table.add_column(column)
    if decided:
        table.add_column("decision")
    table.add_column("error")
    for o in found:
        row = [
            o.function,
            o.status.value,
            o.memory,
            f"{o.transitions:.1f}",
            f"{o.execution_cost:.6f}",
        ]
        row += [o.decision] if decided else []
        table.add_row(*row, o.error or "")
    return table


def finish_fleet(
    f: FleetOptions, found: list[Outcome], finished: Finished | None, region: str
) -> None:
    """Decide (with --mode), record, print the table; raise when any function failed."""
    if f.mode is not None:
        found = [_decide(f, o) if o.status is ItemStatus.TUNED else o for o in found]
    record = _record(f, found, finished, region)
    width = None if sys.stdout.isatty() else 200  # logs and CI are not terminals
    Console(file=sys.stdout, width=width).print(_table(found, f.mode is not None))
    total = round(sum(o.transitions for o in found))
    print(
        f"fleet: {total} state transitions, {execution_cost_usd(total, region):.6f} USD; "
        f"record: {record}"
    )
    failed = [o for o in found if o.status is ItemStatus.FAILED]
    if failed:
        raise FleetIncomplete(
            f"{len(failed)} of {len(found)} functions failed: "
            + "; ".join(f"{o.function}: {o.error}" for o in failed)
        )
    refused = [o for o in found if o.decision.startswith("refused")]
    if refused:
        raise ApprovalRefused(", ".join(f"{o.function} {o.decision}" for o in refused))
