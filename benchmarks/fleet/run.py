"""A fleet of 10 functions tuned in one execution: wall time, transitions, cost, vs upstream.

In one local cloud:
1. `powertune stepfunctions deploy --local` (the Terraform module: tuner + fleet ASL);
2. 10 CPU-bound functions tagged `fleet=bench` (benchmarks/tuning_e2e/handlers/cpu_bound.py,
   light work), and 2 untagged ones that must be left alone;
3. `powertune fleet --tag fleet=bench --invocations 50` over upstream's 6 default sizes
   (one execution: a Distributed Map of tuner child workflows, 5 at once);
4. side by side, the same 10 functions tuned one after the other with
   `powertune tune --engine stepfunctions` (10 executions), for the wall-time ratio;
5. transitions counted from the executions' histories (the fleet's record), and
   upstream's computed from its ASL (shared reference power-tuning.md §3.5: 3N+7 per
   function for N sizes, one execution per function).

Writes results.json beside this script (README.md discusses it). Run (about 4 minutes):

    POWERTUNE_TF_CLI_CONFIG=$PWD/build/terraformrc .venv/bin/python benchmarks/fleet/run.py
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
from powertune.stepfunctions.execution import usd_per_transition

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HANDLER = ROOT / "benchmarks/tuning_e2e/handlers/cpu_bound.py"
SIZES = (128, 256, 512, 1024, 1536, 3008)
INVOCATIONS = 50
FUNCTIONS = 10
POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]
REGION = "us-east-1"
SAMPLING = ("--memory", ",".join(map(str, SIZES)), "--invocations", str(INVOCATIONS))
PAYLOAD = ("--payload", '{"rounds": 200}', "--seed", "1")


def upstream_transitions(sizes: int) -> int:
    """Upstream's real count for one function and N sizes (power-tuning.md §3.5)."""
    return 3 * sizes + 7


def _client(cloud: LocalCloud, service: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=cloud.endpoint_url,
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def _powertune(*args: str, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> str:
    done = subprocess.run(
        [*POWERTUNE, *args], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )
    if done.returncode not in ok:
        raise SystemExit(f"powertune {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _functions(cloud: LocalCloud) -> tuple[list[str], list[str]]:
    lam, iam = _client(cloud, "lambda"), _client(cloud, "iam")
    role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER.read_text())
    tagged = [f"bench-{i:02d}" for i in range(FUNCTIONS)]
    untagged = ["bench-untagged-a", "bench-untagged-b"]
    for name in tagged + untagged:
        lam.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": buffer.getvalue()},
            MemorySize=1024,
            Timeout=30,
            Tags={"fleet": "bench"} if name in tagged else {"fleet": "other"},
        )
    return tagged, untagged


def _leftovers(cloud: LocalCloud, names: list[str]) -> dict[str, Any]:
    lam = _client(cloud, "lambda")
    found = {}
    for name in names:
        versions = [
            v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]
        ]
        aliases = [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]]
        memory = lam.get_function_configuration(FunctionName=name)["MemorySize"]
        if versions != ["$LATEST"] or aliases or memory != 1024:
            found[name] = {"versions": versions, "aliases": aliases, "memory_mb": memory}
    return found


def _fleet(state_dir: Path, out: Path, env: dict[str, str]) -> dict[str, Any]:
    started = time.monotonic()
    _powertune(
        "fleet", "--tag", "fleet=bench", "--local", "--local-state-dir", str(state_dir),
        *SAMPLING, *PAYLOAD, "--output", str(out), "--no-report", env=env,
    )  # fmt: skip
    wall_s = time.monotonic() - started
    [record_path] = out.glob("fleet-*.json")
    record: dict[str, Any] = json.loads(record_path.read_text())
    return {"wall_s": round(wall_s, 1), "record": record}


def _one_by_one(state_dir: Path, names: list[str], out: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    for name in names:
        _powertune(
            "tune", name, "--engine", "stepfunctions", "--local", "--local-state-dir",
            str(state_dir), *SAMPLING, *PAYLOAD, "--output", str(out / name), "--no-report",
            env=env,
        )  # fmt: skip
    return round(time.monotonic() - started, 1)


def main() -> int:
    price = usd_per_transition(REGION)
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as scratch:
        state_dir = Path(scratch) / "cloud"
        cloud = LocalCloud.start(port=0, state_dir=state_dir)
        env = {**os.environ, "POWERTUNE_STATE_DIR": str(Path(scratch) / "journals")}
        try:
            _powertune(
                "stepfunctions", "deploy", "--local", "--local-state-dir", str(state_dir), env=env
            )
            tagged, untagged = _functions(cloud)
            fleet = _fleet(state_dir, Path(scratch) / "fleet", env)
            sequential_s = _one_by_one(state_dir, tagged, Path(scratch) / "single", env)
            leftovers = _leftovers(cloud, tagged + untagged)
        finally:
            cloud.stop()
    record = fleet["record"]
    per_function = [f["transitions"] for f in record["functions"]]
    upstream = upstream_transitions(len(SIZES)) * FUNCTIONS
    results = {
        "job": f"{FUNCTIONS} functions, sizes {list(SIZES)}, --invocations {INVOCATIONS}",
        "machine": f"{os.cpu_count()} cores",
        "fleet": {
            "wall_s": fleet["wall_s"],
            "statuses": sorted({f["status"] for f in record["functions"]}),
            "transitions": record["transitions"],
            "transitions_per_function": per_function,
            "execution_cost_usd": record["executionCost"],
        },
        "one_execution_per_function": {"wall_s": sequential_s},
        "wall_time_ratio_sequential_over_fleet": round(sequential_s / fleet["wall_s"], 2),
        "upstream_once_per_function": {
            "transitions": upstream,
            "execution_cost_usd": upstream * price,
        },
        "leftovers": leftovers,
        "usd_per_transition": price,
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    json.dump(results, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
