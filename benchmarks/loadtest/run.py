"""Load-test benchmark: the export route at 512 vs 1024 MB on the local cloud, and the generator.

Starts a local cloud in its own process, deploys the reference stack
(`powertune local deploy`, Terraform with the provider mirror of
`POWERTUNE_TF_CLI_CONFIG`), then runs, as a user would:

1. `powertune loadtest --scenario export --memory 512,1024` (users with think
   time): p95 of GET /items/export and Lambda's cost per million requests at
   each size, from the raw samples and the REPORT lines;
2. `powertune loadtest --scenario benchmarks/loadtest/saturate.py --memory 1024`
   (no think time): the requests per second the load generator sustained.

Rerun: `.venv/bin/python benchmarks/loadtest/run.py [--duration 60s] [--users 5]`
(about 6 minutes on two shared cores). Writes results.json and results.md here;
the run's PDFs stay in a temporary folder unless `--keep DIR`.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]
ROUTE = "GET /items/export"


def powertune(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*POWERTUNE, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"powertune {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc


@contextlib.contextmanager
def deployed_stack() -> Iterator[str]:
    """A local cloud with the reference stack; yields its state folder."""
    with tempfile.TemporaryDirectory(prefix="powertune-bench-lt-") as state_dir:
        powertune("local", "up", "--detach", "--port", "0", "--state-dir", state_dir)
        try:
            powertune("local", "deploy", "--state-dir", state_dir)
            yield state_dir
        finally:
            subprocess.run([*POWERTUNE, "local", "down", "--state-dir", state_dir], check=False)


def loadtest(state_dir: str, out: Path, *args: str) -> dict[str, Any]:
    """Run one `powertune loadtest --local` into `out`; return its result document."""
    out.mkdir(parents=True, exist_ok=True)
    powertune("loadtest", "--local", "--local-state-dir", state_dir, "--output", str(out), *args)
    doc: dict[str, Any] = json.loads(max(out.glob("loadtest-*.json")).read_text())
    return doc


def route_times(out: Path, entry: dict[str, Any]) -> list[float]:
    with (out / entry["samples_csv"]).open(newline="") as src:
        return [float(r["response_time_ms"]) for r in csv.DictReader(src) if r["name"] == ROUTE]


def measure(state_dir: str, work: Path, duration: str, users: int, saturate: str) -> dict[str, Any]:
    export = work / "export"
    doc = loadtest(
        state_dir,
        export,
        "--scenario",
        "export",
        "--memory",
        "512,1024",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--duration",
        duration,
    )
    sizes = []
    for entry in doc["sizes"]:
        times = route_times(export, entry)
        cost = entry["cost_per_million"] or {}
        sizes.append(
            {
                "memory_mb": entry["memory_mb"],
                "export_requests": len(times),
                "export_p50_ms": float(np.percentile(times, 50)),
                "export_p95_ms": float(np.percentile(times, 95)),
                "lambda_usd_per_million": cost.get("lambda_compute_usd", 0.0)
                + cost.get("lambda_requests_usd", 0.0),
                "api_gateway_usd_per_million": cost.get("api_gateway_usd"),
                "mean_billed_ms": cost.get("mean_billed_ms"),
                "report_lines": len(entry["billed_ms"]),
                "cold_starts": entry["cold_starts"],
                "throughput_rps": entry["summary"]["throughput_rps"],
            }
        )
    busy = loadtest(
        state_dir,
        work / "saturate",
        "--scenario",
        str(HERE / "saturate.py"),
        "--memory",
        "1024",
        "--users",
        "10",
        "--spawn-rate",
        "10",
        "--duration",
        saturate,
    )
    summary = busy["sizes"][0]["summary"]
    return {
        "sizes": sizes,
        "generator": {
            "users": 10,
            "think_time_s": 0,
            "requests": summary["requests"],
            "throughput_rps": summary["throughput_rps"],
            "p95_ms": summary["p95_ms"],
            "error_rate_pct": summary["error_rate_pct"],
        },
        "comparison_md": (export / "comparison-512-vs-1024MB.md").read_text(),
    }


def markdown(results: dict[str, Any]) -> str:
    rows = [
        "| Memory | export requests | export p50 | export p95 | Lambda / 1M requests | "
        "mean billed | REPORT lines | cold starts |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results["sizes"]:
        rows.append(
            f"| {s['memory_mb']} MB | {s['export_requests']} | {s['export_p50_ms']:.1f} ms | "
            f"{s['export_p95_ms']:.1f} ms | {s['lambda_usd_per_million']:.4f} USD | "
            f"{s['mean_billed_ms']:.1f} ms | {s['report_lines']} | {s['cold_starts']} |"
        )
    g = results["generator"]
    return "\n".join(
        [
            f"# Load-test benchmark ({results['date']})",
            "",
            f"Machine: {results['machine']}. Command: `{results['command']}`.",
            "",
            f"## Export route, {results['users']} users with think time, "
            f"{results['duration']} per size",
            "",
            *rows,
            "",
            "API Gateway (REST, shown apart, same at every size): "
            f"{results['sizes'][0]['api_gateway_usd_per_million']} USD per million.",
            "",
            "## Load generator",
            "",
            f"{g['users']} users without think time on GET /items/export at 1024 MB: "
            f"**{g['throughput_rps']:.1f} requests/s** sustained ({g['requests']} requests, "
            f"p95 {g['p95_ms']:.1f} ms, errors {g['error_rate_pct']:.2f}%).",
            "",
        ]
    )


def _recorded_args(argv: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--keep":
            skip = True
        elif not arg.startswith("--keep="):
            kept.append(arg)
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--saturate-duration", default="30s")
    parser.add_argument("--keep", type=Path, default=None, help="keep the run's files here")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="powertune-bench-lt-out-") as tmp:
        work = args.keep or Path(tmp)
        with deployed_stack() as state_dir:
            results = measure(state_dir, work, args.duration, args.users, args.saturate_duration)
    results.update(
        date=datetime.now(UTC).date().isoformat(),
        duration=args.duration,
        users=args.users,
        # --keep names a folder of this machine: not part of the recorded command
        command=" ".join(["benchmarks/loadtest/run.py", *_recorded_args(sys.argv[1:])]),
        machine=f"{os.cpu_count()} cores shared with other developers, {platform.python_version()}"
        f" (load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after)",
    )
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "results.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
