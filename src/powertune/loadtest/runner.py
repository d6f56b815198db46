"""Runs one Locust load headless in a child process and collects its raw samples.

A child process, not Locust as a library: importing locust monkey-patches the
standard library with gevent, which must never reach the tuner (its boto3
clients, its threads; locustio/locust#2250). The child loads the recorder
plugin beside the scenario (`-f recorder.py,scenario.py`), which writes every
request to a JSON-lines file; Locust's own output goes to a log file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from powertune.clock import Clock
from powertune.errors import ConfigError, PowertuneError
from powertune.loadtest.samples import RequestSample, read_jsonl

SAMPLES_ENV = "POWERTUNE_LOADTEST_SAMPLES"
#: Locust exits 1 when any request failed (--exit-code-on-error): the load still ran.
_COMPLETED = (0, 1)
#: Time Locust gets to stop its users after --run-time (--stop-timeout) and exit.
_GRACE_S = 60.0


class LoadGeneratorFailed(PowertuneError):
    """The Locust child could not run the scenario."""


@dataclass(frozen=True, slots=True)
class LoadSpec:
    """What to run: the scenario against `url` with this many users for `duration_s`."""

    url: str
    users: int
    spawn_rate: float
    duration_s: float
    scenario: Path


@dataclass(frozen=True, slots=True)
class LoadRun:
    """One Locust run: its raw samples, wall-clock window (epoch s) and exit code."""

    samples: tuple[RequestSample, ...]
    started_s: float
    ended_s: float
    exit_code: int
    log_path: Path


def bundled_scenario(name: str) -> Path:
    """A scenario shipped with powertune: `items_api` (mixed) or `export`."""
    path = _shipped(name)
    if not path.is_file() or name in ("recorder", "__init__"):
        raise ConfigError(f"no bundled scenario {name!r}; use items_api or export, or a FILE")
    return path


def locust_command(spec: LoadSpec) -> list[str]:
    """The child's command line (the same interpreter, so the same installed locust)."""
    recorder = _shipped("recorder")
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        f"{recorder},{spec.scenario}",
        "--headless",
        "--users",
        str(spec.users),
        "--spawn-rate",
        f"{spec.spawn_rate:g}",
        "--run-time",
        f"{max(1, round(spec.duration_s))}s",
        "--stop-timeout",
        "10",
        "--host",
        spec.url,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]


def _shipped(name: str) -> Path:
    return Path(str(resources.files("powertune.loadtest.scenarios") / f"{name}.py"))


def run_locust(spec: LoadSpec, samples_path: Path, log_path: Path, clock: Clock) -> LoadRun:
    """Run the load to its end; Ctrl-C stops the child first, then propagates."""
    samples_path.unlink(missing_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, SAMPLES_ENV: str(samples_path)}
    started = clock.now()
    with log_path.open("w", encoding="utf-8") as log:
        child = subprocess.Popen(
            locust_command(spec), stdout=log, stderr=subprocess.STDOUT, env=env
        )
        try:
            code = child.wait(timeout=spec.duration_s + _GRACE_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            raise LoadGeneratorFailed(
                f"Locust did not stop within {_GRACE_S:.0f} s after --duration; see {log_path}"
            ) from None
        except BaseException:
            # Ctrl-C/SIGTERM: stop the load before the caller restores the function.
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            raise
    samples = tuple(read_jsonl(samples_path))
    if code not in _COMPLETED or not samples:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-1500:]
        raise LoadGeneratorFailed(
            f"Locust exited {code} with {len(samples)} requests recorded against {spec.url}; "
            f"check the scenario {spec.scenario} and the URL. Its log ({log_path}) ends:\n{tail}"
        )
    return LoadRun(samples, started, clock.now(), code, log_path)
