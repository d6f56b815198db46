"""Choosing how CPU is limited: cgroup v1/v2 when permitted, else a loud signal throttle.

Modes: `cgroup-v1`, `cgroup-v2` (CFS bandwidth + memory limit per environment),
`signal-throttle` (SIGSTOP/SIGCONT duty cycling, no memory limit), `none` (only on request).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from powertune.errors import ConfigError
from powertune.localcloud.engine.cgroups import DEFAULT_ROOT, V1, V2, CgroupTree, detect_mode

SIGNAL_THROTTLE = "signal-throttle"
NONE = "none"
MODES = (V1, V2, SIGNAL_THROTTLE, NONE)

log = logging.getLogger("powertune.localcloud.engine")
_warned = False


@dataclass(frozen=True, slots=True)
class CpuControl:
    mode: str
    cgroups: CgroupTree | None


def _warn_once(reason: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning(
            "CPU CONTROL DEGRADED: %s. Falling back to signal-throttle (SIGSTOP/SIGCONT duty "
            "cycling): CPU shares are approximate and memory limits are NOT enforced "
            "(no Runtime.OutOfMemory). Run as root or delegate a cgroup for real limits.",
            reason,
        )


def choose_cpu_control(requested: str | None, root: Path | None, instance_id: str) -> CpuControl:
    if requested is not None and requested not in MODES:
        raise ConfigError(f"cpu_control={requested!r} is not one of {', '.join(MODES)}")
    if requested in (SIGNAL_THROTTLE, NONE):
        return CpuControl(requested, None)
    cgroup_root = root or DEFAULT_ROOT
    mode = detect_mode(cgroup_root)
    if requested is not None and mode != requested:
        raise ConfigError(
            f"cpu_control={requested!r} was requested, but {cgroup_root} offers "
            f"{mode or 'no usable cgroup hierarchy'}; pass cpu_control=None to detect it."
        )
    if mode is None:
        _warn_once(f"no cgroup v1/v2 hierarchy with cpu and memory under {cgroup_root}")
        return CpuControl(SIGNAL_THROTTLE, None)
    try:
        tree = CgroupTree(cgroup_root, mode, instance_id)
    except OSError as error:
        if requested is not None:
            raise ConfigError(
                f"cpu_control={requested!r}: cannot create cgroups under {cgroup_root} "
                f"({error}); run as root or delegate a cgroup to this user."
            ) from error
        _warn_once(f"cannot create cgroups under {cgroup_root} ({error})")
        return CpuControl(SIGNAL_THROTTLE, None)
    return CpuControl(mode, tree)


__all__ = ["MODES", "NONE", "SIGNAL_THROTTLE", "V1", "V2", "CpuControl", "choose_cpu_control"]
