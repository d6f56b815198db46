"""The Lambda entry point of every step: build the boto3 backend, run the pure step.

`handle(event, context)` is the handler the state machine's tasks invoke
(`powertune.stepfunctions.handler.handle`); `event["step"]` names the step. The
Lambda client is the one boto3 builds from the function's environment (its
role's credentials; `AWS_ENDPOINT_URL` on the local cloud), with botocore's own
retries off: `AwsBackend` retries throttling and conflicts itself, and a retried
Invoke would run the function twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from powertune.backends.aws import AwsBackend
from powertune.errors import ConfigError
from powertune.stepfunctions import batches, lifecycle
from powertune.stepfunctions.codec import Json
from powertune.stepfunctions.sweep import sweep
from powertune.tuning.ports import Backend


def lambda_backend() -> Backend:
    client = boto3.client(
        "lambda",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=960),
    )
    return AwsBackend(client)


def _time_left(context: Any) -> Callable[[], float]:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:  # called outside Lambda (a test, a REPL): Lambda's longest
        deadline = time.monotonic() + 900.0
        return lambda: (deadline - time.monotonic()) * 1000.0
    return lambda: float(remaining())


#: Step Functions' limit on a state's input or output (256 KiB), less room for its wrapping
STATE_LIMIT_BYTES = 250_000


def run_step(event: Json, backend: Backend, time_left_ms: Callable[[], float]) -> Json:
    """Run one step; refuse to return a state Step Functions could not carry."""
    output = _dispatch(event, backend, time_left_ms)
    size = len(json.dumps(output, separators=(",", ":")))
    if size > STATE_LIMIT_BYTES:
        # Raised here, the error is caught by the state machine and the clean-up runs on
        # the step's input; a state over the limit would fail the execution uncaught.
        raise ConfigError(
            f"the run's state grew to {size} bytes, over Step Functions' 256 KiB per state "
            f"(after {len(output.get('records', []))} invocations); lower --budget or "
            "--invocations, or tune with the CLI engine, which has no such limit"
        )
    return output


def _dispatch(event: Json, backend: Backend, time_left_ms: Callable[[], float]) -> Json:
    step = event.get("step")
    if step == "invoke":
        return batches.invoke_size(event, backend, time_left_ms=time_left_ms)
    if step == "sweep":  # the fleet's clean-up of one function whose child workflow failed
        return sweep(event["item"], backend)
    state: Json = event.get("state", {})
    if step == "plan":
        return lifecycle.plan(state, backend, now=time.time(), time_left_ms=time_left_ms)
    if step == "prepare":
        return lifecycle.prepare(state, backend)
    if step == "analyse":
        return batches.analyse(state)
    if step == "cleanup":
        return lifecycle.clean_up(state, backend, now=time.time())
    raise ConfigError(
        f"unknown step {step!r}; the state machines send plan, prepare, invoke, analyse, "
        "cleanup or sweep (is the ASL from another powertune version?)"
    )


def handle(event: Json, context: Any) -> Json:
    """Lambda handler of the tuner's steps."""
    return run_step(event, lambda_backend(), _time_left(context))
