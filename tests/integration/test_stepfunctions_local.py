"""The tuner as a Step Functions execution on the local cloud, as a user runs it.

`powertune stepfunctions deploy --local` applies the Terraform module to the
session's local cloud (moto's Step Functions, our engine running the steps'
Lambda); `powertune tune --engine stepfunctions --local` then tunes a real
CPU-bound function to the same recommendation as a CLI run, and a function that
always fails ends the execution FAILED with its clean-up done.
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

ROOT = Path(__file__).resolve().parents[2]
HANDLER = ROOT / "benchmarks/tuning_e2e/handlers/cpu_bound.py"
POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]
SIZES = (256, 1024, 1769)
ORIGINAL_MEMORY_MB = 640
FAILING = "def handler(event, context):\n    raise RuntimeError('always fails')\n"

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("stepfunctions")]


def _powertune(*args: str, journals: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*POWERTUNE, *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "POWERTUNE_STATE_DIR": str(journals)},
        check=False,
    )


@pytest.fixture(scope="module")
def state_machine(local_cloud: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    journals = tmp_path_factory.mktemp("journals")
    done = _powertune(
        "stepfunctions",
        "deploy",
        "--local",
        "--local-state-dir",
        str(local_cloud.state_dir),
        journals=journals,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    arn = str(json.loads(done.stdout)["state_machine_arn"])
    recorded = json.loads((local_cloud.state_dir / "stepfunctions.json").read_text())
    assert recorded["state_machine_arn"] == arn
    return arn


def _function(lam: Any, role: str, zipped: bytes) -> str:
    name = f"sfn-{uuid.uuid4().hex[:8]}"
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zipped},
        MemorySize=ORIGINAL_MEMORY_MB,
        Timeout=60,
    )
    return name


def _tune(name: str, local_cloud: Any, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return _powertune(
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
        '{"rounds": 1200}',
        "--seed",
        "3",
        "--output",
        str(out),
        *extra,
        journals=out / "journals",
    )


def _left_as_found(lam: Any, name: str) -> None:
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == ORIGINAL_MEMORY_MB
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]
    assert lam.list_aliases(FunctionName=name)["Aliases"] == []


def test_an_execution_recommends_what_the_cli_recommends(
    state_machine: str,
    local_cloud: Any,
    boto3_client: Callable[..., Any],
    lambda_role: str,
    zip_package: Callable[[dict[str, str]], bytes],
    tmp_path: Path,
) -> None:
    lam = boto3_client("lambda")
    name = _function(lam, lambda_role, zip_package({"app.py": HANDLER.read_text()}))
    results: dict[str, dict[str, Any]] = {}
    for engine in ("cli", "stepfunctions"):
        done = _tune(name, local_cloud, tmp_path / engine, "--engine", engine)
        assert done.returncode == 0, done.stderr[-4000:]
        [path] = (tmp_path / engine).glob("tuning-*.json")
        results[engine] = json.loads(path.read_text())
        _left_as_found(lam, name)
    cli, sfn = results["cli"], results["stepfunctions"]
    assert sfn.keys() == cli.keys()
    assert sfn["settings"].keys() == cli["settings"].keys()
    # the same pick, or one the CLI's own statistics cannot tell apart from it
    assert sfn["power"] == cli["power"] or sfn["power"] in cli["recommendation"]["tied_with"]
    per_size = {m: sum(r["memory_mb"] == m for r in sfn["invocations"]) for m in SIZES}
    assert per_size == {m: 6 for m in SIZES}  # one warm-up + 5 per size, as the CLI
    assert sfn["stateMachine"]["executionCost"] > 0 == cli["stateMachine"]["executionCost"]
    assert sfn["settings"]["backend"]["engine"] == "stepfunctions"
    assert sfn["settings"]["backend"]["cpu_control"] == local_cloud.cpu_control


def test_a_function_that_always_fails_ends_failed_with_its_clean_up_done(
    state_machine: str,
    local_cloud: Any,
    boto3_client: Callable[..., Any],
    lambda_role: str,
    zip_package: Callable[[dict[str, str]], bytes],
    tmp_path: Path,
) -> None:
    lam, sfn = boto3_client("lambda"), boto3_client("stepfunctions")
    name = _function(lam, lambda_role, zip_package({"app.py": FAILING}))
    done = _tune(name, local_cloud, tmp_path, "--engine", "stepfunctions")
    assert done.returncode == 1, done.stderr[-4000:]
    assert "ended FAILED: TuningFailed" in done.stderr
    assert "no temporary version or alias is left" in done.stderr
    assert not list(tmp_path.glob("tuning-*.json"))
    _left_as_found(lam, name)
    executions = sfn.list_executions(stateMachineArn=state_machine)["executions"]
    [mine] = [e for e in executions if e["name"].endswith(name)]
    assert mine["status"] == "FAILED"
    described = sfn.describe_execution(executionArn=mine["executionArn"])
    assert described["error"] == "TuningFailed"
