"""A benchmark's local cloud session: the cloud, boto3 clients, a role, the host's load.

Shared by the benchmarks that tune real handlers on the local cloud (tuning_e2e,
local_decisions): the cloud starts on a free port with a scratch state folder, stops in a
`finally` (also on SIGTERM), and the scratch folder is removed; results name the scratch
folders by placeholders, so committed files carry no machine paths.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from functions import lambda_clients

from powertune.localcloud.supervisor import LocalCloud
from powertune.storage.price_tables import load_default
from powertune.tuning.models import Architecture
from powertune.tuning.pricing import PriceRate

REPO_ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"  # the benchmarks price every invocation at us-east-1 x86_64


def bench_rate() -> PriceRate:
    """powertune's own price for the benchmark region (the tuning runs use the same)."""
    return load_default().rate(REGION, Architecture.X86_64)


@dataclass(frozen=True)
class BenchCloud:
    """A running local cloud with a Lambda client, an IAM role and a scratch folder."""

    cloud: LocalCloud
    lam: Any
    role_arn: str
    work: Path

    def info(self) -> dict[str, Any]:
        """What results.json records about the cloud itself."""
        return {"cpu_control": self.cloud.cpu_control, "python_version": self.cloud.python_version}


def _raise_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through the finally blocks


@contextmanager
def bench_cloud(prefix: str, role_name: str) -> Iterator[BenchCloud]:
    """Start a local cloud in a scratch folder; stop it and remove the folder afterwards."""
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        with LocalCloud.start(port=0, state_dir=work / "local-cloud") as cloud:
            lam, iam = lambda_clients(cloud)
            role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")["Role"]
            yield BenchCloud(cloud, lam, role["Arn"], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def host_environment(cloud: dict[str, Any], load_before_1m: float) -> dict[str, Any]:
    """The cloud's CPU control and Python, the host, and its 1-minute load before and now."""
    return {
        **cloud,
        "host_cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_1m_before": load_before_1m,
        "load_average_1m_after": os.getloadavg()[0],
    }


def results_document(
    benchmark: str,
    rate: PriceRate,
    *,
    cloud: dict[str, Any],
    started_s: float,
    load_before_1m: float,
    **fields: Any,
) -> dict[str, Any]:
    """A results.json: the run, its prices and its host, then the benchmark's own `fields`."""
    return {
        "benchmark": benchmark,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": f"python benchmarks/{benchmark}/run.py " + " ".join(sys.argv[1:]),
        "region": REGION,
        "price_usd_per_gb_second": rate.usd_per_gb_second,
        "price_usd_per_request": rate.usd_per_request,
        "balanced_weight": 0.5,
        "environment": host_environment(cloud, load_before_1m),
        "total_wall_s": time.perf_counter() - started_s,
        **fields,
    }


def write_results(
    out: Path, results: dict[str, Any], render: Callable[[dict[str, Any]], str]
) -> None:
    """results.json and results.md in `out`; the page is printed too."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(render(results))
    print(render(results))


def shown_path(path: Path) -> str:
    """A path relative to the repository when it lies inside it (results are committed)."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path.name


def shown_command(args: tuple[str, ...], work: Path) -> str:
    """A tune command line with the scratch folders shown as placeholders."""
    text = "powertune " + " ".join(args)
    return text.replace(str(work / "local-cloud"), "STATE_DIR").replace(str(work), "SCRATCH")
