"""state.json and how `--local` finds the running local cloud."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from powertune.localcloud.engine.cgroups import pid_is_alive
from powertune.localcloud.processes import pid_alive
from powertune.localcloud.state import (
    InstanceState,
    LocalCloudNotRunning,
    read_endpoint,
    read_state,
    remove_state,
    resolve_state_dir,
    write_state,
)


def state_for(pid: int, folder: Path) -> InstanceState:
    return InstanceState(
        instance_id=f"{pid}-abc",
        pid=pid,
        endpoint_url="http://127.0.0.1:4566",
        region="eu-west-1",
        cpu_control="none",
        python_version="3.11.7",
        state_dir=str(folder),
        moto_pid=0,
        cgroup_root=None,
        started_at="2026-11-28T07:00:00+00:00",
    )


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_state_round_trips_and_names_the_endpoint(tmp_path: Path) -> None:
    write_state(tmp_path, state_for(os.getpid(), tmp_path))
    assert read_state(tmp_path) == state_for(os.getpid(), tmp_path)
    endpoint = read_endpoint(tmp_path)
    assert (endpoint.endpoint_url, endpoint.region) == ("http://127.0.0.1:4566", "eu-west-1")
    assert endpoint.access_key_id and endpoint.secret_access_key


def test_dead_instance_is_not_running(tmp_path: Path) -> None:
    pid = dead_pid()
    write_state(tmp_path, state_for(pid, tmp_path))
    with pytest.raises(LocalCloudNotRunning) as caught:
        read_endpoint(tmp_path)
    assert f"its process {pid} is gone" in str(caught.value)
    assert f"powertune local up --detach --state-dir {tmp_path}" in str(caught.value)


def test_missing_or_broken_state_is_not_running(tmp_path: Path) -> None:
    with pytest.raises(LocalCloudNotRunning):
        read_endpoint(tmp_path)
    (tmp_path / "state.json").write_text("{not json")
    assert read_state(tmp_path) is None


def test_remove_state_only_removes_its_own(tmp_path: Path) -> None:
    write_state(tmp_path, state_for(os.getpid(), tmp_path))
    remove_state(tmp_path, os.getpid() + 1)
    assert read_state(tmp_path) is not None
    remove_state(tmp_path, os.getpid())
    assert read_state(tmp_path) is None


def test_state_folder_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTUNE_LOCAL_STATE", str(tmp_path / "from-env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert resolve_state_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert resolve_state_dir(None) == tmp_path / "from-env"
    monkeypatch.delenv("POWERTUNE_LOCAL_STATE")
    assert resolve_state_dir(None) == tmp_path / "cache" / "powertune" / "local"
    monkeypatch.chdir(tmp_path)
    assert resolve_state_dir(Path("relative")) == tmp_path / "relative"


def test_a_zombie_counts_as_dead() -> None:
    """A crashed instance reparented to a PID 1 that never reaps stays a zombie: dead to us."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        # Not reaped yet (no wait()): once it exits it is a zombie of this process.
        for _ in range(200):
            stat = Path(f"/proc/{child.pid}/stat").read_text()
            if stat.rsplit(")", 1)[-1].split()[0] == "Z":
                break
            time.sleep(0.01)
        assert not pid_alive(child.pid)
        assert not pid_is_alive(str(child.pid))
    finally:
        child.wait()
    assert pid_alive(os.getpid())
