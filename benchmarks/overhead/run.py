"""Overhead of Invoke through the local cloud, side by side with a control-plane call.

Starts a local cloud in its own process (`powertune local up --detach`, as a user would),
creates a no-op Python function, warms it, then alternates N warm `Invoke` calls with N
`GetFunctionConfiguration` calls through boto3 against the same front door, and reports
median and p99 of both (target: invoke median ≤ 2× GetFunctionConfiguration). It also
reports REPORT `Duration` minus the handler's own measured time (target ≤ 1 ms).

Rerun: `.venv/bin/python benchmarks/overhead/run.py [--count N]`
Writes results.json and results.md beside this script.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

HERE = Path(__file__).parent
POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]
HANDLER = """
import time
def handler(event, context):
    started = time.perf_counter()
    result = {"ok": True}
    return {"handler_ms": (time.perf_counter() - started) * 1000, **result}
"""
_DURATION = re.compile(r"\tDuration: ([0-9.]+) ms")


@contextlib.contextmanager
def detached_local_cloud() -> Iterator[dict[str, Any]]:
    """A local cloud in its own process; stopped (with everything it started) at the end."""
    with tempfile.TemporaryDirectory(prefix="powertune-bench-") as state_dir:
        started = subprocess.run(
            [*POWERTUNE, "local", "up", "--detach", "--port", "0", "--state-dir", state_dir],
            capture_output=True,
            text=True,
            check=True,
        )
        try:
            yield json.loads(started.stdout)
        finally:
            subprocess.run([*POWERTUNE, "local", "down", "--state-dir", state_dir], check=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 3),
        "p99_ms": round(percentile(values, 0.99), 3),
        "mean_ms": round(statistics.fmean(values), 3),
        "n": len(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=400, help="calls of each kind")
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()

    load_before = round(os.getloadavg()[0], 2)  # other work on the machine skews figures
    with detached_local_cloud() as status:
        options: dict[str, Any] = {
            "endpoint_url": status["endpoint_url"],
            "region_name": status["region"],
            "aws_access_key_id": "bench",
            "aws_secret_access_key": "bench",
            "config": Config(retries={"max_attempts": 1}),
        }
        role = boto3.client("iam", **options).create_role(
            RoleName="bench", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        lam = boto3.client("lambda", **options)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("app.py", HANDLER)
        lam.create_function(
            FunctionName="noop",
            Runtime="python3.11",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": buffer.getvalue()},
            MemorySize=1769,
        )
        for _ in range(args.warmup):
            lam.invoke(FunctionName="noop")
            lam.get_function_configuration(FunctionName="noop")

        invoke_ms: list[float] = []
        config_ms: list[float] = []
        report_minus_handler_ms: list[float] = []
        for _ in range(args.count):
            started = time.perf_counter()
            reply = lam.invoke(FunctionName="noop", LogType="Tail")
            invoke_ms.append((time.perf_counter() - started) * 1000)
            handler_ms = json.loads(reply["Payload"].read())["handler_ms"]
            match = _DURATION.search(base64.b64decode(reply["LogResult"]).decode())
            if match:
                report_minus_handler_ms.append(float(match.group(1)) - handler_ms)
            started = time.perf_counter()
            lam.get_function_configuration(FunctionName="noop")
            config_ms.append((time.perf_counter() - started) * 1000)

    invoke, config = summary(invoke_ms), summary(config_ms)
    ratio = invoke["median_ms"] / config["median_ms"]
    results = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {
            "machine": platform.machine(),
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "load_average_1m_before": load_before,
        },
        "cpu_control": status["cpu_control"],
        "memory_mb": 1769,
        "invoke_warm": invoke,
        "get_function_configuration": config,
        "invoke_to_get_configuration_median_ratio": round(ratio, 3),
        "target_ratio_max": 2.0,
        "report_duration_minus_handler": summary(report_minus_handler_ms),
        "target_report_overhead_ms_max": 1.0,
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    overhead = results["report_duration_minus_handler"]
    (HERE / "results.md").write_text(
        "# Invoke overhead on the local cloud\n\n"
        f"Measured {results['measured_at']} on {platform.machine()}, Python "
        f"{platform.python_version()}, CPU control `{status['cpu_control']}`, 1-minute load "
        f"average {load_before} before the run, "
        f"{args.count} calls of each kind, alternating, after {args.warmup} warm-up rounds "
        "(boto3 client in this process, local cloud in its own process).\n\n"
        "| call | median ms | p99 ms | mean ms |\n|---|---|---|---|\n"
        f"| Invoke (warm, no-op, 1769 MB) | {invoke['median_ms']} | {invoke['p99_ms']} | "
        f"{invoke['mean_ms']} |\n"
        f"| GetFunctionConfiguration | {config['median_ms']} | {config['p99_ms']} | "
        f"{config['mean_ms']} |\n\n"
        f"Invoke / GetFunctionConfiguration median ratio: **{ratio:.2f}** (target ≤ 2).\n\n"
        f"REPORT `Duration` minus the handler's own time: median {overhead['median_ms']} ms, "
        f"p99 {overhead['p99_ms']} ms (target ≤ 1 ms).\n\n"
        "Rerun: `.venv/bin/python benchmarks/overhead/run.py`\n"
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
