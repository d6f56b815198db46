"""The execution engine: runs Lambda invocations in real, CPU-limited environments.

The front door calls `invoke` from one thread per HTTP request; everything here is
thread-safe. An environment is an `awslambdaric` process (AWS's runtime interface client)
talking to our Runtime API; it gets a CPU share of memory/1769 vCPU and a memory limit of
its memory size (cgroups), or a duty-cycled share (signal throttle) where cgroups are not
permitted.
"""

from __future__ import annotations

import itertools
import os
import platform
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from powertune.lambda_model import vcpu_equivalents
from powertune.localcloud.engine import cgroups, errors
from powertune.localcloud.engine.cpucontrol import choose_cpu_control
from powertune.localcloud.engine.environment import Environment
from powertune.localcloud.engine.interpreter import find_runtime_python
from powertune.localcloud.engine.launch import client_context_json, lambda_environment, trace_id
from powertune.localcloud.engine.outcomes import OutcomeKind, RunOutcome
from powertune.localcloud.engine.pool import EnvironmentPool, Lease
from powertune.localcloud.engine.quota import (
    environment_quota,
    memory_limit_bytes,
)
from powertune.localcloud.engine.results import (
    INIT_LIMIT_S,
    Context,
    init_failure_result,
    invocation_result,
)
from powertune.localcloud.engine.runtime_api import Invocation
from powertune.localcloud.engine.spec import FunctionSpec, InvocationResult
from powertune.localcloud.engine.throttle import CpuPacer

# CFS period for CPU quotas, chosen with data (docs/local-cloud-engine.md, benchmarks/fidelity).
DEFAULT_CPU_PERIOD_US = 5_000
_PYTHON_RUNTIME = re.compile(r"^python3\.\d+$")


def host_architecture() -> str:
    machine = platform.machine().lower()
    return "arm64" if machine in ("aarch64", "arm64") else "x86_64"


class ExecutionEngine:
    """Runs invocations; one instance per local cloud."""

    def __init__(
        self,
        *,
        instance_id: str,
        work_dir: Path,
        region: str,
        endpoint_url: str,
        account_concurrency: int = 1000,
        idle_timeout_s: float = 300.0,
        cpu_control: str | None = None,
        cgroup_root: Path | None = None,
        runtime_python: str | None = None,
        cpu_period_us: int = DEFAULT_CPU_PERIOD_US,
        cpu_pacing: bool = True,
    ) -> None:
        self._python = find_runtime_python(runtime_python)
        self._region = region
        self._endpoint_url = endpoint_url
        self._period_us = cpu_period_us
        self._host_cores = len(os.sched_getaffinity(0))
        self._tmp_root = Path(work_dir) / "environments"
        self._tmp_root.mkdir(parents=True, exist_ok=True)
        self._control = choose_cpu_control(cpu_control, cgroup_root, instance_id)
        # Below one vCPU, a pacer keeps each invocation on share × elapsed (throttle.py);
        # without cgroups it is the only CPU limit, so it is always on in that mode.
        pace = cpu_pacing or self._control.mode == "signal-throttle"
        self._pacer = CpuPacer(self._host_cores) if pace and self._control.mode != "none" else None
        self._counter = itertools.count(1)
        self._closed = threading.Event()
        self._pool = EnvironmentPool(
            account_concurrency=account_concurrency,
            idle_timeout_s=idle_timeout_s,
            factory=self._new_environment,
        )

    @property
    def cpu_control(self) -> str:
        """What limits CPU: cgroup-v1, cgroup-v2, signal-throttle or none."""
        return self._control.mode

    @property
    def python_version(self) -> str:
        return self._python.version

    def validate(self, spec: FunctionSpec) -> None:
        """Refuse what we cannot run faithfully, as an AWS error the front door can return."""
        if not spec.runtime:
            raise errors.unsupported_image()
        if not _PYTHON_RUNTIME.match(spec.runtime):
            raise errors.unsupported_runtime(spec.runtime, self._python.version)
        if spec.architecture != host_architecture():
            raise errors.unsupported_architecture(spec.architecture, host_architecture())

    def invoke(
        self, spec: FunctionSpec, payload: bytes, client_context: str | None = None
    ) -> InvocationResult:
        """Run one invocation and block until it ends (thread-safe).

        Raises EngineError for what Lambda refuses before running anything (throttling,
        unsupported runtime); everything the function does wrong is in the result.
        """
        self.validate(spec)
        if self._closed.is_set():
            raise errors.EngineError("ServiceException", "The local cloud is shutting down.", 500)
        lease = self._pool.acquire(spec)
        broken = True
        try:
            result, broken = self._invoke_on(lease, spec, payload, client_context)
            return result
        finally:
            (self._pool.discard if broken else self._pool.release)(lease)

    def forget(self, function_name: str, version: str | None = None) -> None:
        """The function or version was deleted or changed: stop its environments."""
        self._pool.forget(function_name, version)

    def shutdown(self) -> None:
        """Kill every environment and remove every cgroup this instance created."""
        self._closed.set()
        self._pool.close()
        if self._pacer is not None:
            self._pacer.close()
        if self._control.cgroups is not None:
            self._control.cgroups.remove()
        shutil.rmtree(self._tmp_root, ignore_errors=True)

    @staticmethod
    def cleanup_stale(
        cgroup_root: Path | None = None,
        is_alive: Callable[[str], bool] = cgroups.pid_is_alive,
    ) -> list[str]:
        """Remove cgroups of instances whose process is dead (`is_alive(owner_pid)`)."""
        return cgroups.cleanup_stale(cgroup_root or cgroups.DEFAULT_ROOT, is_alive)

    # ---- internals --------------------------------------------------------------------------

    def _invoke_on(
        self, lease: Lease, spec: FunctionSpec, payload: bytes, client_context: str | None
    ) -> tuple[InvocationResult, bool]:
        env = lease.env
        request_id = str(uuid.uuid4())
        init_ms: float | None = None
        init_lines: list[str] = []
        if lease.cold:
            try:
                env.start()
            except OSError as error:
                raise errors.service_error(f"cannot start {spec.runtime}: {error}") from error
            init = env.wait_ready(INIT_LIMIT_S)
            env.drain()
            init_lines, init_ms = env.take_lines(), init.duration_ms
            if not init.ok:
                peak = env.memory_peak_bytes()
                oom = env.ran_out_of_memory()
                env.kill()
                ctx = self._context(spec, request_id, env, init_ms, init_lines)
                return init_failure_result(ctx, init, oom, peak), True
            self._limit_cpu(env, spec)
        ctx = self._context(spec, request_id, env, init_ms, init_lines)
        invocation = Invocation(
            request_id=request_id,
            payload=payload,
            deadline_epoch_ms=int((time.time() + spec.timeout_s) * 1000),
            function_arn=spec.function_arn,
            trace_id=trace_id(),
            client_context=client_context_json(client_context),
        )
        outcome = self._run_paced(env, spec, invocation)
        peak = env.memory_peak_bytes()
        oom = outcome.kind is OutcomeKind.EXITED and env.ran_out_of_memory()
        broken = outcome.kind.ends_environment
        if broken:
            env.kill()
        env.drain()
        return invocation_result(ctx, outcome, env.take_lines(), oom, peak), broken

    def _context(
        self,
        spec: FunctionSpec,
        request_id: str,
        env: Environment,
        init_ms: float | None,
        init_lines: list[str],
    ) -> Context:
        return Context(
            spec=spec,
            request_id=request_id,
            epoch_s=time.time(),
            python_version=self._python.version,
            region=self._region,
            cpu_control=self._control.mode,
            log_stream=env.log_stream,
            init_duration_ms=init_ms,
            init_lines=tuple(init_lines),
        )

    def _share(self, spec: FunctionSpec) -> float:
        return min(vcpu_equivalents(spec.memory_mb), float(self._host_cores))

    def _paced(self, spec: FunctionSpec) -> bool:
        return self._pacer is not None and self._share(spec) < self._host_cores

    def _limit_cpu(self, env: Environment, spec: FunctionSpec) -> None:
        """INIT ran with burst CPU, as on Lambda; from the first event on, the memory share."""
        if env.cgroup is None:
            return
        # When paced, the quota is only a backstop (twice the share) in case the pacer lags.
        # An exact quota would also throttle a lone thread at 1769 MB now and then: the
        # kernel's accounting lets a quota of exactly one CPU run short (measured).
        memory_mb = spec.memory_mb * 2 if self._paced(spec) else spec.memory_mb
        env.cgroup.set_cpu(environment_quota(memory_mb, self._period_us, self._host_cores))

    def _run_paced(
        self, env: Environment, spec: FunctionSpec, invocation: Invocation
    ) -> RunOutcome:
        pid, pacer = env.pid, self._pacer
        if pacer is None or pid is None or not self._paced(spec):
            return env.run(invocation, float(spec.timeout_s))
        share = self._share(spec)
        try:
            return env.run(
                invocation, float(spec.timeout_s), on_dispatch=lambda: pacer.begin(pid, pid, share)
            )
        finally:
            pacer.end(pid)

    def _new_environment(self, spec: FunctionSpec) -> Environment:
        number = next(self._counter)
        name = f"env-{number}"
        tree = self._control.cgroups
        try:
            group = tree.create_env(name, memory_limit_bytes(spec.memory_mb)) if tree else None
        except OSError as error:
            raise errors.service_error(f"cannot create the cgroups of {name}: {error}") from error
        tmp_dir = self._tmp_root / name
        tmp_dir.mkdir(parents=True, exist_ok=True)
        log_stream = f"{datetime.now(UTC):%Y/%m/%d}/[{spec.version}]{uuid.uuid4().hex}"
        env = Environment(
            name=f"{spec.function_name}/{name}",
            command=[self._python.executable, "-m", "awslambdaric", spec.handler],
            code_dir=spec.code_dir,
            launch_env={},
            cgroup=group,
            tmp_dir=tmp_dir,
        )
        env.log_stream = log_stream
        env.set_launch_env(
            lambda_environment(
                spec,
                runtime_api=env.api.address,
                log_stream=log_stream,
                tmp_dir=tmp_dir,
                region=self._region,
                endpoint_url=self._endpoint_url,
                runtime_dir=self._python.runtime_dir,
            )
        )
        return env
