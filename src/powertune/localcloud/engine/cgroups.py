"""Every write to the cgroup filesystem the engine makes: one group per environment.

Layout: `<hierarchy>/<our own cgroup>/powertune-<instance>.<pid>/env-<n>`. The owning
process id is part of the group name, so `cleanup_stale` can tell a dead instance's groups
from a live one's, and parallel instances never share a group. Groups are created under the
process's OWN cgroup (from /proc/self/cgroup), not the hierarchy root: on this kind of
machine the memory controller only works there (DESIGN.md, measured facts).

cgroup v1 is verified on a real host; v2 is only tested against a fake folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from powertune.localcloud.engine.quota import CpuQuota
from powertune.localcloud.processes import pid_alive

DEFAULT_ROOT = Path("/sys/fs/cgroup")
V1 = "cgroup-v1"
V2 = "cgroup-v2"
_GROUP = re.compile(r"^powertune-(?P<instance>[A-Za-z0-9_-]+)\.(?P<pid>\d+)$")


def group_name(instance_id: str, pid: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", instance_id) or "instance"
    return f"powertune-{safe}.{pid}"


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _read_int(path: Path, key: str | None = None) -> int | None:
    try:
        text = path.read_text()
    except OSError:
        return None
    if key is None:
        return int(text.split()[0]) if text.strip() else None
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return None


def _own_paths() -> dict[str, str]:
    """controller → our cgroup path, from /proc/self/cgroup ("" key for the v2 line)."""
    paths: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                paths[name] = path
    return paths


def _own_dir(hierarchy: Path, controller: str) -> Path:
    own = hierarchy / _own_paths().get(controller, "/").lstrip("/")
    return own if own.is_dir() else hierarchy


def _v1_hierarchy(root: Path, controller: str) -> Path | None:
    for name in (controller, "cpu,cpuacct", "cpuacct,cpu"):
        candidate = root / name
        probe = "cpu.cfs_quota_us" if controller == "cpu" else "memory.limit_in_bytes"
        if (candidate / probe).exists():
            return candidate
    return None


def detect_mode(root: Path) -> str | None:
    """cgroup-v2 if `root` is a unified hierarchy with cpu+memory, cgroup-v1 if both exist."""
    controllers = root / "cgroup.controllers"
    if controllers.exists():
        available = controllers.read_text().split()
        return V2 if {"cpu", "memory"} <= set(available) else None
    if _v1_hierarchy(root, "cpu") and _v1_hierarchy(root, "memory"):
        return V1
    return None


def _base_dirs(root: Path, mode: str) -> list[Path]:
    if mode == V2:
        return [_own_dir(root, "")]
    found = [_v1_hierarchy(root, "cpu"), _v1_hierarchy(root, "memory")]
    return [_own_dir(h, "cpu" if i == 0 else "memory") for i, h in enumerate(found) if h]


def _kill_and_remove(group: Path) -> None:
    """SIGKILL whatever is left in `group` (and its children), then remove it, bottom-up."""
    children = [p for p in group.iterdir() if p.is_dir()] if group.is_dir() else []
    for child in children:
        _kill_and_remove(child)
    for _attempt in range(200):
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as error:
            if error.errno == errno.ENOTEMPTY:
                # A plain folder (a fake cgroup root in tests): remove the files we wrote.
                for item in group.iterdir():
                    if not item.is_dir():
                        item.unlink()
                continue
            if error.errno != errno.EBUSY:
                raise
        # EBUSY: the group still has tasks (real cgroupfs lists only real members).
        for pid in _read_pids(group):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    group.rmdir()


def _read_pids(group: Path) -> list[int]:
    try:
        return [int(x) for x in (group / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


@dataclass(frozen=True, slots=True)
class EnvCgroup:
    """The group(s) of one execution environment (one per v1 hierarchy, one on v2)."""

    mode: str
    cpu_dir: Path
    memory_dir: Path

    @property
    def procs_files(self) -> list[Path]:
        dirs = (
            [self.cpu_dir] if self.cpu_dir == self.memory_dir else [self.cpu_dir, self.memory_dir]
        )
        return [d / "cgroup.procs" for d in dirs]

    def set_cpu(self, quota: CpuQuota | None) -> None:
        """Apply a CFS quota; None lifts it (INIT runs with burst CPU, as on Lambda)."""
        if self.mode == V2:
            period = quota.period_us if quota else 100_000
            _write(self.cpu_dir / "cpu.max", f"{quota.quota_us if quota else 'max'} {period}")
            return
        if quota is not None:
            _write(self.cpu_dir / "cpu.cfs_period_us", str(quota.period_us))
        _write(self.cpu_dir / "cpu.cfs_quota_us", str(quota.quota_us if quota else -1))

    def set_memory(self, limit_bytes: int) -> None:
        if self.mode == V2:
            _write(self.memory_dir / "memory.max", str(limit_bytes))
            with contextlib.suppress(OSError):  # no swap accounting: nothing to turn off
                _write(self.memory_dir / "memory.swap.max", "0")
            return
        _write(self.memory_dir / "memory.limit_in_bytes", str(limit_bytes))
        # Swap off: memsw (RAM+swap) equal to the RAM limit, where swap accounting exists.
        if (self.memory_dir / "memory.memsw.limit_in_bytes").exists():
            _write(self.memory_dir / "memory.memsw.limit_in_bytes", str(limit_bytes))
        with contextlib.suppress(OSError):
            _write(self.memory_dir / "memory.swappiness", "0")

    def reset_peak(self) -> None:
        """Start a fresh peak for the next invocation (v1 resets on write; v2 since Linux 6.12)."""
        name = "memory.peak" if self.mode == V2 else "memory.max_usage_in_bytes"
        with contextlib.suppress(OSError):
            _write(self.memory_dir / name, "0")

    def peak_bytes(self) -> int | None:
        name = "memory.peak" if self.mode == V2 else "memory.max_usage_in_bytes"
        return _read_int(self.memory_dir / name)

    def oom_kills(self) -> int:
        name = "memory.events" if self.mode == V2 else "memory.oom_control"
        return _read_int(self.memory_dir / name, "oom_kill") or 0

    def pids(self) -> list[int]:
        return sorted(set(_read_pids(self.cpu_dir)) | set(_read_pids(self.memory_dir)))

    def remove(self) -> None:
        for folder in {self.cpu_dir, self.memory_dir}:
            _kill_and_remove(folder)


class CgroupTree:
    """The groups of one engine instance; raises OSError when cgroups are not permitted."""

    def __init__(self, root: Path, mode: str, instance_id: str) -> None:
        self.mode = mode
        self._name = group_name(instance_id, os.getpid())
        self._bases = [base / self._name for base in _base_dirs(root, mode)]
        if not self._bases:
            raise OSError(f"no cpu/memory cgroup hierarchy under {root}")
        for base in self._bases:
            if mode == V2:
                # Controllers must be enabled top-down for a child to get cpu.max/memory.max.
                _write(base.parent / "cgroup.subtree_control", "+cpu +memory")
            base.mkdir(exist_ok=True)
            if mode == V2:
                _write(base / "cgroup.subtree_control", "+cpu +memory")
        # A Lambda environment's share is guaranteed, not best effort: give the instance a
        # high CPU weight so each environment's quota, not other load on the host, is what
        # limits it. Quotas still cap every environment at memory/1769 vCPU.
        weight_file, weight = ("cpu.weight", "10000") if mode == V2 else ("cpu.shares", "65536")
        with contextlib.suppress(OSError):
            _write(self._bases[0] / weight_file, weight)

    def create_env(self, env_name: str, memory_limit_bytes: int) -> EnvCgroup:
        dirs = [base / env_name for base in self._bases]
        for folder in dirs:
            folder.mkdir()
        group = EnvCgroup(self.mode, cpu_dir=dirs[0], memory_dir=dirs[-1])
        try:
            group.set_memory(memory_limit_bytes)
            group.set_cpu(None)
        except OSError:
            group.remove()
            raise
        return group

    def remove(self) -> None:
        for base in self._bases:
            _kill_and_remove(base)


def pid_is_alive(pid_text: str) -> bool:
    """Whether the instance owning a group is alive (a zombie owner is dead)."""
    return pid_alive(int(pid_text))


def cleanup_stale(
    root: Path = DEFAULT_ROOT, is_alive: Callable[[str], bool] = pid_is_alive
) -> list[str]:
    """Remove the groups of instances whose owning process is dead; return their paths."""
    mode = detect_mode(root)
    if mode is None:
        return []
    removed: list[str] = []
    for base in _base_dirs(root, mode):
        for group in sorted(base.glob("powertune-*")):
            match = _GROUP.match(group.name)
            if match is None or not group.is_dir() or is_alive(match["pid"]):
                continue
            with contextlib.suppress(OSError):
                _kill_and_remove(group)
                removed.append(str(group))
    return removed
