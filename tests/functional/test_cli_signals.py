"""SIGTERM during `powertune tune`: the run cleans up, removes its journal and exits 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
PROFILE = ROOT / "benchmarks" / "decision" / "profiles" / "01-cpu-single-1.yaml"


def test_sigterm_mid_run_cleans_up_and_exits_130(tmp_path: Path) -> None:
    state = tmp_path / "state"
    exe = Path(sys.executable).with_name("powertune")
    args = [str(exe), "tune", "my-fn", "--region", "us-east-1", "--memory", "1024"]
    args += ["--backend", f"simulate:{PROFILE}", "--invocations", "500000"]
    args += ["--output", str(tmp_path / "out")]
    process = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "POWERTUNE_STATE_DIR": str(state)},
    )
    journals = state / "journals"
    # wait for the run to have begun (its journal exists); the deadline only stops a hang
    deadline = time.monotonic() + 300
    while not any(journals.glob("*.json")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted: the function was restored" in err
    assert not any(journals.glob("*.json"))  # clean-up finished, journal removed
    assert not (tmp_path / "out").exists()  # no partial result
