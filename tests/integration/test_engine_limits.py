"""Engine limits for real: concurrency and throttling, CPU ∝ memory, reaping, clean-up.

No timing thresholds: CPU tests assert orderings only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from powertune.localcloud.engine import EngineError, ExecutionEngine, FunctionSpec
from powertune.localcloud.engine.cgroups import DEFAULT_ROOT, V1, V2, detect_mode

pytestmark = pytest.mark.integration

HANDLERS = """
import os, time
from pathlib import Path

def wait_for_go(event, context):
    Path(event["started"]).write_text("1")
    deadline = time.time() + 20
    while not Path(event["go"]).exists() and time.time() < deadline:
        time.sleep(0.01)
    return {"pid": os.getpid()}

def spin(event, context):
    started = time.process_time()
    total = 0
    for i in range(event["n"]):
        total += i * i
    return {"cpu_ms": (time.process_time() - started) * 1000, "pid": os.getpid()}

def whoami(event, context):
    return {"pid": os.getpid(), "pgid": os.getpgid(0)}
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
    return folder


def new_engine(tmp_path: Path, **options: object) -> ExecutionEngine:
    return ExecutionEngine(
        instance_id=f"test-{uuid.uuid4().hex[:8]}",
        work_dir=tmp_path / f"work-{uuid.uuid4().hex[:6]}",
        region="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[ExecutionEngine]:
    instance = new_engine(tmp_path)
    yield instance
    instance.shutdown()


def make_spec(code_dir: Path, handler: str, name: str = "fn", **overrides: object) -> FunctionSpec:
    fields: dict[str, object] = {
        "function_name": name,
        "function_arn": f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        "version": "$LATEST",
        "runtime": "python3.11",
        "handler": handler,
        "memory_mb": 1769,
        "timeout_s": 30,
        "architecture": "x86_64",
        "environment": {},
        "code_dir": code_dir,
        "code_sha256": "sha",
    }
    fields.update(overrides)
    return FunctionSpec(**fields)  # type: ignore[arg-type]


class Gate:
    """Files a handler writes when it has started and waits for before it returns."""

    def __init__(self, folder: Path, name: str) -> None:
        self.started = folder / f"{name}.started"
        self.go = folder / f"{name}.go"

    def event(self) -> bytes:
        return json.dumps({"started": str(self.started), "go": str(self.go)}).encode()

    def wait_started(self) -> None:
        deadline = time.monotonic() + 30
        while not self.started.exists():
            assert time.monotonic() < deadline, "handler never started"
            time.sleep(0.01)


def test_parallel_invokes_use_separate_environments(
    engine: ExecutionEngine, code_dir: Path, tmp_path: Path
) -> None:
    spec = make_spec(code_dir, "app.wait_for_go")
    gates = [Gate(tmp_path, "a"), Gate(tmp_path, "b")]
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(engine.invoke, spec, gate.event()) for gate in gates]
        for gate in gates:
            gate.wait_started()  # both handlers are running at once
        for gate in gates:
            gate.go.write_text("1")
        results = [future.result() for future in futures]
    pids = {json.loads(result.payload)["pid"] for result in results}
    assert len(pids) == 2
    assert all(result.init_duration_ms is not None for result in results)


def test_reserved_concurrency_throttles(
    engine: ExecutionEngine, code_dir: Path, tmp_path: Path
) -> None:
    spec = make_spec(code_dir, "app.wait_for_go", reserved_concurrency=1)
    gate = Gate(tmp_path, "r")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(engine.invoke, spec, gate.event())
        gate.wait_started()
        with pytest.raises(EngineError) as throttled:
            engine.invoke(spec, gate.event())
        gate.go.write_text("1")
        assert first.result().function_error is None
    error = throttled.value
    assert (error.code, error.status, error.aws_message) == (
        "TooManyRequestsException",
        429,
        "Rate Exceeded.",
    )
    assert error.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    # Once the first one is done, the slot is free again.
    gate.started.unlink()
    assert engine.invoke(spec, gate.event()).function_error is None


def test_account_concurrency_throttles(code_dir: Path, tmp_path: Path) -> None:
    engine = new_engine(tmp_path, account_concurrency=1)
    try:
        gate = Gate(tmp_path, "acct")
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(engine.invoke, make_spec(code_dir, "app.wait_for_go"), gate.event())
            gate.wait_started()
            with pytest.raises(EngineError) as throttled:
                engine.invoke(make_spec(code_dir, "app.whoami", name="other"), b"{}")
            gate.go.write_text("1")
            first.result()
        assert throttled.value.reason == "ConcurrentInvocationLimitExceeded"
    finally:
        engine.shutdown()


def test_idle_environments_are_reaped(code_dir: Path, tmp_path: Path) -> None:
    engine = new_engine(tmp_path, idle_timeout_s=0.1)
    try:
        spec = make_spec(code_dir, "app.whoami")
        first = json.loads(engine.invoke(spec, b"{}").payload)["pid"]
        deadline = time.monotonic() + 20
        while pid_alive(first):
            assert time.monotonic() < deadline, "idle environment was never reaped"
            time.sleep(0.05)
        assert engine.invoke(spec, b"{}").init_duration_ms is not None
    finally:
        engine.shutdown()


def test_forget_and_config_change_start_fresh_environments(
    engine: ExecutionEngine, code_dir: Path
) -> None:
    spec = make_spec(code_dir, "app.whoami")
    engine.invoke(spec, b"{}")
    assert engine.invoke(spec, b"{}").init_duration_ms is None
    engine.forget("fn")
    assert engine.invoke(spec, b"{}").init_duration_ms is not None
    changed = make_spec(code_dir, "app.whoami", memory_mb=512)
    assert engine.invoke(changed, b"{}").init_duration_ms is not None


def spin_duration_ms(engine: ExecutionEngine, code_dir: Path, memory_mb: int) -> float:
    spec = make_spec(code_dir, "app.spin", name=f"spin{memory_mb}", memory_mb=memory_mb)
    engine.invoke(spec, b'{"n": 1000}')  # cold start out of the way
    return engine.invoke(spec, b'{"n": 300000}').duration_ms


@pytest.mark.needs_cgroups
@skip_without_cgroups
def test_cpu_is_proportional_to_memory_with_cgroups(
    engine: ExecutionEngine, code_dir: Path
) -> None:
    assert engine.cpu_control in (V1, V2)
    assert spin_duration_ms(engine, code_dir, 128) > spin_duration_ms(engine, code_dir, 1769)


def test_cpu_is_proportional_to_memory_with_signal_throttle(code_dir: Path, tmp_path: Path) -> None:
    engine = new_engine(tmp_path, cpu_control="signal-throttle")
    try:
        assert engine.cpu_control == "signal-throttle"
        assert spin_duration_ms(engine, code_dir, 128) > spin_duration_ms(engine, code_dir, 1769)
    finally:
        engine.shutdown()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.needs_cgroups
@skip_without_cgroups
def test_shutdown_leaves_no_processes_or_cgroups(code_dir: Path, tmp_path: Path) -> None:
    instance_id = f"shut-{uuid.uuid4().hex[:8]}"
    engine = ExecutionEngine(
        instance_id=instance_id,
        work_dir=tmp_path / "work",
        region="us-east-1",
        endpoint_url="http://127.0.0.1:9",
    )
    pids = [
        json.loads(engine.invoke(make_spec(code_dir, "app.whoami", name=f"f{i}"), b"{}").payload)
        for i in range(2)
    ]
    mine = f"powertune-{instance_id}.{os.getpid()}"
    groups = list(DEFAULT_ROOT.glob(f"*/{mine}")) + list(DEFAULT_ROOT.glob(f"*/**/{mine}"))
    assert groups, "the engine made no cgroups"
    assert any((group / "env-1").is_dir() for group in groups)
    engine.shutdown()
    assert not [p["pid"] for p in pids if pid_alive(p["pid"])]
    assert not [group for group in groups if group.exists()]
    assert not (tmp_path / "work" / "environments").exists()


@pytest.mark.needs_cgroups
@skip_without_cgroups
def test_cleanup_stale_removes_dead_instances_only(engine: ExecutionEngine) -> None:
    dead_pid = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    cpu_root = DEFAULT_ROOT / ("cpu" if engine.cpu_control == V1 else "")
    dead = cpu_root / f"powertune-crashed{uuid.uuid4().hex[:6]}.{dead_pid}" / "env-1"
    dead.mkdir(parents=True)
    live = [g for g in cpu_root.glob(f"powertune-*.{os.getpid()}") if g.is_dir()]
    assert live, "the running engine's own group should exist"
    removed = ExecutionEngine.cleanup_stale()
    assert str(dead.parent) in removed
    assert not dead.parent.exists()
    assert all(group.exists() for group in live)


def test_shutdown_during_invocation_is_clean(code_dir: Path, tmp_path: Path) -> None:
    engine = new_engine(tmp_path)
    gate = Gate(tmp_path, "s")
    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.append(
            engine.invoke(make_spec(code_dir, "app.wait_for_go"), gate.event())
        )
    )
    worker.start()
    gate.wait_started()
    engine.shutdown()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert results and getattr(results[0], "function_error", None) == "Unhandled"


def test_pacer_holds_a_busy_process_to_its_share(tmp_path: Path) -> None:
    """A CPU-bound process paced at 10% gets less CPU than an unpaced twin in the same time."""
    from powertune.localcloud.engine.throttle import CpuPacer, process_cpu_clock

    loop = "x = 0\nwhile True:\n    x += 1\n"
    procs = [subprocess.Popen([sys.executable, "-c", loop], process_group=0) for _ in range(2)]
    pacer = CpuPacer(host_cores=len(os.sched_getaffinity(0)))
    try:
        clocks = [process_cpu_clock(p.pid) for p in procs]
        before = [time.clock_gettime_ns(c) for c in clocks]
        pacer.begin(procs[0].pid, procs[0].pid, 0.1)
        time.sleep(0.5)
        used = [time.clock_gettime_ns(c) - b for c, b in zip(clocks, before, strict=True)]
        pacer.end(procs[0].pid)
        assert used[0] < used[1]
        state = Path(f"/proc/{procs[0].pid}/stat").read_text().split(") ")[1].split()[0]
        assert state != "T"  # continued after the pacing ended, not left stopped
    finally:
        pacer.close()
        for proc in procs:
            proc.kill()
            proc.wait()


def test_engine_on_a_fake_cgroup_v2_root(code_dir: Path, tmp_path: Path) -> None:
    """v2 is not mounted here: drive the v2 code path against a fake folder end to end."""
    root = tmp_path / "fake-v2"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    engine = new_engine(tmp_path, cgroup_root=root)
    try:
        assert engine.cpu_control == V2
        result = engine.invoke(make_spec(code_dir, "app.whoami", memory_mb=512), b"{}")
        assert result.function_error is None
        assert result.cpu_control == V2
        env_dirs = list(root.glob("powertune-*/env-1"))
        assert len(env_dirs) == 1
        assert (env_dirs[0] / "memory.max").read_text() == str(512 << 20)
        quota, period = (env_dirs[0] / "cpu.max").read_text().split()
        assert int(quota) > 0 and int(period) > 0
        pid = json.loads(result.payload)["pid"]
        assert (env_dirs[0] / "cgroup.procs").read_text().split() == [str(pid)]
    finally:
        engine.shutdown()
    assert not list(root.glob("powertune-*"))


def test_signal_throttle_mode_without_cgroups(code_dir: Path, tmp_path: Path) -> None:
    empty_root = tmp_path / "no-cgroups"
    empty_root.mkdir()
    engine = new_engine(tmp_path, cgroup_root=empty_root)
    try:
        assert engine.cpu_control == "signal-throttle"
        result = engine.invoke(make_spec(code_dir, "app.whoami", memory_mb=128), b"{}")
        assert result.cpu_control == "signal-throttle"
        assert result.max_memory_used_mb > 0  # from the runtime's peak RSS
    finally:
        engine.shutdown()
