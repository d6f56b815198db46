"""What an environment is started with: variables, client context, trace header."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from powertune.localcloud.engine.launch import client_context_json, lambda_environment, trace_id
from powertune.localcloud.engine.spec import FunctionSpec


def spec(**overrides: object) -> FunctionSpec:
    fields: dict[str, object] = {
        "function_name": "items",
        "function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:items",
        "version": "3",
        "runtime": "python3.12",
        "handler": "app.handler",
        "memory_mb": 256,
        "timeout_s": 3,
        "architecture": "x86_64",
        "environment": {"TABLE": "items", "AWS_ENDPOINT_URL": "http://custom:1"},
        "code_dir": Path("/code"),
        "code_sha256": "x",
    }
    fields.update(overrides)
    return FunctionSpec(**fields)  # type: ignore[arg-type]


def build(the_spec: FunctionSpec) -> dict[str, str]:
    return lambda_environment(
        the_spec,
        runtime_api="127.0.0.1:5000",
        log_stream="2026/11/28/[3]abc",
        tmp_dir=Path("/tmp/env-1"),
        region="eu-west-1",
        endpoint_url="http://127.0.0.1:4566",
        runtime_dir=Path("/rt"),
    )


def test_lambda_variables() -> None:
    env = build(spec())
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "items"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "3"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/items"
    assert env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:5000"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["TABLE"] == "items"
    assert env["TZ"] == ":UTC"
    assert env["PYTHONPATH"] == env["LAMBDA_TASK_ROOT"] == "/code"
    assert "AWS_LAMBDA_LOG_FORMAT" not in env


def test_function_may_override_endpoint_but_not_reserved_names() -> None:
    env = build(spec(environment={"AWS_ENDPOINT_URL": "http://custom:1", "AWS_REGION": "x"}))
    assert env["AWS_ENDPOINT_URL"] == "http://custom:1"
    assert env["AWS_REGION"] == "eu-west-1"
    assert build(spec(environment={}))["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"


def test_json_log_format_variable() -> None:
    assert build(spec(log_format="JSON"))["AWS_LAMBDA_LOG_FORMAT"] == "JSON"


def test_client_context_base64_is_decoded() -> None:
    raw = json.dumps({"custom": {"a": 1}})
    assert client_context_json(base64.b64encode(raw.encode()).decode()) == raw
    assert client_context_json(raw) == raw
    assert client_context_json(None) is None
    assert client_context_json("not base64 !") == "not base64 !"


def test_trace_id_shape() -> None:
    root, parent, sampled = trace_id().split(";")
    assert root.startswith("Root=1-") and len(root.split("-")[2]) == 24
    assert parent.startswith("Parent=") and sampled == "Sampled=0"
