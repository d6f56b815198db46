"""Warm environments, concurrency limits and idle reaping.

Mirrors Lambda's scaling rules: an environment serves one invocation at a time; a request
reuses the most recently used idle environment of the same function version and
configuration (a configuration or code change means fresh environments); otherwise a new
one starts (a cold start). Busy environments count against the function's reserved
concurrency and the account's limit; beyond either, Lambda throttles with
TooManyRequestsException (API_Invoke). Idle environments are stopped after a while.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from powertune.localcloud.engine.environment import Environment
from powertune.localcloud.engine.errors import ACCOUNT_LIMIT, RESERVED_LIMIT, throttled
from powertune.localcloud.engine.spec import FunctionSpec


@dataclass(frozen=True, slots=True)
class _Slot:
    function_name: str
    version: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Lease:
    """An environment handed to one invocation; give it back with `release`."""

    env: Environment
    cold: bool
    slot: _Slot


class EnvironmentPool:
    def __init__(
        self,
        *,
        account_concurrency: int,
        idle_timeout_s: float,
        factory: Callable[[FunctionSpec], Environment],
    ) -> None:
        self._account_concurrency = account_concurrency
        self._idle_timeout_s = idle_timeout_s
        self._factory = factory
        self._lock = threading.Lock()
        self._idle: list[tuple[_Slot, Environment]] = []  # most recently used last
        self._busy: dict[str, int] = {}
        self._busy_total = 0
        self._leased: dict[Environment, _Slot] = {}
        self._retired: set[Environment] = set()
        self._closed = threading.Event()
        self._reaper = threading.Thread(target=self._reap_loop, daemon=True, name="env-reaper")
        self._reaper.start()

    def acquire(self, spec: FunctionSpec) -> Lease:
        slot = _Slot(spec.function_name, spec.version, spec.fingerprint())
        stale: list[Environment] = []
        with self._lock:
            busy = self._busy.get(spec.function_name, 0)
            if spec.reserved_concurrency is not None and busy >= spec.reserved_concurrency:
                raise throttled(RESERVED_LIMIT)
            if self._busy_total >= self._account_concurrency:
                raise throttled(ACCOUNT_LIMIT)
            self._busy[spec.function_name] = busy + 1
            self._busy_total += 1
            found: Environment | None = None
            keep: list[tuple[_Slot, Environment]] = []
            for idle_slot, env in reversed(self._idle):
                same_version = (idle_slot.function_name, idle_slot.version) == (
                    slot.function_name,
                    slot.version,
                )
                if (same_version and idle_slot != slot) or not env.alive:
                    stale.append(env)  # configuration changed, or died while idle
                elif found is None and idle_slot == slot:
                    found = env
                else:
                    keep.append((idle_slot, env))
            self._idle = list(reversed(keep))
            if found is not None:
                self._leased[found] = slot
        _kill_all(stale)
        if found is not None:
            return Lease(found, cold=False, slot=slot)
        try:
            env = self._factory(spec)
        except BaseException:
            self._unbusy(spec.function_name)
            raise
        with self._lock:
            self._leased[env] = slot
        return Lease(env, cold=True, slot=slot)

    def release(self, lease: Lease) -> None:
        """Back to the idle list if it can serve again; otherwise stop it."""
        lease.env.last_used = time.monotonic()
        with self._lock:
            self._leased.pop(lease.env, None)
            keep = lease.env.alive and lease.env not in self._retired and not self._closed.is_set()
            self._retired.discard(lease.env)
            if keep:
                self._idle.append((lease.slot, lease.env))
        self._unbusy(lease.slot.function_name)
        if not keep:
            lease.env.kill()

    def discard(self, lease: Lease) -> None:
        """The invocation broke the environment (timeout, crash): stop it, free the slot."""
        with self._lock:
            self._retired.add(lease.env)
        self.release(lease)

    def forget(self, function_name: str, version: str | None) -> None:
        def matches(slot: _Slot) -> bool:
            return slot.function_name == function_name and version in (None, slot.version)

        with self._lock:
            gone = [env for slot, env in self._idle if matches(slot)]
            self._idle = [(slot, env) for slot, env in self._idle if not matches(slot)]
            # Busy ones finish their invocation first, then stop (see release).
            self._retired |= {env for env, slot in self._leased.items() if matches(slot)}
        _kill_all(gone)

    def reap_idle(self) -> int:
        cutoff = time.monotonic() - self._idle_timeout_s
        with self._lock:
            old = [env for _, env in self._idle if env.last_used < cutoff or not env.alive]
            self._idle = [(s, env) for s, env in self._idle if env not in old]
        _kill_all(old)
        return len(old)

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            everything = [env for _, env in self._idle] + list(self._leased)
            self._idle = []
        _kill_all(everything)
        self._reaper.join(timeout=2)

    def _unbusy(self, function_name: str) -> None:
        with self._lock:
            self._busy[function_name] -= 1
            self._busy_total -= 1

    def _reap_loop(self) -> None:
        interval = min(max(self._idle_timeout_s / 4, 0.05), 5.0)
        while not self._closed.wait(interval):
            self.reap_idle()


def _kill_all(envs: list[Environment]) -> None:
    for env in envs:
        env.kill()
