"""One execution environment: an `awslambdaric` process, its Runtime API and its output.

The process runs in its own process group (so a timeout kills everything it started) and,
when cgroups are in force, joins its groups before `exec` through a tiny `sh` wrapper, so
not one instruction of the runtime runs outside its CPU and memory limits. Its stdout and
stderr share one pipe (output.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from powertune.localcloud.engine.cgroups import EnvCgroup
from powertune.localcloud.engine.outcomes import InitOutcome, OutcomeKind, RunOutcome
from powertune.localcloud.engine.output import OutputPipe
from powertune.localcloud.engine.runtime_api import Invocation, RuntimeApiServer

# Join every cgroup given (count first), then become the runtime: no race with `exec`.
_JOIN_AND_EXEC = (
    'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 97; shift; n=$((n-1)); done; '
    'exec "$@"'
)


class Environment:
    """A sandbox that runs one invocation at a time."""

    def __init__(
        self,
        *,
        name: str,
        command: list[str],
        code_dir: Path,
        launch_env: dict[str, str],
        cgroup: EnvCgroup | None,
        tmp_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.tmp_dir = tmp_dir
        self.log_stream = ""
        self.cgroup = cgroup
        self.last_used = time.monotonic()
        self._command = command
        self._code_dir = code_dir
        self._launch_env = launch_env
        self._cond = threading.Condition()
        self._pending: Invocation | None = None
        self._current_id: str | None = None
        self._result: tuple[OutcomeKind, bytes, str | None, float] | None = None
        self._dispatched_at: float | None = None
        self._ready_at: float | None = None
        self._init_error: tuple[bytes, str] | None = None
        self._returncode: int | None = None
        self._closing = False
        self._killed = False
        self._on_dispatch: Callable[[], None] | None = None
        self._output: OutputPipe | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0
        self.api = RuntimeApiServer(self)

    # ---- lifecycle ------------------------------------------------------------------------

    def set_launch_env(self, launch_env: dict[str, str]) -> None:
        """Set once the listener's address is known (it goes into AWS_LAMBDA_RUNTIME_API)."""
        self._launch_env = launch_env

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def alive(self) -> bool:
        with self._cond:
            return self._proc is not None and self._returncode is None and not self._closing

    def start(self) -> None:
        argv = list(self._command)
        if self.cgroup is not None:
            files = [str(f) for f in self.cgroup.procs_files]
            argv = ["/bin/sh", "-c", _JOIN_AND_EXEC, "sh", str(len(files)), *files, *argv]
        self._started_at = time.perf_counter()
        self._proc = subprocess.Popen(
            argv,
            cwd=self._code_dir,
            env=self._launch_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        assert self._proc.stdout is not None
        self._output = OutputPipe(self._proc.stdout, self.name)
        threading.Thread(target=self._watch, daemon=True, name=f"{self.name}-wait").start()

    def wait_ready(self, limit_s: float) -> InitOutcome:
        """Wait for the runtime's first `/next` (end of INIT), an init error, or its exit."""
        with self._cond:
            self._cond.wait_for(
                lambda: (
                    self._ready_at is not None
                    or self._init_error is not None
                    or self._returncode is not None
                ),
                timeout=limit_s,
            )
            end = self._ready_at or time.perf_counter()
            duration_ms = (end - self._started_at) * 1000.0
            if self._init_error is not None:
                body, error_type = self._init_error
                return InitOutcome(duration_ms, error_type=error_type, error_body=body)
            if self._ready_at is not None:
                return InitOutcome(duration_ms)
            if self._returncode is not None:
                return InitOutcome(duration_ms, returncode=self._returncode)
            return InitOutcome(duration_ms, timed_out=True)

    def kill(self) -> None:
        """SIGKILL the whole process group, wait for it, free the port and the cgroup."""
        with self._cond:
            if self._killed:
                return
            self._killed = self._closing = True
            self._cond.notify_all()
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
            if self._output is not None:
                self._output.close()
        self.api.close()
        if self.cgroup is not None:
            self.cgroup.remove()
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    # ---- one invocation -------------------------------------------------------------------

    def run(
        self,
        invocation: Invocation,
        timeout_s: float,
        on_dispatch: Callable[[], None] | None = None,
    ) -> RunOutcome:
        """Hand the event to the runtime and wait for its answer, its exit or the timeout.

        `on_dispatch` runs the moment the event goes to the runtime (where CPU pacing starts).
        """
        self.reset_memory_peak()
        with self._cond:
            self._on_dispatch = on_dispatch
            self._result = None
            self._dispatched_at = None
            self._current_id = invocation.request_id
            self._pending = invocation
            self._cond.notify_all()
            queued_at = time.perf_counter()
            deadline = queued_at + timeout_s
            while not self._cond.wait_for(self._ended, timeout=deadline - time.perf_counter()):
                # The clock starts when the event reaches the runtime, not when it is queued.
                dispatched = self._dispatch_time()
                if dispatched is None or dispatched + timeout_s <= deadline:
                    break
                deadline = dispatched + timeout_s
            start = self._dispatch_time() or queued_at
            self.last_used = time.monotonic()
            self._current_id = None
            self._pending = None
            result = self._outcome()
            if result is not None:
                kind, body, error_type, ended = result
                return RunOutcome(kind, body, error_type, (ended - start) * 1000.0, None)
            returncode = self._returncode
        duration_ms = (time.perf_counter() - start) * 1000.0
        if returncode is not None:
            return RunOutcome(OutcomeKind.EXITED, b"", None, duration_ms, returncode)
        return RunOutcome(OutcomeKind.TIMEOUT, b"", None, duration_ms, None)

    def _ended(self) -> bool:
        return self._result is not None or self._returncode is not None

    def _outcome(self) -> tuple[OutcomeKind, bytes, str | None, float] | None:
        return self._result

    def _dispatch_time(self) -> float | None:
        return self._dispatched_at

    def take_lines(self) -> list[str]:
        """Every output line since the last call (call `drain` first)."""
        return self._output.take_lines() if self._output else []

    def drain(self) -> None:
        if self._output is not None:
            self._output.drain()

    def memory_peak_bytes(self) -> int | None:
        """Peak memory of this invocation: the larger of the cgroup's charge and VmHWM.

        The cgroup does not charge shared library pages another process touched first,
        which Lambda's figure (the whole sandbox) includes; VmHWM does.
        """
        figures = [self._rss_peak_bytes()]
        if self.cgroup is not None:
            figures.append(self.cgroup.peak_bytes())
        known = [f for f in figures if f is not None]
        return max(known) if known else None

    def _rss_peak_bytes(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            status = Path(f"/proc/{self.pid}/status").read_text()
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return None

    def reset_memory_peak(self) -> None:
        if self.cgroup is not None:
            self.cgroup.reset_peak()
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # 5 = reset peak RSS

    def ran_out_of_memory(self) -> bool:
        return self.cgroup is not None and self.cgroup.oom_kills() > 0

    # ---- RuntimeApiSink (called from the listener's threads) -------------------------------

    def next_invocation(self) -> Invocation | None:
        with self._cond:
            if self._ready_at is None:
                self._ready_at = time.perf_counter()
                self._cond.notify_all()
            self._cond.wait_for(lambda: self._pending is not None or self._closing)
            invocation, self._pending = self._pending, None
            return None if self._closing else invocation

    def on_dispatched(self, request_id: str) -> None:
        with self._cond:
            if request_id != self._current_id:
                return
            self._dispatched_at = time.perf_counter()
            callback, self._on_dispatch = self._on_dispatch, None
        if callback is not None:
            callback()

    def _finish(
        self, request_id: str, kind: OutcomeKind, body: bytes, error_type: str | None
    ) -> bool:
        ended = time.perf_counter()
        with self._cond:
            if request_id != self._current_id or self._result is not None:
                return False
            self._result = (kind, body, error_type, ended)
            self._cond.notify_all()
            return True

    def on_response(self, request_id: str, body: bytes) -> bool:
        return self._finish(request_id, OutcomeKind.RESPONSE, body, None)

    def on_error(self, request_id: str, body: bytes, error_type: str) -> bool:
        return self._finish(request_id, OutcomeKind.ERROR, body, error_type)

    def on_init_error(self, body: bytes, error_type: str) -> None:
        with self._cond:
            self._init_error = (body, error_type)
            self._cond.notify_all()

    # ---- threads --------------------------------------------------------------------------

    def _watch(self) -> None:
        assert self._proc is not None
        returncode = self._proc.wait()
        with self._cond:
            self._returncode = returncode
            self._cond.notify_all()
