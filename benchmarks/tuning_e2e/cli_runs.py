"""`powertune tune` and `powertune analyze` as subprocesses, exactly as a user runs them.

Each tune writes one result file into its own folder; the helpers return the parsed file
with the run's wall time. Every run also gets a private journal folder
(`POWERTUNE_STATE_DIR`), so nothing lands in the user's state folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TUNE_TIMEOUT_S = 600


class CliRunFailed(RuntimeError):
    """A powertune command exited non-zero; the message carries its stderr."""


def powertune_command() -> list[str]:
    """The `powertune` console script beside this interpreter, else `python -m powertune.cli`."""
    script = Path(sys.executable).parent / "powertune"
    if script.exists():
        return [str(script)]
    found = shutil.which("powertune")
    return [found] if found else [sys.executable, "-m", "powertune.cli"]


def _run(
    args: Sequence[str], journal_dir: Path, accepted: Sequence[int] = (0,)
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POWERTUNE_STATE_DIR": str(journal_dir), "NO_COLOR": "1"}
    done = subprocess.run(
        [*powertune_command(), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=TUNE_TIMEOUT_S,
        check=False,
    )
    if done.returncode not in accepted:
        raise CliRunFailed(
            f"powertune {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
        )
    return done


@dataclass(frozen=True)
class TuneRun:
    """One `powertune tune` run: its command line, result file and wall time."""

    args: tuple[str, ...]
    result_path: Path
    result: Mapping[str, Any]
    wall_s: float


def tune(
    function: str,
    *,
    state_dir: Path,
    output_dir: Path,
    memory: Sequence[int],
    strategy: str,
    seed: int,
    invocations: int | None,
    extra: Sequence[str] = (),
    no_answer_ok: bool = False,
) -> TuneRun:
    """Run `powertune tune FUNCTION --local ...` and read the result file it wrote.

    With `no_answer_ok`, a run that measured but recommended nothing (exit 1: every size
    failed; exit 2: undecided, e.g. no size shown safe) is a result too, not an error.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "tune",
        function,
        "--local",
        "--local-state-dir",
        str(state_dir),
        "--memory",
        ",".join(str(m) for m in memory),
        "--strategy",
        strategy,
        "--seed",
        str(seed),
        "--output",
        str(output_dir),
        *(["--invocations", str(invocations)] if invocations is not None else []),
        *extra,
    ]
    started = time.perf_counter()
    _run(args, output_dir / "journals", (0, 1, 2) if no_answer_ok else (0,))
    wall_s = time.perf_counter() - started
    files = sorted(output_dir.glob("tuning-*.json"))
    if len(files) != 1:
        raise CliRunFailed(f"expected one result file in {output_dir}, found {len(files)}")
    return TuneRun(tuple(args), files[0], json.loads(files[0].read_text()), wall_s)


def analyze(result_path: Path, strategy: str, *, compat: bool = False) -> dict[str, Any]:
    """`powertune analyze RESULT --strategy S [--compat aws-lambda-power-tuning]` as JSON."""
    args = ["analyze", str(result_path), "--strategy", strategy]
    if compat:
        args += ["--compat", "aws-lambda-power-tuning"]
    out: dict[str, Any] = json.loads(_run(args, result_path.parent / "journals").stdout)
    return out
