"""Start an execution, follow it to its end, and count what Step Functions bills for it.

A Standard workflow is billed per state transition
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-standard-vs-express.html):
each state entered, inside Map iterations too, and each retry. They are counted
from the execution's own history, so the cost is the execution's real one:
`*StateEntered` events plus the Task attempts beyond the first (a retry schedules
its Lambda again without entering the state again).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from powertune.clock import Clock
from powertune.errors import ConfigError, PowertuneError
from powertune.stepfunctions.codec import Json

#: how often the execution's status is read (DescribeExecution allows 15 calls/s per account)
POLL_S = 1.0
#: the history (for progress) is read every this many polls: it grows with the run
HISTORY_EVERY = 5


class ExecutionFailed(PowertuneError):
    """The execution ended FAILED (after its clean-up), TIMED_OUT or ABORTED."""


@dataclass(frozen=True, slots=True)
class Finished:
    """An execution that ended: its status, output or error, and its transitions."""

    execution_arn: str
    status: str
    output: Json | None
    error: str | None
    cause: str | None
    transitions: int


def transitions_in(events: list[dict[str, Any]]) -> int:
    """Billed state transitions of an execution's history events."""
    entered = sum(1 for e in events if str(e["type"]).endswith("StateEntered"))
    tasks_entered = sum(1 for e in events if e["type"] == "TaskStateEntered")
    scheduled = sum(1 for e in events if e["type"] == "TaskScheduled")
    return entered + max(0, scheduled - tasks_entered)


def history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def follow(
    sfn: Any,
    execution_arn: str,
    clock: Clock,
    on_progress: Callable[[list[dict[str, Any]]], None] | None = None,
) -> Finished:
    """Wait for `execution_arn` to end; `on_progress` sees the history as it grows."""
    polls = 0
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        status = str(described["status"])
        if on_progress is not None and (polls % HISTORY_EVERY == 0 or status != "RUNNING"):
            on_progress(history(sfn, execution_arn))
        if status != "RUNNING":
            break
        polls += 1
        clock.sleep(POLL_S)
    output = described.get("output")
    return Finished(
        execution_arn=execution_arn,
        status=status,
        output=None if output is None else json.loads(output),
        error=described.get("error"),
        cause=described.get("cause"),
        transitions=transitions_in(history(sfn, execution_arn)),
    )


def start(sfn: Any, state_machine_arn: str, name: str, execution_input: Json) -> str:
    response = sfn.start_execution(
        stateMachineArn=state_machine_arn, name=name, input=json.dumps(execution_input)
    )
    return str(response["executionArn"])


def usd_per_transition(region: str) -> float:
    """A Standard workflow's price per transition in `region` (package data, with its source)."""
    doc = json.loads((resources.files("powertune.stepfunctions") / "prices.json").read_text())
    if region in doc["cny_per_transition"]:
        return float(doc["cny_per_transition"][region])
    table: dict[str, float] = doc["usd_per_transition"]
    return float(table.get(region, table["default"]))


def execution_cost_usd(transitions: int, region: str) -> float:
    """What the execution's transitions cost (in CNY in China, as the result's other costs)."""
    if transitions < 0:
        raise ConfigError(f"{transitions} state transitions: a count cannot be negative")
    return transitions * usd_per_transition(region)


def error_message(finished: Finished) -> str:
    """The failed step's own message: the Lambda error's `errorMessage`, else the cause."""
    cause = finished.cause or ""
    try:
        doc = json.loads(cause)
    except ValueError:
        doc = None
    message = doc.get("errorMessage") if isinstance(doc, dict) else None
    return f"{finished.error}: {message or cause or 'no cause given'}"
