"""Interrupting `powertune tune`: SIGINT and SIGTERM run the one undo; SIGKILL leaves it to cleanup.

Each test starts a real `powertune tune` process with far more invocations than it can
finish, waits until its journal shows it measuring (every alias created, `$LATEST`
restored), and signals it. SIGINT and SIGTERM must end in the engine's `finally`
(`undo`, which removes the journal once nothing is pending) and exit 130. SIGKILL runs
no `finally`: `powertune cleanup` must then find the journal and undo the rest.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from powertune.tuning.ledger import ChangeKind, RunLedger, Status

ROOT = Path(__file__).parents[2]
PROFILE = ROOT / "benchmarks" / "decision" / "profiles" / "01-cpu-single-1.yaml"
# A terminal's SIGINT handler, whatever the test runner's shell left (a background job
# may inherit SIGINT ignored).
POWERTUNE = [
    sys.executable,
    "-c",
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from powertune.cli.main import main; main()",
]


def measuring(journals: Path, sizes: int) -> bool:
    """The run's ledger shows every alias created and `$LATEST` restored."""
    for path in journals.glob("*.json"):
        try:
            ledger = RunLedger.from_dict(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue  # written atomically, but it may be removed between glob and read
        kinds = [(e.kind, e.status) for e in ledger.entries]
        restored = (ChangeKind.LATEST_UPDATED, Status.DONE) not in kinds
        if restored and kinds.count((ChangeKind.ALIAS_CREATED, Status.DONE)) == sizes:
            return True
    return False


def start_and_wait(args: list[str], state: Path, sizes: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [*POWERTUNE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "POWERTUNE_STATE_DIR": str(state)},
    )
    deadline = time.monotonic() + 300  # only stops a hang; no timing is asserted
    while not measuring(state / "journals", sizes):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started measuring"
        time.sleep(0.05)
    return process


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_sigint_and_sigterm_mid_run_undo_and_exit_130(
    tmp_path: Path, signum: signal.Signals
) -> None:
    state = tmp_path / "state"
    args = ["tune", "my-fn", "--region", "us-east-1", "--memory", "1024,2048"]
    args += ["--backend", f"simulate:{PROFILE}", "--invocations", "500000"]
    args += ["--output", str(tmp_path / "out")]
    process = start_and_wait(args, state, sizes=2)
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted: the function was restored" in err
    assert "clean-up incomplete" not in err
    assert not any((state / "journals").glob("*.json"))  # undo finished: journal removed
    assert not (tmp_path / "out").exists()  # no partial result


def test_sigkill_mid_run_then_cleanup_undoes_everything(
    tmp_path: Path,
    local_cloud: Any,
    boto3_client: Callable[..., Any],
    lambda_role: str,
    zip_package: Callable[[dict[str, str]], bytes],
) -> None:
    lam = boto3_client("lambda")
    name = f"killed-{uuid.uuid4().hex[:8]}"
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=lambda_role,
        Handler="app.handler",
        Code={"ZipFile": zip_package({"app.py": "def handler(event, context):\n    return 1\n"})},
        MemorySize=640,
        Timeout=30,
    )
    state = tmp_path / "state"
    local = ["--local", "--local-state-dir", str(local_cloud.state_dir)]
    args = ["tune", name, *local, "--memory", "256,512", "--invocations", "100000"]
    args += ["--output", str(tmp_path / "out")]
    process = start_and_wait(args, state, sizes=2)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    aliases = [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]]
    assert len(aliases) == 2  # left behind: SIGKILL runs no clean-up
    assert [p.name for p in (state / "journals").glob("*.json")] != []

    done = subprocess.run(
        [*POWERTUNE, "cleanup", name, *local],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "POWERTUNE_STATE_DIR": str(state)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()  # `$LATEST` was restored before the kill: not again
    assert sorted(lines[:2]) == sorted(f"deleted alias {name}:{a}" for a in aliases)
    assert [line.split(":")[0] for line in lines[2:]] == [f"deleted version {name}"] * 2
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == 640
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]
    assert lam.list_aliases(FunctionName=name)["Aliases"] == []
    assert not any((state / "journals").glob("*.json"))
