"""`powertune local up/status/down` as a user runs them: real processes, nothing left behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config

from powertune.localcloud.processes import pid_alive
from powertune.localcloud.state import LocalCloudNotRunning, read_endpoint

POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*POWERTUNE, *args], capture_output=True, text=True, timeout=120, check=check
    )


def children_of(pid: int) -> list[int]:
    """Every live descendant of `pid` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current and pid_alive(child):
                found.append(child)
                frontier.append(child)
    return found


def cgroups_named(instance_id: str, pid: int) -> list[str]:
    """cgroup folders of this instance (the engine names them powertune-<id>.<pid>)."""
    wanted = f"powertune-{instance_id}.{pid}"
    found = []
    root = Path("/sys/fs/cgroup")
    for folder, subfolders, _files in os.walk(root):
        depth = len(Path(folder).relative_to(root).parts)
        if depth >= 4:
            subfolders.clear()
        found += [str(Path(folder) / d) for d in subfolders if d == wanted]
    return found


def invoke_something(endpoint_url: str, region: str) -> None:
    """Start at least one execution environment, so `down` has processes to stop."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return 1\n")
    config = Config(retries={"max_attempts": 1})
    options = {
        "endpoint_url": endpoint_url,
        "region_name": region,
        "aws_access_key_id": "t",
        "aws_secret_access_key": "t",
        "config": config,
    }
    role = boto3.client("iam", **options).create_role(  # type: ignore[call-overload]
        RoleName="cli-role", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    lam = boto3.client("lambda", **options)  # type: ignore[call-overload]
    lam.create_function(
        FunctionName="cli-fn",
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
    )
    assert lam.invoke(FunctionName="cli-fn")["Payload"].read() == b"1"


@pytest.mark.integration
def test_up_detached_status_and_down_leave_nothing_behind(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    started = run("local", "up", "--detach", "--port", "0", "--state-dir", str(state_dir))
    status_at_start = json.loads(started.stdout)
    pid = int(status_at_start["pid"])
    try:
        status = json.loads(run("local", "status", "--json", "--state-dir", str(state_dir)).stdout)
        for key in ("endpoint_url", "region", "cpu_control", "pid", "state_dir", "python_version"):
            assert key in status
        assert status["cpu_control"] in ("cgroup-v1", "cgroup-v2", "signal-throttle", "none")
        endpoint = read_endpoint(state_dir)
        assert endpoint.endpoint_url == status["endpoint_url"] == status_at_start["endpoint_url"]
        invoke_something(endpoint.endpoint_url, endpoint.region)
        descendants = children_of(pid)
        assert descendants, "expected a moto child and an execution environment"
        if status["cpu_control"].startswith("cgroup"):
            assert cgroups_named(status["instance_id"], pid)
    finally:
        stopped = run("local", "down", "--state-dir", str(state_dir), check=False)
    assert stopped.returncode == 0, stopped.stderr
    assert not pid_alive(pid)
    assert not [child for child in descendants if pid_alive(child)]
    assert not (state_dir / "state.json").exists()
    assert cgroups_named(status_at_start["instance_id"], pid) == []
    with pytest.raises(LocalCloudNotRunning):
        read_endpoint(state_dir)
    status_after = run("local", "status", "--json", "--state-dir", str(state_dir), check=False)
    assert status_after.returncode == 1
    assert json.loads(status_after.stdout.splitlines()[0])["running"] is False


@pytest.mark.integration
def test_next_start_cleans_up_after_a_crashed_instance(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    first = json.loads(
        run("local", "up", "--detach", "--port", "0", "--state-dir", str(state_dir)).stdout
    )
    invoke_something(first["endpoint_url"], first["region"])
    leftovers = children_of(int(first["pid"]))
    groups_before = cgroups_named(first["instance_id"], int(first["pid"]))
    os.kill(int(first["pid"]), signal.SIGKILL)  # a crash: no clean-up code runs
    deadline = time.monotonic() + 10
    while pid_alive(int(first["pid"])) and time.monotonic() < deadline:
        time.sleep(0.1)
    second = json.loads(
        run("local", "up", "--detach", "--port", "0", "--state-dir", str(state_dir)).stdout
    )
    try:
        assert second["pid"] != first["pid"]
        assert httpx.get(f"{second['endpoint_url']}/_powertune/status").status_code == 200
        deadline = time.monotonic() + 10
        while any(pid_alive(p) for p in leftovers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in leftovers if pid_alive(p)]
        if first["cpu_control"].startswith("cgroup"):
            assert groups_before  # there was something to clean up
        assert cgroups_named(first["instance_id"], int(first["pid"])) == []
        instances = {p.name for p in (state_dir / "instances").iterdir()}
        assert instances == {second["instance_id"]}
    finally:
        run("local", "down", "--state-dir", str(state_dir))


@pytest.mark.integration
def test_two_instances_run_side_by_side_without_sharing_state(tmp_path: Path) -> None:
    from powertune.localcloud.supervisor import LocalCloud

    with (
        LocalCloud.start(state_dir=tmp_path / "a") as first,
        LocalCloud.start(state_dir=tmp_path / "b") as second,
    ):
        assert first.endpoint_url != second.endpoint_url
        invoke_something(first.endpoint_url, first.region)
        options = {
            "endpoint_url": second.endpoint_url,
            "region_name": second.region,
            "aws_access_key_id": "t",
            "aws_secret_access_key": "t",
        }
        functions = boto3.client("lambda", **options).list_functions()  # type: ignore[call-overload]
        assert functions["Functions"] == []  # the second moto never saw the first's function
        invoke_something(second.endpoint_url, second.region)


@pytest.mark.integration
def test_foreground_up_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    process = subprocess.Popen(
        [*POWERTUNE, "local", "up", "--port", "0", "--state-dir", str(state_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (state_dir / "state.json").exists() and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.1)
        endpoint = read_endpoint(state_dir)
        invoke_something(endpoint.endpoint_url, endpoint.region)
        descendants = children_of(process.pid)
        assert descendants
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "local cloud stopped" in err
    assert not [child for child in descendants if pid_alive(child)]
    assert not (state_dir / "state.json").exists()


@pytest.mark.integration
def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("local", "up", "--port", str(port), "--state-dir", str(tmp_path), check=False)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr
