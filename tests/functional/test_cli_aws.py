"""`powertune tune --dry-run` and `powertune cleanup` against a moto server (real HTTP).

Moto cannot run Invoke without Docker, so no benchmark runs here; what is checked is
that a dry run changes nothing and that cleanup finishes a killed run's journal.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from cli_runner import cli

from powertune.backends.aws import AwsBackend
from powertune.storage.journal import FileJournal, load_ledger
from powertune.tuning.ledger import (
    ChangeKind,
    RunLedger,
    alias_created,
    latest_updated,
    version_published,
)
from powertune.tuning.models import Architecture
from powertune.tuning.undo import ProblemKind

REGION = "us-east-1"
X86 = Architecture.X86_64


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """`moto_server` as its own process on a free port.

    Its own process, not a thread: moto's attempts to reach Docker on Invoke leak
    pipes and sockets, which would otherwise surface as warnings in unrelated tests.
    """
    exe = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"},
    )
    assert process.stderr is not None
    url = None
    for line in process.stderr:  # werkzeug prints the address it bound
        found = re.search(r"Running on (http://127\.0\.0\.1:\d+)", line)
        if found:
            url = found.group(1)
            break
    assert url, "moto_server did not start"
    drain = threading.Thread(target=process.stderr.read, daemon=True)
    drain.start()
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        drain.join(timeout=30)
        process.stderr.close()


def client(url: str, service: str = "lambda") -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def package(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", text)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def role(moto_url: str) -> str:
    iam = client(moto_url, "iam")
    return str(iam.create_role(RoleName="pt-cli", AssumeRolePolicyDocument="{}")["Role"]["Arn"])


def create(url: str, role: str, name: str) -> None:
    client(url).create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package("def handler(e, c):\n    return 1\n")},
        MemorySize=128,
        Timeout=20,
    )


def state(url: str, name: str) -> tuple[int, list[str], list[str]]:
    lam = client(url)
    memory = lam.get_function_configuration(FunctionName=name)["MemorySize"]
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    aliases = [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]]
    return memory, versions, aliases


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POWERTUNE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)


def test_dry_run_against_the_api_changes_nothing(
    moto_url: str,
    role: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create(moto_url, role, "dry")
    before = state(moto_url, "dry")
    args = ["tune", "dry", "--region", REGION, "--endpoint-url", moto_url, "--invocations", "10"]
    args += ["--memory", "128..512:128", "--dry-run", "--output", str(tmp_path / "out")]
    code, out, err = cli(args, capsys, monkeypatch)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["timeout_s"] == 20
    assert plan["configurations"] == [
        "128MB/x86_64",
        "256MB/x86_64",
        "384MB/x86_64",
        "512MB/x86_64",
    ]
    assert plan["max_invocations"] == 44
    assert state(moto_url, "dry") == before == (128, ["$LATEST"], [])
    assert not (tmp_path / "out").exists()


def killed_run(url: str, name: str, folder: Path) -> FileJournal:
    """What a run did before SIGKILL, each change recorded in the ledger first as the engine does.

    Two sizes: 512 MB fully prepared (version 1 behind its alias), then 1024 MB set and
    published, killed before the version's number was written down.
    """
    lam = client(url)
    backend = AwsBackend(lam)
    current = backend.get_configuration(name)
    journal = FileJournal(folder, name, "run1")
    ledger = RunLedger(current, "run1", on_change=journal.save)
    ledger.save()
    for memory in (512, 1024):
        i = ledger.record(latest_updated(current, memory, X86, current.revision_id))
        lam.update_function_configuration(FunctionName=name, MemorySize=memory)
        current = backend.get_configuration(name)
        ledger.done(i, revision_after=current.revision_id)
        description = f"powertune run run1 {memory}MB/x86_64"
        i = ledger.record(version_published(name, description))
        version = lam.publish_version(FunctionName=name, Description=description)["Version"]
        if memory == 1024:
            break  # SIGKILL here: version 2 exists, the ledger does not know its number
        ledger.done(i, version=version)
        i = ledger.record(alias_created(name, "pt-run1-512-x86_64", version))
        lam.create_alias(FunctionName=name, Name="pt-run1-512-x86_64", FunctionVersion=version)
        ledger.done(i)
    return journal


def test_cleanup_finishes_a_killed_run(
    moto_url: str,
    role: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create(moto_url, role, "killed")
    journal = killed_run(moto_url, "killed", tmp_path / "state")
    assert state(moto_url, "killed") == (1024, ["$LATEST", "1", "2"], ["pt-run1-512-x86_64"])

    args = ["cleanup", "killed", "--endpoint-url", moto_url]  # region: from the journal
    code, out, err = cli(args, capsys, monkeypatch)
    assert code == 0, err
    assert out.splitlines() == [
        "restored killed to 128 MB",
        "deleted alias killed:pt-run1-512-x86_64",
        "deleted version killed:1",
        "deleted version killed:2",  # found by its description
    ]
    assert state(moto_url, "killed") == (128, ["$LATEST"], [])
    assert not journal.path.exists()
    code, out, _ = cli(args, capsys, monkeypatch)
    assert code == 0
    assert out.strip() == "nothing to clean up for killed: no journal of an unfinished run"


def test_cleanup_leaves_a_redeployed_function_alone(
    moto_url: str,
    role: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create(moto_url, role, "redeployed")
    lam = client(moto_url)
    original = AwsBackend(lam).get_configuration("redeployed")
    journal = FileJournal(tmp_path / "state", "redeployed", "run2")
    ledger = RunLedger(original, "run2", on_change=journal.save)
    ledger.record(latest_updated(original, 256, X86, original.revision_id))
    lam.update_function_configuration(FunctionName="redeployed", MemorySize=256)
    # someone deploys new code and memory before cleanup runs
    lam.update_function_code(
        FunctionName="redeployed", ZipFile=package("def handler(e, c):\n    return 2\n")
    )
    lam.update_function_configuration(FunctionName="redeployed", MemorySize=1024)
    code, out, err = cli(
        ["cleanup", "redeployed", "--region", REGION, "--endpoint-url", moto_url],
        capsys,
        monkeypatch,
    )
    assert code == 0, err  # their change is theirs: nothing of ours is left
    assert out.startswith(f"{ProblemKind.LEFT_ALONE.value}: redeployed changed during the run")
    assert state(moto_url, "redeployed")[0] == 1024
    assert not journal.path.exists()


class FaultProxy(ThreadingHTTPServer):
    """An HTTP proxy to moto that refuses DeleteAlias (403 AccessDenied) while `deny` is set."""

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = urlsplit(upstream)
        self.deny = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: FaultProxy

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_PUT(self) -> None:
        self._forward()

    def do_DELETE(self) -> None:
        self._forward()

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.deny and self.command == "DELETE" and "/aliases/" in self.path:
            self._reply(403, {"x-amzn-ErrorType": "AccessDeniedException"}, b'{"Message": "no"}')
            return
        upstream = HTTPConnection(self.server.upstream.netloc)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        upstream.close()
        passed = {k: v for k, v in answer.getheaders() if k.lower() not in _HOP}
        self._reply(answer.status, passed, data)

    def _reply(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


_HOP = {"content-length", "transfer-encoding", "connection", "server", "date"}


def test_cleanup_carries_on_past_a_failing_delete_alias_and_exits_1(
    moto_url: str,
    role: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create(moto_url, role, "denied")
    journal = killed_run(moto_url, "denied", tmp_path / "state")
    proxy = FaultProxy(moto_url)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        args = ["cleanup", "denied", "--region", REGION, "--endpoint-url", proxy.url]
        code, out, err = cli(args, capsys, monkeypatch)
        assert code == 1, err
        lines = out.splitlines()
        # The rest is still undone. (Unlike AWS, moto deletes a version an alias points
        # at; tests/unit/test_ledger.py covers the ResourceConflict that AWS returns.)
        assert lines[:3] == [
            "restored denied to 128 MB",
            "deleted version denied:1",
            "deleted version denied:2",
        ], out
        assert lines[3].startswith(f"{ProblemKind.FAILED.value}: alias denied:pt-run1-512-x86_64:")
        assert "AccessDeniedException" in lines[3]
        assert len(lines) == 4
        assert state(moto_url, "denied") == (128, ["$LATEST"], ["pt-run1-512-x86_64"])
        pending = [e.kind for _, e in load_ledger(journal.path).pending()]
        assert pending == [ChangeKind.ALIAS_CREATED]
        proxy.deny = False  # the permission is fixed; cleanup again does what is left
        code, out, err = cli(args, capsys, monkeypatch)
        assert code == 0, err
        assert out.splitlines() == ["deleted alias denied:pt-run1-512-x86_64"]
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert state(moto_url, "denied") == (128, ["$LATEST"], [])
    assert not journal.path.exists()


def test_a_whole_run_through_the_api_restores_and_deletes_everything(
    moto_url: str,
    role: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prepare, restore and clean-up over real HTTP; moto's Invoke fails (no Docker).

    The server's DOCKER_HOST points nowhere, so the outcome does not depend on the
    machine: moto answers every Invoke with FunctionError "Handled" and a log without a
    REPORT line, each size fails for want of one, and the run exits 1 after cleaning up.
    """
    create(moto_url, role, "whole")
    args = ["tune", "whole", "--region", REGION, "--endpoint-url", moto_url]
    args += ["--memory", "256,512", "--invocations", "2", "--output", str(tmp_path / "out")]
    code, _, err = cli(args, capsys, monkeypatch)
    assert code == 1, err
    assert err.strip().splitlines()[-1].startswith("error: every memory size failed")
    assert state(moto_url, "whole") == (128, ["$LATEST"], [])
    assert not list((tmp_path / "state").glob("journals/*.json"))
    doc = json.loads(next((tmp_path / "out").glob("tuning-*.json")).read_text())
    assert [f["memory_mb"] for f in doc["failed"]] == [256, 512]
    assert all("NoReportLine" in f["failure"] for f in doc["failed"])
    assert doc["settings"]["backend"]["kind"] == "aws"
