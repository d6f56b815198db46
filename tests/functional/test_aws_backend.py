"""The AWS adapter over real HTTP: a moto server, and a tiny scripted Lambda endpoint.

The moto server (in-process thread, 127.0.0.1, free port) covers the control plane.
Moto's Invoke needs Docker and its throttling cannot be scripted, so retries and
REPORT parsing run against `ScriptedLambda`: a real HTTP server on a free port that
answers Lambda's REST paths from a per-path script of responses.
"""

from __future__ import annotations

import base64
import io
import json
import random
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import httpx
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from powertune.backends.aws import AwsBackend
from powertune.clock import ManualClock
from powertune.errors import BackendError
from powertune.tuning.models import Architecture

REGION = "us-east-1"
FUNCTIONS = "/2015-03-31/functions"


class RecordingClock(ManualClock):
    """A manual clock that remembers every sleep."""

    def __init__(self) -> None:
        super().__init__()
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        super().sleep(seconds)


def lambda_client(endpoint_url: str) -> Any:
    # botocore's own retries are off: the adapter's retries are under test.
    return boto3.client(
        "lambda",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


# --- moto --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def role(moto_url: str) -> str:
    iam = boto3.client(
        "iam",
        endpoint_url=moto_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return str(
        iam.create_role(RoleName="pt-aws-test", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    )


def create_function(
    moto_url: str, role: str, name: str, memory_mb: int = 128, **extra: Any
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    lambda_client(moto_url).create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
        MemorySize=memory_mb,
        Timeout=15,
        **extra,
    )


@pytest.fixture
def moto_backend(moto_url: str) -> AwsBackend:
    return AwsBackend(lambda_client(moto_url), clock=ManualClock(), rng=random.Random(0))


def test_get_configuration(moto_url: str, role: str, moto_backend: AwsBackend) -> None:
    create_function(moto_url, role, "get-cfg", memory_mb=640)
    cfg = moto_backend.get_configuration("get-cfg")
    assert cfg.function_name == "get-cfg"
    assert cfg.function_arn.endswith(":function:get-cfg")
    assert cfg.version == "$LATEST"
    assert cfg.memory_mb == 640
    assert cfg.timeout_s == 15
    assert cfg.architecture is Architecture.X86_64
    assert cfg.runtime == "python3.11"
    assert cfg.code_sha256
    assert cfg.ephemeral_storage_mb == 512  # Lambda's default /tmp
    assert moto_backend.region == REGION


def test_get_configuration_reads_ephemeral_storage(
    moto_url: str, role: str, moto_backend: AwsBackend
) -> None:
    create_function(moto_url, role, "big-tmp", EphemeralStorage={"Size": 10240})
    assert moto_backend.get_configuration("big-tmp").ephemeral_storage_mb == 10240


def test_update_publish_alias_and_delete(
    moto_url: str, role: str, moto_backend: AwsBackend
) -> None:
    create_function(moto_url, role, "cycle")
    client = lambda_client(moto_url)
    updated = moto_backend.update_configuration(
        "cycle", memory_mb=1024, architecture=Architecture.X86_64, revision_id=None
    )
    assert updated.memory_mb == 1024
    assert updated.last_update_status == "Successful"
    version = moto_backend.publish_version(
        "cycle", description="powertune run t 1024MB", code_sha256=updated.code_sha256
    )
    assert version.version == "1"
    assert version.memory_mb == 1024
    listed = moto_backend.list_versions("cycle")
    assert [(v.version, v.description, v.memory_mb) for v in listed] == [
        ("1", "powertune run t 1024MB", 1024)
    ]
    moto_backend.create_alias("cycle", "pt-t-1024-x86_64", version.version)
    alias = client.get_alias(FunctionName="cycle", Name="pt-t-1024-x86_64")
    assert alias["FunctionVersion"] == "1"
    assert moto_backend.get_configuration("cycle", "pt-t-1024-x86_64").memory_mb == 1024
    moto_backend.update_configuration(
        "cycle", memory_mb=128, architecture=Architecture.X86_64, revision_id=None
    )
    assert moto_backend.get_configuration("cycle").memory_mb == 128
    assert moto_backend.get_configuration("cycle", "1").memory_mb == 1024  # versions keep theirs
    moto_backend.delete_alias("cycle", "pt-t-1024-x86_64")
    moto_backend.delete_version("cycle", "1")
    assert client.list_aliases(FunctionName="cycle")["Aliases"] == []
    versions = [
        v["Version"] for v in client.list_versions_by_function(FunctionName="cycle")["Versions"]
    ]
    assert versions == ["$LATEST"]


def test_deleting_what_is_already_gone_is_not_an_error(
    moto_url: str, role: str, moto_backend: AwsBackend
) -> None:
    create_function(moto_url, role, "gone")
    moto_backend.delete_alias("gone", "pt-never-created")
    moto_backend.delete_version("gone", "41")
    moto_backend.delete_function("never-existed")
    assert moto_backend.get_configuration("gone").memory_mb == 128


def test_missing_function_is_wrapped_in_backend_error(moto_backend: AwsBackend) -> None:
    with pytest.raises(BackendError) as err:
        moto_backend.get_configuration("no-such-function")
    assert err.value.operation == "GetFunctionConfiguration"
    assert err.value.code == "ResourceNotFoundException"
    assert "no-such-function" in str(err.value)


def test_scratch_copy_needs_a_downloadable_code_location(moto_url: str, role: str) -> None:
    """Moto's Code.Location names a real S3 host it does not serve; the error is wrapped.

    (The local cloud serves Code.Location, and its own tests cover the full copy.)
    """
    create_function(moto_url, role, "to-copy")
    with httpx.Client(timeout=5.0) as http:
        backend = AwsBackend(lambda_client(moto_url), clock=ManualClock(), http=http)
        source = backend.get_configuration("to-copy")
        with pytest.raises(BackendError) as err:
            backend.create_scratch_copy(source, "to-copy-pt-run1")
    assert err.value.operation == "GetFunction"
    assert err.value.code == "CodeDownloadFailed"
    names = [f["FunctionName"] for f in lambda_client(moto_url).list_functions()["Functions"]]
    assert "to-copy-pt-run1" not in names


# --- a scripted Lambda endpoint --------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


class ScriptedLambda:
    """Answers `(METHOD, path)` with the next scripted Reply (the last one repeats)."""

    def __init__(self) -> None:
        self.script: dict[tuple[str, str], list[Reply]] = {}
        self.seen: list[Seen] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = unquote(parts.path)
                owner.seen.append(
                    Seen(self.command, path, parse_qs(parts.query), dict(self.headers), body)
                )
                replies = owner.script.get((self.command, path))
                reply = Reply(
                    404,
                    {"Type": "User", "message": f"unscripted {path}"},
                    {"x-amzn-ErrorType": "ResourceNotFoundException"},
                )
                if replies:
                    reply = replies.pop(0) if len(replies) > 1 else replies[0]
                data = (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 (http.server's names)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def hits(self, method: str, path: str) -> int:
        return sum(1 for s in self.seen if (s.method, s.path) == (method, path))


@pytest.fixture
def scripted() -> Iterator[ScriptedLambda]:
    server = ScriptedLambda()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        server.thread.join()


def error(status: int, code: str, message: str = "no") -> Reply:
    return Reply(status, {"Type": "User", "message": message}, {"x-amzn-ErrorType": code})


def wire_config(memory_mb: int = 128, status: str = "Successful", **extra: Any) -> dict[str, Any]:
    return {
        "FunctionName": "fn",
        "FunctionArn": f"arn:aws:lambda:{REGION}:123456789012:function:fn",
        "Version": "$LATEST",
        "MemorySize": memory_mb,
        "Timeout": 30,
        "Runtime": "python3.12",
        "CodeSha256": "abc=",
        "RevisionId": "rev-1",
        "Architectures": ["x86_64"],
        "State": "Active",
        "LastUpdateStatus": status,
        **extra,
    }


def scripted_backend(server: ScriptedLambda, **kwargs: Any) -> tuple[AwsBackend, RecordingClock]:
    clock = RecordingClock()
    backend = AwsBackend(lambda_client(server.url), clock=clock, rng=random.Random(0), **kwargs)
    return backend, clock


def test_throttling_is_retried_with_backoff_on_the_injected_clock(
    scripted: ScriptedLambda,
) -> None:
    path = f"{FUNCTIONS}/fn/configuration"
    scripted.script[("GET", path)] = [
        error(429, "TooManyRequestsException", "Rate exceeded"),
        error(429, "TooManyRequestsException", "Rate exceeded"),
        Reply(200, wire_config(512)),
    ]
    backend, clock = scripted_backend(scripted)
    assert backend.get_configuration("fn").memory_mb == 512
    assert scripted.hits("GET", path) == 3
    jitter = random.Random(0)
    expected = [0.2 * (0.5 + jitter.random()), 0.4 * (0.5 + jitter.random())]
    assert clock.sleeps == pytest.approx(expected)


def test_update_conflicts_are_retried(scripted: ScriptedLambda) -> None:
    scripted.script[("GET", f"{FUNCTIONS}/fn")] = [Reply(200, {"Configuration": wire_config()})]
    put = f"{FUNCTIONS}/fn/configuration"
    scripted.script[("PUT", put)] = [
        error(409, "ResourceConflictException", "An update is in progress"),
        error(409, "ResourceConflictException", "An update is in progress"),
        Reply(200, wire_config(256, status="InProgress")),
    ]
    backend, clock = scripted_backend(scripted)
    backend.update_configuration(
        "fn", memory_mb=256, architecture=Architecture.X86_64, revision_id="rev-1"
    )
    assert scripted.hits("PUT", put) == 3
    assert len(clock.sleeps) == 2
    sent = json.loads([s for s in scripted.seen if s.method == "PUT"][-1].body)
    assert sent == {"MemorySize": 256, "RevisionId": "rev-1"}


def test_retries_give_up_after_max_attempts(scripted: ScriptedLambda) -> None:
    path = f"{FUNCTIONS}/fn/configuration"
    scripted.script[("GET", path)] = [error(429, "TooManyRequestsException", "Rate exceeded")]
    backend, clock = scripted_backend(scripted, max_attempts=3)
    with pytest.raises(BackendError) as err:
        backend.get_configuration("fn")
    assert err.value.code == "TooManyRequestsException"
    assert "Rate exceeded" in str(err.value)
    assert scripted.hits("GET", path) == 3
    assert len(clock.sleeps) == 2


def test_other_errors_are_not_retried(scripted: ScriptedLambda) -> None:
    path = f"{FUNCTIONS}/fn/configuration"
    scripted.script[("GET", path)] = [error(400, "InvalidParameterValueException", "bad")]
    backend, clock = scripted_backend(scripted)
    with pytest.raises(BackendError) as err:
        backend.get_configuration("fn")
    assert (err.value.operation, err.value.code) == (
        "GetFunctionConfiguration",
        "InvalidParameterValueException",
    )
    assert scripted.hits("GET", path) == 1
    assert clock.sleeps == []


def test_update_waits_until_last_update_status_is_successful(scripted: ScriptedLambda) -> None:
    get = f"{FUNCTIONS}/fn"
    scripted.script[("GET", get)] = [
        Reply(200, {"Configuration": wire_config(128)}),  # settled before the update
        Reply(200, {"Configuration": wire_config(256, status="InProgress")}),
        Reply(200, {"Configuration": wire_config(256, status="InProgress")}),
        Reply(200, {"Configuration": wire_config(256)}),
    ]
    scripted.script[("PUT", f"{get}/configuration")] = [Reply(200, wire_config(256, "InProgress"))]
    backend, clock = scripted_backend(scripted)
    cfg = backend.update_configuration(
        "fn", memory_mb=256, architecture=Architecture.X86_64, revision_id=None
    )
    assert cfg.memory_mb == 256
    assert cfg.last_update_status == "Successful"
    assert scripted.hits("GET", get) == 4
    assert clock.sleeps == pytest.approx([0.1, 0.15])


def test_failed_update_is_a_backend_error_with_the_reason(scripted: ScriptedLambda) -> None:
    get = f"{FUNCTIONS}/fn"
    scripted.script[("GET", get)] = [
        Reply(200, {"Configuration": wire_config(128)}),
        Reply(
            200,
            {
                "Configuration": wire_config(
                    256, status="Failed", LastUpdateStatusReason="ENI limit reached"
                )
            },
        ),
    ]
    scripted.script[("PUT", f"{get}/configuration")] = [Reply(200, wire_config(256, "InProgress"))]
    backend, _ = scripted_backend(scripted)
    with pytest.raises(BackendError) as err:
        backend.update_configuration(
            "fn", memory_mb=256, architecture=Architecture.X86_64, revision_id=None
        )
    assert err.value.code == "UpdateFailed"
    assert "ENI limit reached" in str(err.value)


def test_wait_gives_up_after_its_timeout(scripted: ScriptedLambda) -> None:
    scripted.script[("GET", f"{FUNCTIONS}/fn")] = [
        Reply(200, {"Configuration": wire_config(status="InProgress")})
    ]
    backend, clock = scripted_backend(scripted, wait_timeout_s=5.0)
    with pytest.raises(BackendError) as err:
        backend.update_configuration(
            "fn", memory_mb=256, architecture=Architecture.X86_64, revision_id=None
        )
    assert err.value.code == "Timeout"
    assert "still Active/InProgress after 5 s" in str(err.value)
    assert 5.0 <= clock.monotonic() <= 7.0


def log_result(*lines: str) -> str:
    return base64.b64encode("\n".join(lines).encode()).decode()


INVOKE = f"{FUNCTIONS}/fn/invocations"
REPORT_WARM = (
    "REPORT RequestId: 1\tDuration: 12.50 ms\tBilled Duration: 13 ms\t"
    "Memory Size: 256 MB\tMax Memory Used: 70 MB\t"
)


def test_invoke_parses_the_report_line(scripted: ScriptedLambda) -> None:
    scripted.script[("POST", INVOKE)] = [
        Reply(
            200,
            {"ok": True},
            {
                "X-Amz-Log-Result": log_result(
                    "START RequestId: 1",
                    REPORT_WARM + "Init Duration: 180.25 ms",
                ),
                "X-Amz-Executed-Version": "3",
            },
        )
    ]
    backend, _ = scripted_backend(scripted)
    outcome = backend.invoke("fn", "pt-run1-256-x86_64", b'{"id": 1}')
    assert outcome.duration_ms == 12.5
    assert outcome.billed_duration_ms == 13
    assert outcome.init_duration_ms == 180.25
    assert outcome.max_memory_used_mb == 70
    assert outcome.error_type is None
    assert outcome.function_error is None
    assert outcome.executed_version == "3"
    assert json.loads(outcome.payload) == {"ok": True}
    request = scripted.seen[-1]
    assert request.query == {"Qualifier": ["pt-run1-256-x86_64"]}
    assert request.headers["X-Amz-Log-Type"] == "Tail"
    assert request.headers["X-Amz-Invocation-Type"] == "RequestResponse"
    assert request.body == b'{"id": 1}'


def test_invoke_timeout_from_the_error_payload(scripted: ScriptedLambda) -> None:
    scripted.script[("POST", INVOKE)] = [
        Reply(
            200,
            {"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out after 3.00 seconds"},
            {
                "X-Amz-Function-Error": "Unhandled",
                "X-Amz-Log-Result": log_result(
                    "REPORT RequestId: 2\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
                    "Memory Size: 128 MB\tMax Memory Used: 50 MB\tStatus: timeout"
                ),
            },
        )
    ]
    backend, _ = scripted_backend(scripted)
    outcome = backend.invoke("fn", "a", b"{}")
    assert outcome.function_error == "Unhandled"
    assert outcome.error_type == "Sandbox.Timedout"
    assert outcome.duration_ms == 3000.0


def test_invoke_timeout_from_the_report_status_alone(scripted: ScriptedLambda) -> None:
    scripted.script[("POST", INVOKE)] = [
        Reply(
            200,
            {"errorMessage": "2026-01-01 Task timed out after 3.00 seconds"},
            {
                "X-Amz-Function-Error": "Unhandled",
                "X-Amz-Log-Result": log_result(
                    "REPORT RequestId: 3\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
                    "Memory Size: 128 MB\tMax Memory Used: 50 MB\tStatus: timeout"
                ),
            },
        )
    ]
    backend, _ = scripted_backend(scripted)
    assert backend.invoke("fn", "a", b"{}").error_type == "Sandbox.Timedout"


def test_invoke_out_of_memory_from_the_report_error_type(scripted: ScriptedLambda) -> None:
    scripted.script[("POST", INVOKE)] = [
        Reply(
            200,
            {"errorMessage": "Runtime exited with error: signal: killed"},
            {
                "X-Amz-Function-Error": "Unhandled",
                "X-Amz-Log-Result": log_result(
                    "REPORT RequestId: 4\tDuration: 800.00 ms\tBilled Duration: 800 ms\t"
                    "Memory Size: 128 MB\tMax Memory Used: 128 MB\t"
                    "Status: error\tError Type: Runtime.OutOfMemory"
                ),
            },
        )
    ]
    backend, _ = scripted_backend(scripted)
    outcome = backend.invoke("fn", "a", b"{}")
    assert outcome.error_type == "Runtime.OutOfMemory"
    assert outcome.max_memory_used_mb == 128


def test_invoke_handler_error_type_from_the_payload(scripted: ScriptedLambda) -> None:
    scripted.script[("POST", INVOKE)] = [
        Reply(
            200,
            {"errorType": "ItemNotFound", "errorMessage": "no item 7"},
            {"X-Amz-Function-Error": "Unhandled", "X-Amz-Log-Result": log_result(REPORT_WARM)},
        )
    ]
    backend, _ = scripted_backend(scripted)
    assert backend.invoke("fn", "a", b"{}").error_type == "ItemNotFound"


def test_invoke_json_log_format(scripted: ScriptedLambda) -> None:
    record = {
        "time": "2026-01-01T00:00:00.000Z",
        "type": "platform.report",
        "record": {
            "requestId": "5",
            "metrics": {"durationMs": 4.5, "billedDurationMs": 5, "maxMemoryUsedMB": 60},
            "status": "success",
        },
    }
    scripted.script[("POST", INVOKE)] = [
        Reply(200, {}, {"X-Amz-Log-Result": log_result(json.dumps(record))})
    ]
    backend, _ = scripted_backend(scripted)
    outcome = backend.invoke("fn", "a", b"{}")
    assert (outcome.duration_ms, outcome.billed_duration_ms) == (4.5, 5)


def test_invoke_carries_snapstart_billed_restore(scripted: ScriptedLambda) -> None:
    report = REPORT_WARM + "Restore Duration: 310.55 ms\tBilled Restore Duration: 120 ms"
    scripted.script[("POST", INVOKE)] = [
        Reply(200, {}, {"X-Amz-Log-Result": log_result("START RequestId: 1", report)})
    ]
    backend, _ = scripted_backend(scripted)
    outcome = backend.invoke("fn", "a", b"{}")
    assert (outcome.restore_duration_ms, outcome.billed_restore_duration_ms) == (310.55, 120)


def test_invoke_ignores_a_platform_report_the_function_printed(scripted: ScriptedLambda) -> None:
    fake = {
        "type": "platform.report",
        "record": {"metrics": {"durationMs": 9999.0, "billedDurationMs": 9999}},
    }
    tail = log_result(
        "START RequestId: 1",
        json.dumps(fake),
        "REPORT RequestId: 0\tDuration: 1.00 ms\tBilled Duration: 1 ms",
        "END RequestId: 1",
        REPORT_WARM,
    )
    scripted.script[("POST", INVOKE)] = [Reply(200, {}, {"X-Amz-Log-Result": tail})]
    backend, _ = scripted_backend(scripted)
    outcome = backend.invoke("fn", "a", b"{}")
    assert (outcome.duration_ms, outcome.billed_duration_ms) == (12.5, 13)


def test_invoke_without_a_report_line_is_a_backend_error(scripted: ScriptedLambda) -> None:
    scripted.script[("POST", INVOKE)] = [Reply(200, {})]
    backend, _ = scripted_backend(scripted)
    with pytest.raises(BackendError) as err:
        backend.invoke("fn", "a", b"{}")
    assert (err.value.operation, err.value.code) == ("Invoke", "NoReportLine")


def test_invoke_records_the_cpu_control_header(scripted: ScriptedLambda) -> None:
    scripted.script[("POST", INVOKE)] = [
        Reply(
            200,
            {},
            {"X-Amz-Log-Result": log_result(REPORT_WARM), "x-powertune-cpu-control": "cgroup-v2"},
        )
    ]
    backend, _ = scripted_backend(scripted)
    outcome = backend.invoke("fn", "a", b"{}")
    assert outcome.extra == {"cpu_control": "cgroup-v2"}
    assert backend.describe()["cpu_control"] == "cgroup-v2"
    assert backend.describe()["endpoint_url"] == scripted.url


def test_switching_architecture_redeploys_the_same_code(scripted: ScriptedLambda) -> None:
    """Architectures is a parameter of UpdateFunctionCode: the adapter re-uploads the code."""
    code = b"PK\x05\x06" + b"\x00" * 18  # an empty zip archive
    get = f"{FUNCTIONS}/fn"
    located = {"Configuration": wire_config(128), "Code": {"Location": f"{scripted.url}/code.zip"}}
    scripted.script[("GET", "/code.zip")] = [Reply(200, code)]
    scripted.script[("GET", get)] = [
        Reply(200, located),  # settled before
        Reply(200, located),  # GetFunction for the code location
        Reply(200, {"Configuration": wire_config(128, Architectures=["arm64"], RevisionId="r2")}),
        Reply(200, {"Configuration": wire_config(512, Architectures=["arm64"], RevisionId="r3")}),
    ]
    scripted.script[("PUT", f"{get}/code")] = [Reply(200, wire_config(128, "InProgress"))]
    scripted.script[("PUT", f"{get}/configuration")] = [Reply(200, wire_config(512, "InProgress"))]
    with httpx.Client() as http:
        backend, _ = scripted_backend(scripted, http=http)
        cfg = backend.update_configuration(
            "fn", memory_mb=512, architecture=Architecture.ARM64, revision_id="rev-1"
        )
    assert cfg.architecture is Architecture.ARM64
    assert cfg.memory_mb == 512
    puts = [s for s in scripted.seen if s.method == "PUT"]
    assert [s.path for s in puts] == [f"{get}/code", f"{get}/configuration"]
    code_request = json.loads(puts[0].body)
    assert code_request["Architectures"] == ["arm64"]
    assert base64.b64decode(code_request["ZipFile"]) == code
    assert code_request["RevisionId"] == "rev-1"
    # the memory update carries the RevisionId the code update produced
    assert json.loads(puts[1].body) == {"MemorySize": 512, "RevisionId": "r2"}


def test_architecture_switch_without_downloadable_code_changes_nothing(
    moto_url: str, role: str
) -> None:
    create_function(moto_url, role, "no-arm")
    with httpx.Client(timeout=5.0) as http:
        backend = AwsBackend(lambda_client(moto_url), clock=ManualClock(), http=http)
        with pytest.raises(BackendError) as err:
            backend.update_configuration(
                "no-arm", memory_mb=512, architecture=Architecture.ARM64, revision_id=None
            )
    assert err.value.code == "CodeDownloadFailed"
    cfg = lambda_client(moto_url).get_function_configuration(FunctionName="no-arm")
    assert (cfg["MemorySize"], cfg["Architectures"]) == (128, ["x86_64"])
