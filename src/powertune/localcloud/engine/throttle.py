"""Portable CPU throttle for hosts without cgroups: SIGSTOP/SIGCONT duty cycling.

One thread serves every environment: at the start of each period it continues every
registered process group, then stops each one once its share of the period has passed.
It is coarser than a CFS quota (a stopped process also stops its I/O, and the thread itself
needs CPU), so results under it are approximate; cgroups are preferred when permitted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

from powertune.localcloud.engine.quota import CpuQuota


class SignalThrottler:
    """Duty-cycles process groups so each runs `quota_us` per `period_us` of wall time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._groups: dict[int, CpuQuota] = {}
        self._stopped = False
        self._thread: threading.Thread | None = None

    def register(self, pgid: int, quota: CpuQuota) -> None:
        if quota.quota_us >= quota.period_us:
            return  # a full vCPU or more: nothing to take away from one thread
        with self._lock:
            self._groups[pgid] = quota
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="powertune-throttle", daemon=True
                )
                self._thread.start()
            self._wake.notify()

    def unregister(self, pgid: int) -> None:
        with self._lock:
            if self._groups.pop(pgid, None) is not None:
                _signal(pgid, signal.SIGCONT)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            for pgid in self._groups:
                _signal(pgid, signal.SIGCONT)
            self._groups.clear()
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._groups and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                groups = sorted(self._groups.items(), key=lambda item: item[1].vcpus)
                period_s = max(q.period_us for _, q in groups) / 1e6
                for pgid, _ in groups:
                    _signal(pgid, signal.SIGCONT)
            start = time.monotonic()
            for pgid, quota in groups:
                _sleep_until(start + period_s * quota.vcpus)
                with self._lock:
                    if self._groups.get(pgid) == quota:
                        _signal(pgid, signal.SIGSTOP)
            _sleep_until(start + period_s)


def _signal(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _sleep_until(deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
