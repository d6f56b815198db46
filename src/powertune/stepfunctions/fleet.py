"""A fleet execution: its input, its items' outcomes, and every transition it was billed for.

The fleet state machine (`fleet.asl.json`) is a Distributed Map over the input's
`items`; each item runs the tuner as a child workflow and ends with
`{function, status, error, execution_arn}`. The execution's output is the list
of those outcomes, so it stays small whatever the fleet measured: the tuned
runs' records are read from each child execution's own output.

A Standard workflow is billed per transition in every execution it runs: the
fleet's own, the map run's child executions (one per item on AWS), and the
tuner's executions. `transitions` counts them all from their histories.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError

from powertune.errors import ConfigError
from powertune.stepfunctions.codec import Json
from powertune.stepfunctions.execution import history, transitions_in

#: Step Functions' limit on an execution's input (256 KiB), less room for its wrapping
INPUT_LIMIT_BYTES = 250_000


class ItemStatus(StrEnum):
    """An item's `status` as the fleet state machine writes it."""

    TUNED = "tuned"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FleetItem:
    """One function of the fleet as sent: the child's name and input, its config when read."""

    function: str
    execution_name: str
    execution_input: Json
    original: Json

    def to_json(self) -> Json:
        return {
            "function": self.function,
            "name": self.execution_name,
            "input": self.execution_input,
            "original": self.original,
        }


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What the fleet said of one function."""

    function: str
    status: ItemStatus
    error: str | None
    execution_arn: str | None
    cleanup_complete: bool = True
    swept: bool = True  # False: the sweep itself failed (the item ended in NotSwept)


def fleet_input(items: list[FleetItem]) -> Json:
    """The fleet execution's input; a ConfigError when Step Functions could not take it."""
    doc: Json = {"items": [i.to_json() for i in items]}
    size = len(json.dumps(doc, separators=(",", ":")))
    if size > INPUT_LIMIT_BYTES:
        per_item = size // max(1, len(items))
        raise ConfigError(
            f"the fleet's input is {size} bytes for {len(items)} functions (about {per_item} "
            f"each), over Step Functions' 256 KiB; narrow the fleet with another --tag, or "
            f"use a smaller --payload (at most about {INPUT_LIMIT_BYTES // per_item} functions "
            "fit in one execution)"
        )
    return doc


def outcomes(output: Any, items: list[FleetItem]) -> list[ItemOutcome]:
    """Each item's outcome from the fleet's output (a list, in the items' order)."""
    if not isinstance(output, list) or len(output) != len(items):
        raise ConfigError(
            "the fleet execution's output is not one outcome per function; was it started "
            "from another state machine than powertune's fleet?"
        )
    found = []
    for doc, item in zip(output, items, strict=True):
        error = doc.get("error")
        if doc.get("sweep_error"):
            error = f"{error}: {doc.get('cause')}; and its sweep failed: {doc['sweep_cause']}"
        found.append(
            ItemOutcome(
                function=str(doc.get("function", item.function)),
                status=ItemStatus(doc.get("status", ItemStatus.FAILED)),
                error=None if error is None else str(error),
                execution_arn=doc.get("execution_arn"),
                cleanup_complete=bool((doc.get("cleanup") or {}).get("complete", True)),
                swept=not doc.get("sweep_error"),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Transitions:
    """Billed transitions of a fleet run: its own, its items' executions', the tuners'.

    `items_from` says where the items' count came from: their executions' histories
    (AWS), or their outcomes when the map run kept no child executions (moto runs the
    items inside the fleet's own execution and records none of their events).
    """

    fleet: int
    items: int
    tuners: dict[str, int]
    items_from: str = "histories"

    @property
    def total(self) -> int:
        return self.fleet + self.items + sum(self.tuners.values())


def _map_run_executions(sfn: Any, fleet_arn: str) -> list[str]:
    """The map run's child executions (AWS runs one per item; moto runs none)."""
    try:
        runs = sfn.list_map_runs(executionArn=fleet_arn).get("mapRuns", [])
        arns: list[str] = []
        for run in runs:
            kwargs: dict[str, Any] = {"mapRunArn": run["mapRunArn"]}
            while True:
                page = sfn.list_executions(**kwargs)
                arns += [str(e["executionArn"]) for e in page.get("executions", [])]
                if not page.get("nextToken"):
                    break
                kwargs["nextToken"] = page["nextToken"]
        return arns
    except ClientError:
        return []


def item_transitions(outcome: ItemOutcome) -> int:
    """An item's transitions by the path it took (pure): TuneFunction then Tuned, or
    TuneFunction then SweepFunction (then NotSwept when the sweep itself failed)."""
    return 2 if outcome.swept else 3


def count_transitions(sfn: Any, fleet_arn: str, found: list[ItemOutcome]) -> Transitions:
    """Every transition the fleet run was billed for, from the executions' histories."""
    fleet = transitions_in(history(sfn, fleet_arn))
    children = _map_run_executions(sfn, fleet_arn)
    tuners = {
        o.execution_arn: transitions_in(history(sfn, o.execution_arn))
        for o in found
        if o.execution_arn
    }
    if children:
        items = sum(transitions_in(history(sfn, a)) for a in children)
        return Transitions(fleet, items, tuners)
    items = sum(item_transitions(o) for o in found)
    return Transitions(fleet, items, tuners, items_from="outcomes")
