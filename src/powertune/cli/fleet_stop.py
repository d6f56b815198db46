"""Stopping a fleet and sweeping its functions from the command (Ctrl-C, a failed fleet).

The fleet's own items sweep a function whose child failed. When the fleet itself
cannot finish (it ended FAILED, or the user pressed Ctrl-C and it was stopped),
no item gets to, so the command sweeps every function it sent, with the same
`sweep` as the items. On Ctrl-C it first stops the fleet execution and each
tuner child workflow (by the name it gave them), and waits for them to end, so
their steps no longer start changes while the sweep runs.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from powertune.errors import PowertuneError
from powertune.stepfunctions.sweep import sweep
from powertune.tuning.ports import Backend

if TYPE_CHECKING:
    from powertune.cli.fleet_flow import Sent

#: how long stopped executions are given to end before the sweep starts anyway
STOP_WAIT_S = 60.0
_STOP_CAUSE = "powertune fleet was interrupted; the command sweeps every function"


def sweep_all(
    sent: list[Sent], backend: Backend, error: str | None, cause: str | None
) -> list[str]:
    """Sweep every function sent; what could not be swept, one line each."""
    left = []
    for s in sent:
        item = {**s.item.to_json(), "error": {"Error": error, "Cause": cause}}
        try:
            outcome = sweep(item, backend)
        except PowertuneError as exc:
            left.append(f"{s.item.function}: {exc}")
            continue
        if not outcome["cleanup"]["complete"]:
            left.append(f"{s.item.function}: " + "; ".join(outcome["cleanup"]["problems"]))
    return left


def swept_message(left: list[str]) -> str:
    if not left:
        return "every function was swept clean: no temporary version or alias is left"
    return "left (run `powertune cleanup FUNCTION` on each): " + "; ".join(left)


def _tuner_arn(sfn: Any, fleet_machine: str) -> str | None:
    """The tuner the fleet starts, read from the fleet's own definition."""
    try:
        definition = json.loads(
            sfn.describe_state_machine(stateMachineArn=fleet_machine)["definition"]
        )
        task = definition["States"]["TuneFleet"]["ItemProcessor"]["States"]["TuneFunction"]
        return str(task["Parameters"]["StateMachineArn"])
    except (ClientError, KeyError, ValueError):
        return None


def _stop(sfn: Any, arn: str) -> bool:
    """Stop `arn` if it runs; whether it may still be running."""
    try:
        if sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
            return False
        sfn.stop_execution(executionArn=arn, cause=_STOP_CAUSE)
    except ClientError:
        return False  # never started (ExecutionDoesNotExist), or already over
    return True


def stop_and_sweep(
    sfn: Any, fleet_machine: str, fleet_arn: str, sent: list[Sent], backend: Backend
) -> list[str]:
    """Stop the fleet and its tuner children, wait for them to end, sweep every function."""
    tuner = _tuner_arn(sfn, fleet_machine)
    children = []
    if tuner is not None:
        prefix = tuner.replace(":stateMachine:", ":execution:", 1)
        children = [f"{prefix}:{s.item.execution_name}" for s in sent]
    running = [a for a in [fleet_arn, *children] if _stop(sfn, a)]
    deadline = time.monotonic() + STOP_WAIT_S
    while running and time.monotonic() < deadline:
        time.sleep(1.0)
        running = [a for a in running if _still_running(sfn, a)]
    return sweep_all(sent, backend, "Interrupted", _STOP_CAUSE)


def _still_running(sfn: Any, arn: str) -> bool:
    try:
        return bool(sfn.describe_execution(executionArn=arn)["status"] == "RUNNING")
    except ClientError:
        return False
