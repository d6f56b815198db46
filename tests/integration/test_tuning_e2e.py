"""`powertune tune --local` end to end, as a user runs it, on a real CPU-bound handler.

The small version of benchmarks/tuning_e2e: the benchmark's CPU-bound handler (fixed
SHA-256 work, single-threaded) tuned for speed over 256, 1024 and 1769 MB with five
invocations per size. On the local cloud CPU grows with memory up to 1,769 MB, so the
smallest size cannot be the fastest; and the run must leave the function as it found it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HANDLER = Path(__file__).resolve().parents[2] / "benchmarks/tuning_e2e/handlers/cpu_bound.py"
POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]
SIZES = (256, 1024, 1769)
ORIGINAL_MEMORY_MB = 640  # not one of the tuned sizes, so a missed restore shows


@pytest.mark.integration
def test_tune_speed_on_cpu_bound_handler_restores_the_function(
    local_cloud: Any,
    boto3_client: Callable[..., Any],
    lambda_role: str,
    zip_package: Callable[[dict[str, str]], bytes],
    tmp_path: Path,
) -> None:
    lam = boto3_client("lambda")
    name = f"e2e-cpu-{uuid.uuid4().hex[:8]}"
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=lambda_role,
        Handler="cpu_bound.handler",
        Code={"ZipFile": zip_package({"cpu_bound.py": HANDLER.read_text()})},
        MemorySize=ORIGINAL_MEMORY_MB,
        Timeout=60,
    )
    output = tmp_path / "results"
    done = subprocess.run(
        [
            *POWERTUNE,
            "tune",
            name,
            "--local",
            "--local-state-dir",
            str(local_cloud.state_dir),
            "--memory",
            ",".join(map(str, SIZES)),
            "--strategy",
            "speed",
            "--invocations",
            "5",
            "--payload",
            '{"rounds": 1200}',  # ~50 ms at one vCPU: keeps the test short
            "--seed",
            "3",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "POWERTUNE_STATE_DIR": str(tmp_path / "journals")},
        check=False,
    )
    assert done.returncode == 0, done.stderr

    [result_file] = output.glob("tuning-*.json")
    result = json.loads(result_file.read_text())
    assert result["power"] in SIZES
    assert result["power"] != min(SIZES)
    assert result["settings"]["backend"]["cpu_control"] == local_cloud.cpu_control
    per_size = {m: sum(r["memory_mb"] == m for r in result["invocations"]) for m in SIZES}
    assert per_size == {m: 6 for m in SIZES}  # one warm-up + 5 per size

    # Left as found: $LATEST memory restored, every version and alias of the run deleted.
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == ORIGINAL_MEMORY_MB
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]
    assert lam.list_aliases(FunctionName=name)["Aliases"] == []
    assert not list((tmp_path / "journals").rglob("*.json"))
