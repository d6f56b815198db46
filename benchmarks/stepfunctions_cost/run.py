"""State transitions and execution cost of one tuning as a Step Functions execution, vs upstream's.

The job of the issue: one function, 6 sizes (upstream's default power values
128, 256, 512, 1024, 1536, 3008), 50 invocations each. In one local cloud:
1. `powertune stepfunctions deploy --local` (the Terraform module, the real ASL);
2. a CPU-bound function (benchmarks/tuning_e2e/handlers/cpu_bound.py, light work);
3. `powertune tune --engine stepfunctions --invocations 50`, then once with the
   adaptive default for comparison;
4. each execution's transitions counted from its history (as the result's
   `stateMachine.executionCost` is), and upstream's computed from its ASL
   (shared reference power-tuning.md §3.5: 3N+7 real, 6+3N as its own output says).

Writes results.json beside this script (README.md discusses it). Run (about a minute):

    POWERTUNE_TF_CLI_CONFIG=$PWD/build/terraformrc \
        .venv/bin/python benchmarks/stepfunctions_cost/run.py
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import boto3

from powertune.localcloud.supervisor import LocalCloud
from powertune.stepfunctions.execution import history, transitions_in, usd_per_transition

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HANDLER = ROOT / "benchmarks/tuning_e2e/handlers/cpu_bound.py"
SIZES = (128, 256, 512, 1024, 1536, 3008)
INVOCATIONS = 50
POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]
REGION = "us-east-1"


def upstream_transitions(sizes: int) -> dict[str, int]:
    """Upstream's count for N sizes: Initializer, (N+1) x (Publisher + IsCountReached), the
    Map, N Executors, Cleaner, Analyzer, Optimizer; and what its own formula reports."""
    return {"real": 3 * sizes + 7, "reported_by_upstream": 6 + 3 * sizes}


def _powertune(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*POWERTUNE, *args], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"powertune {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


def _function(cloud: LocalCloud) -> str:
    lam = boto3.client(
        "lambda",
        endpoint_url=cloud.endpoint_url,
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    iam = boto3.client(
        "iam",
        endpoint_url=cloud.endpoint_url,
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER.read_text())
    lam.create_function(
        FunctionName="bench-cpu",
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
        MemorySize=1024,
        Timeout=30,
    )
    return "bench-cpu"


def _execution(cloud: LocalCloud, state_dir: Path, out: Path, *sampling: str) -> dict[str, Any]:
    env = {**os.environ, "POWERTUNE_STATE_DIR": str(out / "journals")}
    started = time.monotonic()
    _powertune(
        "tune",
        "bench-cpu",
        "--engine",
        "stepfunctions",
        "--local",
        "--local-state-dir",
        str(state_dir),
        "--memory",
        ",".join(map(str, SIZES)),
        "--payload",
        '{"rounds": 200}',
        "--seed",
        "1",
        "--output",
        str(out),
        *sampling,
        env=env,
    )
    wall_s = time.monotonic() - started
    [path] = out.glob("tuning-*.json")
    result = json.loads(path.read_text())
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=cloud.endpoint_url,
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    events = history(sfn, result["settings"]["backend"]["execution_arn"])
    batches = sum(1 for e in events if e["type"] == "MapStateEntered")
    return {
        "sampling": " ".join(sampling) or "adaptive (default)",
        "invocations": len(result["invocations"]),
        "transitions": transitions_in(events),
        "batches": batches,
        "execution_cost_usd": result["stateMachine"]["executionCost"],
        "lambda_cost_usd": result["stateMachine"]["lambdaCost"],
        "recommended_mb": result["power"],
        "wall_s": round(wall_s, 1),
    }


def main() -> int:
    price = usd_per_transition(REGION)
    with tempfile.TemporaryDirectory(prefix="sfn-cost-") as scratch:
        state_dir = Path(scratch) / "cloud"
        cloud = LocalCloud.start(port=0, state_dir=state_dir)
        try:
            env = dict(os.environ)
            _powertune(
                "stepfunctions", "deploy", "--local", "--local-state-dir", str(state_dir), env=env
            )
            _function(cloud)
            runs = [
                _execution(
                    cloud, state_dir, Path(scratch) / "fixed", "--invocations", str(INVOCATIONS)
                ),
                _execution(cloud, state_dir, Path(scratch) / "adaptive"),
            ]
        finally:
            cloud.stop()
    upstream = upstream_transitions(len(SIZES))
    results = {
        "job": {"sizes": list(SIZES), "invocations_per_size": INVOCATIONS, "region": REGION},
        "usd_per_transition": price,
        "powertune": runs,
        "upstream": {
            **upstream,
            "execution_cost_usd": upstream["real"] * price,
            "reported_execution_cost_usd": upstream["reported_by_upstream"] * price,
        },
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    sys.stdout.write(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
