"""The benchmark's functions on the local cloud: deploy, measure the model's inputs, inspect.

Everything goes through boto3 against the local cloud's front door, as a user's code would.
"""

from __future__ import annotations

import base64
import io
import json
import statistics
import zipfile
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from powertune.backends.reportline import Report, parse_report
from powertune.localcloud.supervisor import LocalCloud

ORIGINAL_MEMORY_MB = 1769
TIMEOUT_S = 30  # generous: the CPU-bound handler takes ~2 s at 128 MB


def lambda_clients(cloud: LocalCloud) -> tuple[Any, Any]:
    """Lambda and IAM clients for the local cloud (any credentials work)."""
    options: dict[str, Any] = {
        "endpoint_url": cloud.endpoint_url,
        "region_name": cloud.region,
        "aws_access_key_id": "bench",
        "aws_secret_access_key": "bench",
        "config": Config(retries={"max_attempts": 3}, read_timeout=120),
    }
    return boto3.client("lambda", **options), boto3.client("iam", **options)


def deploy(
    lam: Any, role_arn: str, source: Path, *, timeout_s: int = TIMEOUT_S, prefix: str = "e2e"
) -> str:
    """Create `<prefix>-<handler>` from one handler file: zip, python3.11, 1,769 MB."""
    handler = source.stem
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(source, source.name)
    name = f"{prefix}-{handler.replace('_', '-')}"
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role_arn,
        Handler=f"{handler}.handler",
        Code={"ZipFile": buffer.getvalue()},
        MemorySize=ORIGINAL_MEMORY_MB,
        Timeout=timeout_s,
    )
    return name


def invoke_once(lam: Any, function: str) -> tuple[dict[str, Any], Report]:
    """One synchronous invocation with `{}`: the handler's JSON answer and its REPORT line."""
    response = lam.invoke(FunctionName=function, LogType="Tail", Payload=b"{}")
    body: dict[str, Any] = json.loads(response["Payload"].read())
    return body, parse_report(base64.b64decode(response["LogResult"]).decode())


def measure_inputs(lam: Any, function: str, warm: int) -> dict[str, Any]:
    """CPU work and other time at 1,769 MB: one cold invocation, then `warm` warm ones."""
    cpu_ms, durations = [], []
    for i in range(warm + 1):
        body, report = invoke_once(lam, function)
        if i > 0:  # the first one is cold
            cpu_ms.append(float(body["cpu_ms"]))
            durations.append(report.duration_ms)
    cpu = statistics.median(cpu_ms)
    other = statistics.median(durations) - cpu
    return {
        "cpu_ms_at_one_vcpu": cpu,
        "other_ms": other,
        "warm_invocations": warm,
        "duration_ms_median": statistics.median(durations),
    }


def leftovers(lam: Any, function: str) -> dict[str, Any]:
    """What a tuning run may have left: $LATEST memory, versions, aliases."""
    versions = [
        v["Version"] for v in lam.list_versions_by_function(FunctionName=function)["Versions"]
    ]
    aliases = [a["Name"] for a in lam.list_aliases(FunctionName=function)["Aliases"]]
    memory = lam.get_function_configuration(FunctionName=function)["MemorySize"]
    clean = memory == ORIGINAL_MEMORY_MB and versions == ["$LATEST"] and not aliases
    return {"memory_mb": memory, "versions": versions, "aliases": aliases, "clean": clean}
