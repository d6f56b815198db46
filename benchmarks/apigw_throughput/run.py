"""Throughput of the API Gateway data plane: 10 concurrent clients, a no-op handler.

Starts a local cloud in its own process (`powertune local up --detach`), deploys a REST
API with a `{proxy+}` Lambda proxy integration, warms it, then runs 10 client threads
(each with its own keep-alive connection to 127.0.0.1) until a fixed number of requests
or a time bound is reached. Reports requests per second and p50/p99 latency.

Rerun: `.venv/bin/python benchmarks/apigw_throughput/run.py [--requests N] [--clients C]`
Writes results.json and results.md beside this script.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

HERE = Path(__file__).parent
POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]
HANDLER = """
def handler(event, context):
    return {"statusCode": 200, "body": "ok"}
"""


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


def deploy(status: dict[str, Any], memory_mb: int) -> str:
    """Create the function and API; return the stage's base URL."""
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
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    arn = boto3.client("lambda", **options).create_function(
        FunctionName="noop",
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
        MemorySize=memory_mb,
    )["FunctionArn"]
    apigw = boto3.client("apigateway", **options)
    api = apigw.create_rest_api(name="bench")["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")
    proxy = apigw.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    apigw.put_method(restApiId=api, resourceId=proxy, httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api,
        resourceId=proxy,
        httpMethod="ANY",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{status['region']}:lambda:path/2015-03-31/functions/{arn}/invocations",
    )
    apigw.create_deployment(restApiId=api, stageName="bench")
    return f"{status['endpoint_url']}/restapis/{api}/bench/_user_request_"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000, help="total requests")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--memory-mb", type=int, default=1769)
    args = parser.parse_args()

    load_before = round(os.getloadavg()[0], 2)  # other work on the machine skews figures
    with detached_local_cloud() as status:
        base_url = deploy(status, args.memory_mb)
        with httpx.Client() as warm:
            for _ in range(30):
                assert warm.get(f"{base_url}/items/1").status_code == 200

        latencies_ms: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()
        remaining = [args.requests]
        deadline = time.monotonic() + args.max_seconds

        def client() -> None:
            with httpx.Client(timeout=30) as http:
                while time.monotonic() < deadline:
                    with lock:
                        if remaining[0] <= 0:
                            return
                        remaining[0] -= 1
                    started = time.perf_counter()
                    reply = http.get(f"{base_url}/items/1")
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        latencies_ms.append(elapsed)
                        if reply.status_code != 200:
                            errors.append(reply.status_code)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall_s = time.perf_counter() - started

    results = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {
            "machine": platform.machine(),
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "load_average_1m_before": load_before,
        },
        "cpu_control": status["cpu_control"],
        "memory_mb": args.memory_mb,
        "clients": args.clients,
        "requests": len(latencies_ms),
        "non_200": len(errors),
        "wall_s": round(wall_s, 3),
        "requests_per_s": round(len(latencies_ms) / wall_s, 1),
        "p50_ms": round(statistics.median(latencies_ms), 3),
        "p99_ms": round(percentile(latencies_ms, 0.99), 3),
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "results.md").write_text(
        "# API Gateway data-plane throughput on the local cloud\n\n"
        f"Measured {results['measured_at']} on {platform.machine()} (2 cores shared with the "
        f"clients; 1-minute load average {load_before} before the run), Python "
        f"{platform.python_version()}, CPU control `{status['cpu_control']}`. "
        f"No-op handler at {args.memory_mb} MB behind a `{{proxy+}}` AWS_PROXY integration; "
        f"{args.clients} client threads with keep-alive connections to 127.0.0.1.\n\n"
        "| requests | non-200 | wall s | requests/s | p50 ms | p99 ms |\n"
        "|---|---|---|---|---|---|\n"
        f"| {results['requests']} | {results['non_200']} | {results['wall_s']} | "
        f"{results['requests_per_s']} | {results['p50_ms']} | {results['p99_ms']} |\n\n"
        "Rerun: `.venv/bin/python benchmarks/apigw_throughput/run.py`\n"
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
