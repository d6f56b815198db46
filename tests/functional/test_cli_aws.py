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
from pathlib import Path
from typing import Any

import boto3
import pytest
from cli_runner import cli

from powertune.backends.aws import AwsBackend
from powertune.journal import FileJournal
from powertune.tuning.models import Architecture

REGION = "us-east-1"


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


def test_cleanup_finishes_a_killed_run(
    moto_url: str,
    role: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create(moto_url, role, "killed")
    lam = client(moto_url)
    original = AwsBackend(lam).get_configuration("killed")
    # What a run did before SIGKILL, journal first as the engine does.
    journal = FileJournal(tmp_path / "state", "killed", "run1")
    journal.begin(original, scratch_copy=None)
    journal.updating(512, Architecture.X86_64)
    lam.update_function_configuration(FunctionName="killed", MemorySize=512)
    journal.updated("")  # moto has no RevisionId
    version = lam.publish_version(FunctionName="killed", Description="powertune run run1")
    journal.created_version("killed", version["Version"])
    journal.created_alias("killed", "pt-run1-512-x86_64")
    lam.create_alias(FunctionName="killed", Name="pt-run1-512-x86_64", FunctionVersion="1")
    journal.updating(1024, Architecture.X86_64)
    lam.update_function_configuration(FunctionName="killed", MemorySize=1024)
    journal.updated("")
    journal.publishing("killed")
    lam.publish_version(FunctionName="killed", Description="powertune run run1 1024MB/x86_64")
    # SIGKILL here: version 2 exists, the journal does not know its number
    assert state(moto_url, "killed") == (1024, ["$LATEST", "1", "2"], ["pt-run1-512-x86_64"])

    args = ["cleanup", "killed", "--endpoint-url", moto_url]  # region: from the journal
    code, out, err = cli(args, capsys, monkeypatch)
    assert code == 0, err
    assert out.splitlines() == [
        "deleted alias killed:pt-run1-512-x86_64",
        "deleted version killed:1",
        "deleted version killed:2 (published, not yet journaled)",
        "restored killed to 128 MB",
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
    journal.begin(original, scratch_copy=None)
    journal.updating(256, Architecture.X86_64)
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
    assert code == 0, err
    assert "left redeployed alone" in out
    assert state(moto_url, "redeployed")[0] == 1024
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
