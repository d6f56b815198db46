"""Step Functions executions on the local cloud run their Lambda tasks in our engine."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

DOUBLE = """
import os
def handler(event, context):
    return {"doubled": event["n"] * 2, "memory": int(context.memory_limit_in_mb),
            "engine": os.environ.get("AWS_LAMBDA_FUNCTION_NAME")}
"""


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def direct_task(arn: str) -> dict[str, Any]:
    return {"Type": "Task", "Resource": arn, "End": True}


def service_integration_task(arn: str) -> dict[str, Any]:
    # The optimized integration AWS Lambda Power Tuning uses: arn:aws:states:::lambda:invoke.
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": arn, "Payload.$": "$"},
        "OutputPath": "$.Payload",
        "End": True,
    }


@pytest.mark.integration
@pytest.mark.parametrize("task", [direct_task, service_integration_task])
def test_map_of_lambda_tasks_runs_end_to_end(
    boto3_client: Callable[..., Any],
    lambda_role: str,
    task: Callable[[str], dict[str, Any]],
) -> None:
    lam, sfn = boto3_client("lambda"), boto3_client("stepfunctions")
    name = f"double-{uuid.uuid4().hex[:8]}"
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=lambda_role,
        Handler="app.handler",
        Code={"ZipFile": _zip(DOUBLE)},
        MemorySize=384,
    )["FunctionArn"]
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 3,
                "Iterator": {
                    "StartAt": "Double",
                    "States": {"Double": task(arn)},
                },
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(
        name=f"map-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),
        roleArn=lambda_role,
    )["stateMachineArn"]
    execution = sfn.start_execution(
        stateMachineArn=machine, input=json.dumps({"items": [{"n": 1}, {"n": 2}, {"n": 3}]})
    )["executionArn"]
    deadline = time.monotonic() + 120
    described = sfn.describe_execution(executionArn=execution)
    while described["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.3)
        described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert [item["doubled"] for item in output] == [2, 4, 6]
    # Values only our engine produces: the configured memory and Lambda's environment.
    assert {item["memory"] for item in output} == {384}
    assert {item["engine"] for item in output} == {name}
