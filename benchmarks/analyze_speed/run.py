"""Benchmark: `powertune analyze` on a result with 100,000 raw records (20 sizes × 5,000).

Writes a seeded synthetic result file (labelled synthetic), runs the real CLI on
it as a subprocess several times, and records wall time and peak memory (max
RSS of the child). Also times the in-process phases (JSON load, schema
validation, analysis, output) so a slowdown can be located. Results go to
results.json and results.md beside this script.

    .venv/bin/python benchmarks/analyze_speed/run.py [--sizes 20 --per-size 5000 --repeat 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def make_result(sizes: int, per_size: int, seed: int = 7) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    memories = np.linspace(128, 3008, sizes).round().astype(int)
    records = []
    seq = 0
    for m in memories:
        share = min(m, 1769) / 1769
        base = 5.0 + 120.0 / share
        durations = base * rng.lognormal(0.0, 0.08, per_size)
        for i, d in enumerate(durations):
            cold = i == 0
            records.append(
                {
                    "memory_mb": int(m),
                    "architecture": "x86_64",
                    "payload_index": 0,
                    "duration_ms": round(float(d), 2),
                    "billed_duration_ms": int(np.ceil(d)),
                    "init_duration_ms": 250.0 if cold else None,
                    "max_memory_used_mb": 60,
                    "error_type": None,
                    "sequence": seq,
                }
            )
            seq += 1
    return {
        "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:synthetic-benchmark",
        "region": "us-east-1",
        "synthetic": True,
        "invocations": records,
    }


def run_cli(path: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one `powertune analyze` child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "powertune.cli", "analyze", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(after, before)


def phases(path: Path) -> dict[str, float]:
    from powertune.results import parse_result, to_json, validate_document
    from powertune.results.build import Measured, build_result
    from powertune.results.model import Settings
    from powertune.storage import price_tables
    from powertune.tuning.analysis import analyze
    from powertune.tuning.strategies import parse_strategy

    t0 = time.perf_counter()
    doc = json.loads(path.read_text())
    t1 = time.perf_counter()
    validate_document(doc, input_only=True)
    t2 = time.perf_counter()
    parsed = parse_result(doc)
    region, records = parsed.region, parsed.invocations
    t3 = time.perf_counter()
    prices = price_tables.load_default()
    analysis = analyze(
        records, strategy=parse_strategy("cost"), rate_for=lambda a: prices.rate(region, a)
    )
    t4 = time.perf_counter()
    out = to_json(
        build_result(
            Measured(parsed.function_arn, region, records),
            analysis,
            lambda a: prices.rate(region, a),
            Settings(decision=None),
        )
    )
    json.dumps(out)
    t5 = time.perf_counter()
    return {
        "json_load_s": t1 - t0,
        "schema_validation_s": t2 - t1,
        "records_parse_s(includes a second validation)": t3 - t2,
        "analysis_s": t4 - t3,
        "build_and_dump_output_s": t5 - t4,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, default=20)
    ap.add_argument("--per-size", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        path.write_text(json.dumps(make_result(args.sizes, args.per_size)))
        size_mb = path.stat().st_size / 1e6
        runs = [run_cli(path) for _ in range(args.repeat)]
        phase = phases(path)
    walls = [w for w, _ in runs]
    result = {
        "records": args.sizes * args.per_size,
        "file_mb": round(size_mb, 1),
        "repeat": args.repeat,
        "wall_s_median": round(statistics.median(walls), 3),
        "wall_s_min": round(min(walls), 3),
        "wall_s_max": round(max(walls), 3),
        "peak_rss_mb": round(max(r for _, r in runs) / 1024, 1),
        "phases_s": {k: round(v, 3) for k, v in phase.items()},
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, shared 2-core CI-class machine",
    }
    (HERE / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# `powertune analyze` speed on 100,000 raw records",
        "",
        f"Command: `.venv/bin/python benchmarks/analyze_speed/run.py` "
        f"({args.sizes} sizes × {args.per_size} records, {result['file_mb']} MB file, "
        f"{args.repeat} runs of the CLI as a subprocess).",
        "",
        "| metric | value |",
        "|---|---|",
        f"| wall time, median (min–max) | {result['wall_s_median']} s "
        f"({result['wall_s_min']}–{result['wall_s_max']}) |",
        f"| peak memory (max RSS) | {result['peak_rss_mb']} MB |",
    ]
    lines += [f"| in-process phase: {k} | {v} s |" for k, v in result["phases_s"].items()]
    lines.append("")
    (HERE / "results.md").write_text("\n".join(lines))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
