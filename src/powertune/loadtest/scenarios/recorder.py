"""Locust plugin: every request Locust makes, written as one JSON line, unrounded.

Locust buckets response times before it computes percentiles ("147 becomes
150"), so powertune keeps its own raw samples. Loaded beside the scenario
(`-f recorder.py,scenario.py`); the output file is `$POWERTUNE_LOADTEST_SAMPLES`.
Runs inside the Locust child process only.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import IO, Any

from locust import events

_SAMPLES_ENV = "POWERTUNE_LOADTEST_SAMPLES"
_out: list[IO[str]] = []


def _sink() -> IO[str] | None:
    if not _out:
        path = os.environ.get(_SAMPLES_ENV)
        if not path:
            return None
        # Line-buffered: a Locust killed at the deadline still leaves whole lines.
        _out.append(Path(path).open("a", encoding="utf-8", buffering=1))  # noqa: SIM115
    return _out[0]


@events.request.add_listener  # type: ignore[untyped-decorator]
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    response: Any = None,
    exception: BaseException | None = None,
    start_time: float | None = None,
    **_kwargs: Any,
) -> None:
    sink = _sink()
    if sink is None:
        return
    status = getattr(response, "status_code", None)
    started = start_time if start_time is not None else time.time() - response_time / 1000.0
    line = {
        "start_s": round(started, 6),
        "method": request_type,
        "name": name,
        "response_time_ms": response_time,
        "response_length": response_length or 0,
        "status_code": int(status) if status else 0,
        "error": None if exception is None else f"{type(exception).__name__}: {exception}"[:300],
    }
    sink.write(json.dumps(line) + "\n")


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _close(**_kwargs: Any) -> None:
    for sink in _out:
        sink.close()
    _out.clear()
