"""Clean-up of what dead local cloud instances left behind, and waiting for one to stop.

Only what provably belongs to a dead instance is touched: its state.json, its moto child
(by pid, checked against the child's command line), its work folders (named
`<pid>-<id>`) and its cgroups (`ExecutionEngine.cleanup_stale`: groups whose owner pid is
dead).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from pathlib import Path

from powertune.localcloud.engine import ExecutionEngine
from powertune.localcloud.moto_process import CHILD_MODULE
from powertune.localcloud.processes import pid_alive
from powertune.localcloud.state import (
    LocalCloudAlreadyRunning,
    read_state,
    remove_state,
)


def _process_runs_module(pid: int, module: str) -> bool:
    try:
        return module in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def clean_stale(state_dir: Path, cgroup_root: Path | None = None) -> list[str]:
    """Remove what dead instances left behind; refuse if a live one owns `state_dir`."""
    removed: list[str] = []
    state = read_state(state_dir)
    if state is not None:
        if pid_alive(state.pid) and state.pid != os.getpid():
            raise LocalCloudAlreadyRunning(
                f"a local cloud (pid {state.pid}) is already running at {state.endpoint_url} "
                f"for state folder {state_dir}. Stop it with `powertune local down "
                f"--state-dir {state_dir}`, or use another --state-dir."
            )
        if pid_alive(state.moto_pid) and _process_runs_module(state.moto_pid, CHILD_MODULE):
            with contextlib.suppress(ProcessLookupError):
                os.kill(state.moto_pid, signal.SIGKILL)
            removed.append(f"moto child {state.moto_pid}")
        remove_state(state_dir, state.pid)
        removed.append(str(state_dir / "state.json"))
    instances = state_dir / "instances"
    if instances.is_dir():
        for folder in instances.iterdir():
            pid_text = folder.name.split("-")[0]
            if pid_text.isdigit() and not pid_alive(int(pid_text)):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(str(folder))
    if state is not None and state.cgroup_root and cgroup_root is None:
        cgroup_root = Path(state.cgroup_root)
    removed.extend(ExecutionEngine.cleanup_stale(cgroup_root))
    return removed


def wait_until_stopped(pid: int, timeout_s: float) -> bool:
    """Poll until `pid` has exited; True if it did within the timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return not pid_alive(pid)
