"""cgroup writes against fake cgroup folders (v1 and v2), and stale-group clean-up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from powertune.errors import ConfigError
from powertune.localcloud.engine import cgroups
from powertune.localcloud.engine.cpucontrol import choose_cpu_control
from powertune.localcloud.engine.quota import CpuQuota


def fake_v1(root: Path) -> Path:
    (root / "cpu").mkdir(parents=True)
    (root / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    (root / "memory").mkdir()
    (root / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    return root


def fake_v2(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    return root


def test_detects_versions(tmp_path: Path) -> None:
    assert cgroups.detect_mode(fake_v1(tmp_path / "a")) == cgroups.V1
    assert cgroups.detect_mode(fake_v2(tmp_path / "b")) == cgroups.V2
    (tmp_path / "c").mkdir()
    assert cgroups.detect_mode(tmp_path / "c") is None


def test_v2_writes_cpu_max_memory_max_and_swap_off(tmp_path: Path) -> None:
    root = fake_v2(tmp_path)
    tree = cgroups.CgroupTree(root, cgroups.V2, "inst")
    env = tree.create_env("env-1", 128 << 20)
    group = root / f"powertune-inst.{os.getpid()}"
    assert (root / "cgroup.subtree_control").read_text() == "+cpu +memory"
    assert env.memory_dir == group / "env-1"
    assert (env.memory_dir / "memory.max").read_text() == str(128 << 20)
    assert (env.memory_dir / "memory.swap.max").read_text() == "0"
    assert (env.cpu_dir / "cpu.max").read_text() == "max 100000"  # INIT: burst CPU
    env.set_cpu(CpuQuota(1447, 20_000))
    assert (env.cpu_dir / "cpu.max").read_text() == "1447 20000"
    assert env.procs_files == [group / "env-1" / "cgroup.procs"]
    (env.memory_dir / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert env.oom_kills() == 1
    tree.remove()
    assert not group.exists()


def test_v1_writes_cfs_quota_and_memory_limit(tmp_path: Path) -> None:
    root = fake_v1(tmp_path)
    tree = cgroups.CgroupTree(root, cgroups.V1, "inst")
    env = tree.create_env("env-7", 256 << 20)
    assert (env.memory_dir / "memory.limit_in_bytes").read_text() == str(256 << 20)
    assert (env.cpu_dir / "cpu.cfs_quota_us").read_text() == "-1"
    env.set_cpu(CpuQuota(2894, 20_000))
    assert (env.cpu_dir / "cpu.cfs_period_us").read_text() == "20000"
    assert (env.cpu_dir / "cpu.cfs_quota_us").read_text() == "2894"
    assert len(env.procs_files) == 2
    (env.memory_dir / "memory.max_usage_in_bytes").write_text("47185920\n")
    assert env.peak_bytes() == 47185920
    env.remove()
    assert not env.cpu_dir.exists() and not env.memory_dir.exists()
    tree.remove()


def test_cleanup_stale_removes_dead_keeps_live(tmp_path: Path) -> None:
    root = fake_v2(tmp_path)
    dead = root / "powertune-old.111"
    live = root / "powertune-new.222"
    for group in (dead, live):
        (group / "env-1").mkdir(parents=True)
        (group / "env-1" / "cpu.max").write_text("max 100000")
    (root / "unrelated").mkdir()
    removed = cgroups.cleanup_stale(root, is_alive=lambda pid: pid == "222")
    assert removed == [str(dead)]
    assert not dead.exists()
    assert live.exists() and (root / "unrelated").exists()


def test_group_name_carries_owner_pid() -> None:
    assert cgroups.group_name("a b/c", 42) == "powertune-a-b-c.42"
    assert cgroups.pid_is_alive(str(os.getpid()))


def test_no_cgroups_falls_back_to_signal_throttle_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import powertune.localcloud.engine.cpucontrol as cpucontrol

    cpucontrol._warned = False
    for _ in range(2):
        control = choose_cpu_control(None, tmp_path, "inst")
        assert control.mode == "signal-throttle"
        assert control.cgroups is None
    warnings = [r for r in caplog.records if "CPU CONTROL DEGRADED" in r.getMessage()]
    assert len(warnings) == 1


def test_forcing_an_absent_mode_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cgroup-v2"):
        choose_cpu_control("cgroup-v2", fake_v1(tmp_path), "inst")
    with pytest.raises(ConfigError, match="not one of"):
        choose_cpu_control("turbo", tmp_path, "inst")


def test_forced_none_creates_nothing(tmp_path: Path) -> None:
    control = choose_cpu_control("none", fake_v2(tmp_path), "inst")
    assert control.mode == "none"
    assert not list(tmp_path.glob("powertune-*"))
