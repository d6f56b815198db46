"""The execution engine end to end: real awslambdaric processes, real cgroups where permitted.

Each test writes a small handler to a tmp folder and drives `ExecutionEngine` directly.
"""

from __future__ import annotations

import json
import os
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from powertune.localcloud.engine import ExecutionEngine, FunctionSpec
from powertune.localcloud.engine.cgroups import DEFAULT_ROOT, V1, V2, detect_mode

pytestmark = pytest.mark.integration

HANDLERS = """
import json, os, time
print("init says hi")
PREFIXES = ("AWS_", "LAMBDA_", "_HANDLER", "TZ")

def ok(event, context):
    print("handler got", json.dumps(event))
    return {"pid": os.getpid(), "request_id": context.aws_request_id,
            "function_name": context.function_name, "memory": context.memory_limit_in_mb,
            "env": {k: v for k, v in os.environ.items() if k.startswith(PREFIXES)}}

def client(event, context):
    return context.client_context.custom

def sleepy(event, context):
    print("going to sleep")
    time.sleep(30)

def boom(event, context):
    raise ValueError("kaboom")

def hog(event, context):
    print("allocating 300 MB")
    chunks = [bytearray(1024 * 1024) for _ in range(300)]
    for chunk in chunks:
        chunk[::4096] = b"x" * len(chunk[::4096])
    return len(chunks)

def crash(event, context):
    os._exit(3)
"""


def cgroups_permitted() -> bool:
    return detect_mode(DEFAULT_ROOT) in (V1, V2) and os.geteuid() == 0


skip_without_cgroups = pytest.mark.skipif(
    not cgroups_permitted(), reason="needs permission to create cgroups (root on cgroup v1/v2)"
)


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "app.py").write_text(textwrap.dedent(HANDLERS))
    (folder / "broken.py").write_text("import module_that_does_not_exist\n")
    return folder


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[ExecutionEngine]:
    instance = ExecutionEngine(
        instance_id=f"test-{uuid.uuid4().hex[:8]}",
        work_dir=tmp_path / "work",
        region="eu-west-1",
        endpoint_url="http://127.0.0.1:9",
    )
    yield instance
    instance.shutdown()


def make_spec(code_dir: Path, handler: str, **overrides: object) -> FunctionSpec:
    name = str(overrides.pop("function_name", handler.replace(".", "-")))
    fields: dict[str, object] = {
        "function_name": name,
        "function_arn": f"arn:aws:lambda:eu-west-1:123456789012:function:{name}",
        "version": "$LATEST",
        "runtime": "python3.11",
        "handler": handler,
        "memory_mb": 1769,
        "timeout_s": 10,
        "architecture": "x86_64",
        "environment": {"MY_SETTING": "42"},
        "code_dir": code_dir,
        "code_sha256": "sha",
    }
    fields.update(overrides)
    return FunctionSpec(**fields)  # type: ignore[arg-type]


def test_cold_then_warm(engine: ExecutionEngine, code_dir: Path) -> None:
    spec = make_spec(code_dir, "app.ok")
    cold = engine.invoke(spec, b'{"n": 1}')
    warm = engine.invoke(spec, b'{"n": 2}')
    assert cold.function_error is None and warm.function_error is None
    assert cold.init_duration_ms is not None and cold.init_duration_ms > 0
    assert warm.init_duration_ms is None
    assert json.loads(cold.payload)["pid"] == json.loads(warm.payload)["pid"]
    cold_lines = cold.log_text.splitlines()
    assert cold_lines[0].startswith(f"INIT_START Runtime Version: python:{engine.python_version}")
    assert "init says hi" in cold_lines
    assert cold_lines[-2:-1] == [f"END RequestId: {cold.request_id}"]
    assert 'handler got {"n": 1}' in cold_lines
    assert cold_lines[-1].startswith(f"REPORT RequestId: {cold.request_id}\tDuration: ")
    assert "Init Duration" in cold_lines[-1] and "Init Duration" not in warm.log_text
    assert warm.log_text.splitlines()[0] == f"START RequestId: {warm.request_id} Version: $LATEST"
    assert cold.billed_duration_ms >= cold.init_duration_ms + cold.duration_ms
    assert warm.max_memory_used_mb > 0


def test_lambda_environment_and_context(engine: ExecutionEngine, code_dir: Path) -> None:
    spec = make_spec(code_dir, "app.ok", memory_mb=256)
    result = engine.invoke(spec, b"{}")
    body = json.loads(result.payload)
    env = body["env"]
    assert body["request_id"] == result.request_id
    assert (body["function_name"], body["memory"]) == (spec.function_name, "256")
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{spec.function_name}"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == result.log_stream
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["LAMBDA_TASK_ROOT"] == str(code_dir)
    assert env["_HANDLER"] == "app.ok" and env["TZ"] == ":UTC"


def test_handler_exception(engine: ExecutionEngine, code_dir: Path) -> None:
    result = engine.invoke(make_spec(code_dir, "app.boom"), b"{}")
    body = json.loads(result.payload)
    assert result.function_error == "Unhandled"
    assert (body["errorType"], body["errorMessage"]) == ("ValueError", "kaboom")
    assert body["requestId"] == result.request_id
    assert any("app.py" in frame for frame in body["stackTrace"])
    # The environment survives a handler exception and is reused.
    again = engine.invoke(make_spec(code_dir, "app.boom"), b"{}")
    assert again.init_duration_ms is None


def test_import_error(engine: ExecutionEngine, code_dir: Path) -> None:
    result = engine.invoke(make_spec(code_dir, "broken.handler"), b"{}")
    body = json.loads(result.payload)
    assert result.function_error == "Unhandled"
    assert result.error_type == body["errorType"] == "Runtime.ImportModuleError"
    assert "module_that_does_not_exist" in body["errorMessage"]
    assert "INIT_REPORT Init Duration:" in result.log_text
    assert result.log_text.splitlines()[-1].endswith(
        "Status: error\tError Type: Runtime.ImportModuleError"
    )


def test_timeout_kills_environment(engine: ExecutionEngine, code_dir: Path) -> None:
    spec = make_spec(code_dir, "app.sleepy", timeout_s=1)
    result = engine.invoke(spec, b"{}")
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds",
    }
    lines = result.log_text.splitlines()
    assert "going to sleep" in lines
    assert lines[-3].endswith(f"{result.request_id} Task timed out after 1.00 seconds")
    assert lines[-1].endswith("Status: timeout")
    assert result.duration_ms >= 1000.0
    assert result.billed_duration_ms == 1000 + int(-(-(result.init_duration_ms or 0) // 1))
    # The next invoke needs a fresh environment: the timed-out one was killed.
    assert engine.invoke(spec, b"{}").init_duration_ms is not None


def test_runtime_exit(engine: ExecutionEngine, code_dir: Path) -> None:
    result = engine.invoke(make_spec(code_dir, "app.crash"), b"{}")
    assert result.error_type == "Runtime.ExitError"
    assert json.loads(result.payload)["errorMessage"].endswith(
        "Runtime exited with error: exit status 3"
    )


@pytest.mark.needs_cgroups
@skip_without_cgroups
def test_out_of_memory(engine: ExecutionEngine, code_dir: Path) -> None:
    result = engine.invoke(make_spec(code_dir, "app.hog", memory_mb=128, timeout_s=60), b"{}")
    assert engine.cpu_control in (V1, V2)
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {
        "errorType": "Runtime.OutOfMemory",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: "
        "signal: killed",
    }
    assert result.max_memory_used_mb == 128
    report = result.log_text.splitlines()[-1]
    assert "\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t" in report
    assert report.endswith("\tStatus: error\tError Type: Runtime.OutOfMemory")


def test_json_log_format(engine: ExecutionEngine, code_dir: Path) -> None:
    result = engine.invoke(make_spec(code_dir, "app.ok", log_format="JSON"), b"{}")
    records = [json.loads(line) for line in result.log_text.splitlines() if line.startswith("{")]
    kinds = [record["type"] for record in records]
    assert kinds == ["platform.initStart", "platform.start", "platform.report"]
    metrics = records[-1]["record"]["metrics"]
    assert metrics["memorySizeMB"] == 1769
    assert metrics["billedDurationMs"] == result.billed_duration_ms
    assert "initDurationMs" in metrics


def test_unsupported_runtime_and_architecture(engine: ExecutionEngine, code_dir: Path) -> None:
    from powertune.localcloud.engine import EngineError

    with pytest.raises(EngineError) as runtime_error:
        engine.invoke(make_spec(code_dir, "app.ok", runtime="nodejs20.x"), b"{}")
    assert runtime_error.value.code == "InvalidRuntimeException"
    with pytest.raises(EngineError) as arch_error:
        engine.validate(make_spec(code_dir, "app.ok", architecture="arm64"))
    assert arch_error.value.status == 400


def test_client_context_reaches_the_handler(engine: ExecutionEngine, code_dir: Path) -> None:
    import base64

    encoded = base64.b64encode(json.dumps({"custom": {"team": "blue"}}).encode()).decode()
    result = engine.invoke(make_spec(code_dir, "app.client"), b"{}", client_context=encoded)
    assert result.function_error is None
    assert json.loads(result.payload) == {"team": "blue"}
