"""How an environment's INIT and one invocation ended, as the environment measured them.

Pure data: `environment.py` produces it and `results.py` words it as Lambda does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class OutcomeKind(Enum):
    """How one invocation ended."""

    RESPONSE = "response"  # the runtime posted a response
    ERROR = "error"  # the runtime posted the handler's error
    TIMEOUT = "timeout"  # the function's timeout passed first
    EXITED = "exited"  # the runtime process ended (crash, exit, OOM kill)

    @property
    def ends_environment(self) -> bool:
        """A timed-out or crashed environment is never reused: Lambda re-inits."""
        return self in (OutcomeKind.TIMEOUT, OutcomeKind.EXITED)


@dataclass(frozen=True, slots=True)
class InitOutcome:
    """How INIT ended: ready (no error), an init error posted by the runtime, or an exit."""

    duration_ms: float
    error_type: str | None = None
    error_body: bytes | None = None
    returncode: int | None = None
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.error_type is None and self.returncode is None and not self.timed_out


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """One invocation's end: its kind, the body posted, and the time from dispatch."""

    kind: OutcomeKind
    body: bytes
    error_type: str | None
    duration_ms: float
    returncode: int | None
