"""The fleet's per-item clean-up: after a function's child workflow failed, sweep it.

A child execution that failed normally has already run its own clean-up. One
that was stopped (the item's timeout, someone's StopExecution) or never started
ran none, and its changes are known only from the plan. So the sweep undoes
every change the run may have made, as the tuner's clean-up does after a killed
step: the run's aliases by name, its versions by their description, `$LATEST`
back to the original size if it is at one of the plan's sizes with the original
code. Undoing what never landed is no error, so sweeping a clean function is a
no-op. It returns the item's outcome: `{function, status, error, ...}`.
"""

from __future__ import annotations

import json
import time
from typing import Any

from powertune.stepfunctions.codec import Json, config_from_json
from powertune.stepfunctions.lifecycle import clean_up
from powertune.tuning.ledger import RunLedger
from powertune.tuning.ports import Backend

#: an item's error is kept short: the fleet's output holds every item's result (256 KiB)
ERROR_CHARS = 1_000


def child_error(error: Json) -> tuple[str, str | None]:
    """(what failed, the child execution's ARN) from the Catch's `{Error, Cause}`.

    For a child that ended FAILED, TIMED_OUT or ABORTED, `.sync:2` fails the task
    with `States.TaskFailed` and the child's DescribeExecution as the cause.
    """
    name = str(error.get("Error", "States.Unknown"))
    cause = str(error.get("Cause") or "")
    try:
        described: Any = json.loads(cause)
    except ValueError:
        described = None
    if isinstance(described, dict):
        # DescribeExecution's keys, camelCase or PascalCase as the integration returns them
        described = {str(k).lower(): v for k, v in described.items()}
    if isinstance(described, dict) and "status" in described:
        arn = described.get("executionarn")
        inner = _inner_message(str(described.get("cause") or ""))
        said = f"{described.get('error') or described['status']}: {inner or 'no cause given'}"
        return f"the tuning execution ended {described['status']}: {said}", arn
    if name == "States.Timeout":
        return "the tuning took longer than the fleet's item timeout, and was stopped", None
    return f"{name}: {cause or 'no cause given'}", None


def _inner_message(cause: str) -> str:
    """The failed step's own `errorMessage` when the cause is a Lambda error document."""
    try:
        doc: Any = json.loads(cause)
    except ValueError:
        return cause
    if isinstance(doc, dict) and doc.get("errorMessage"):
        return str(doc["errorMessage"])
    return cause


def sweep(item: Json, backend: Backend, *, now: float | None = None) -> Json:
    """Undo whatever the item's run may have left on its function; return its outcome."""
    message, child_arn = child_error(item.get("error") or {})
    execution_input: Json = item["input"]
    original = config_from_json(item["original"])
    run_id = str(execution_input["request"]["run_id"])
    state = {
        **execution_input,
        "phase": "planned",
        "ledger": RunLedger(original, run_id).to_dict(),
    }
    cleaned = clean_up(state, backend, now=time.time() if now is None else now)
    return {
        "function": item["function"],
        "status": "failed",
        "error": message[:ERROR_CHARS],
        "execution_arn": child_arn,
        "cleanup": cleaned["cleanup"],
        "warnings": cleaned["warnings"],
    }
