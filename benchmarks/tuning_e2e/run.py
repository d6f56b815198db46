"""End-to-end tuning benchmark: does `powertune tune` on the local cloud pick the predicted size?

For three real handlers (CPU-bound, I/O-bound, mixed; `handlers/`), in one local cloud:
1. deploy the handler (zip, python3.11, 1,769 MB, 30 s timeout) with boto3;
2. measure the CPU model's inputs at 1,769 MB (CPU work from the handler's own CPU clock,
   the rest from REPORT Duration) and predict the size per strategy (`model.py`);
3. run `powertune tune` as a subprocess: the adaptive default once per strategy, and
   `--invocations 10` once (re-decided per strategy with `powertune analyze`);
4. re-analyse the fixed run's first 10 invocations per size (upstream's num 10: the first
   one cold, no separate warm-up) with `--compat aws-lambda-power-tuning`;
5. check the function is left as found (memory, no versions or aliases), and record the
   fixed run's warm durations as replay traces in benchmarks/decision/traces/.

Writes results.json and results.md beside this script. The local cloud is stopped and
the scratch folder removed at the end, also on error or SIGTERM.

Run:  .venv/bin/python benchmarks/tuning_e2e/run.py        (about 4-5 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from powertune.localcloud.supervisor import LocalCloud
from powertune.tuning.pricing import PriceRate

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cli_runs import TuneRun, analyze, tune  # noqa: E402
from functions import TIMEOUT_S, deploy, leftovers, measure_inputs  # noqa: E402
from model import STRATEGIES, ModelInputs, predict  # noqa: E402
from report import render_markdown  # noqa: E402
from samples import first_per_size, measured_vs_model, spend  # noqa: E402
from session import (  # noqa: E402
    bench_cloud,
    bench_rate,
    results_document,
    shown_command,
    shown_path,
    write_results,
)
from traces import write_trace_profile  # noqa: E402

TRACES_DIR = HERE.parent / "decision" / "traces"
# The decision benchmark's grid (issue 3: one grid for every policy), so the recorded
# traces replay there; it is the brief's grid plus 768 MB.
GRID = (128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008)
HANDLERS = {
    "cpu_bound": "CPU-bound, single-threaded: ~150 ms of SHA-256 at one vCPU",
    "io_bound": "I/O-bound: a 100 ms wait, no work",
    "mixed": "mixed: ~60 ms of SHA-256 at one vCPU plus a 60 ms wait",
}
UPSTREAM_NUM = 10


def method_entry(power: int | None, predicted: tuple[int, ...], **figures: Any) -> dict[str, Any]:
    return {"recommended_mb": power, "matches": power in predicted, **figures}


def bench_handler(
    lam: Any,
    role: str,
    handler: str,
    cloud: LocalCloud,
    work: Path,
    args: argparse.Namespace,
    rate: PriceRate,
) -> dict[str, Any]:
    function = deploy(lam, role, HERE / "handlers" / f"{handler}.py")
    inputs = measure_inputs(lam, function, args.calibration)
    model_inputs = ModelInputs(inputs["cpu_ms_at_one_vcpu"], inputs["other_ms"])
    predictions = predict(model_inputs, GRID, rate, tolerance=args.tolerance)
    state_dir = Path(cloud.state_dir)
    common = {"state_dir": state_dir, "memory": GRID, "seed": args.seed}
    print(f"[{handler}] inputs {model_inputs}", flush=True)

    fixed = tune(
        function,
        output_dir=work / handler / "fixed",
        strategy="cost",
        invocations=args.invocations,
        **common,
    )
    checks = {"fixed": leftovers(lam, function)}
    num10_path = work / handler / "upstream-num10.json"
    num10_records = first_per_size(list(fixed.result["invocations"]), UPSTREAM_NUM)
    num10_path.write_text(json.dumps({**fixed.result, "invocations": num10_records}))

    per_strategy: dict[str, Any] = {}
    adaptive_args: dict[str, tuple[str, ...]] = {}
    for strategy in STRATEGIES:
        predicted = predictions[strategy].equally_predicted_mb
        adaptive: TuneRun = tune(
            function,
            output_dir=work / handler / f"adaptive-{strategy}",
            strategy=strategy,
            invocations=None,
            **common,
        )
        adaptive_args[strategy] = adaptive.args
        checks[f"adaptive-{strategy}"] = leftovers(lam, function)
        ours_fixed = analyze(fixed.result_path, strategy)
        upstream = analyze(num10_path, strategy, compat=True)
        per_strategy[strategy] = {
            "predicted_best_mb": predictions[strategy].best_mb,
            "predicted_mb": list(predicted),
            "predicted_objective": {
                str(m): v for m, v in predictions[strategy].objective_by_mb.items()
            },
            "adaptive": method_entry(
                adaptive.result["power"],
                predicted,
                lambda_cost_usd=adaptive.result["stateMachine"]["lambdaCost"],
                wall_s=adaptive.wall_s,
                tied_with=adaptive.result["recommendation"].get("tied_with"),
                **spend(list(adaptive.result["invocations"]), rate),
            ),
            "fixed10": method_entry(
                ours_fixed["power"],
                predicted,
                lambda_cost_usd=fixed.result["stateMachine"]["lambdaCost"],
                wall_s=fixed.wall_s,
                **spend(list(fixed.result["invocations"]), rate),
            ),
            "upstream_num10": method_entry(
                upstream["power"],
                predicted,
                upstream_lambda_cost_usd=upstream["stateMachine"]["lambdaCost"],
                wall_s=None,
                **spend(num10_records, rate),
            ),
        }
        print(
            f"[{handler}] {strategy}: predicted {list(predicted)} "
            f"adaptive {adaptive.result['power']} "
            f"fixed {ours_fixed['power']} upstream {upstream['power']}",
            flush=True,
        )

    profile = write_trace_profile(
        args.traces_dir / f"{handler}.yaml",
        name=f"recorded-{handler.replace('_', '-')}",
        description=f"{HANDLERS[handler]}; warm durations recorded on the local cloud "
        f"(cpu_control {cloud.cpu_control}) by benchmarks/tuning_e2e/run.py, "
        f"{args.invocations} per size",
        records=list(fixed.result["invocations"]),
        timeout_s=TIMEOUT_S,
    )
    lam.delete_function(FunctionName=function)
    return {
        "description": HANDLERS[handler],
        "function": function,
        "model_inputs": inputs,
        "measured_vs_model": measured_vs_model(
            list(fixed.result["invocations"]), model_inputs, GRID
        ),
        "strategies": per_strategy,
        "left_behind_checks": checks,
        "trace_file": shown_path(args.traces_dir / f"{handler}.yaml"),
        "trace_samples_per_size": {str(m): len(v) for m, v in profile["traces_ms"].items()},
        "commands": {
            "fixed": shown_command(fixed.args, work),
            "adaptive_cost": shown_command(adaptive_args["cost"], work),
        },
    }


def summarise(handlers: dict[str, Any]) -> dict[str, Any]:
    """Matches and total spend per method over every (handler, strategy) cell."""
    summary: dict[str, Any] = {}
    for method in ("adaptive", "fixed10", "upstream_num10"):
        cells = [h["strategies"][s][method] for h in handlers.values() for s in STRATEGIES]
        narrow = [
            h["strategies"][s][method]
            for h in handlers.values()
            for s in STRATEGIES
            if len(h["strategies"][s]["predicted_mb"]) <= 2
        ]
        summary[method] = {
            "matches": sum(c["matches"] for c in cells),
            "cells": len(cells),
            "narrow_matches": sum(c["matches"] for c in narrow),
            "narrow_cells": len(narrow),
        }
    # Spend: the fixed and upstream runs serve all three strategies with one set of samples;
    # the adaptive policy samples per strategy, so its spend is per (handler, strategy).
    adaptive = [h["strategies"][s]["adaptive"] for h in handlers.values() for s in STRATEGIES]
    summary["adaptive"]["invocations_per_run_mean"] = statistics.mean(
        c["invocations"] for c in adaptive
    )
    summary["adaptive"]["cost_usd_per_run_mean"] = statistics.mean(c["cost_usd"] for c in adaptive)
    for method in ("fixed10", "upstream_num10"):
        runs = [h["strategies"]["cost"][method] for h in handlers.values()]
        summary[method]["invocations_per_run_mean"] = statistics.mean(
            c["invocations"] for c in runs
        )
        summary[method]["cost_usd_per_run_mean"] = statistics.mean(c["cost_usd"] for c in runs)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handlers", default=",".join(HANDLERS), help="comma-separated subset")
    parser.add_argument(
        "--invocations", type=int, default=10, help="fixed run: per size after the warm-up"
    )
    parser.add_argument(
        "--calibration", type=int, default=5, help="warm invocations measuring the inputs"
    )
    parser.add_argument(
        "--tolerance", type=float, default=0.02, help="equally predicted within this share"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.json/.md")
    parser.add_argument("--traces-dir", type=Path, default=TRACES_DIR, help="replay traces")
    args = parser.parse_args()
    rate = bench_rate()
    started, load_before = time.perf_counter(), os.getloadavg()
    handlers: dict[str, Any] = {}
    with bench_cloud("powertune-e2e-", "e2e-bench") as bench:
        for handler in args.handlers.split(","):
            handlers[handler] = bench_handler(
                bench.lam, bench.role_arn, handler, bench.cloud, bench.work, args, rate
            )
        cloud = bench.info()
    results = results_document(
        "tuning_e2e",
        rate,
        cloud=cloud,
        started_s=started,
        load_before_1m=load_before[0],
        grid_mb=GRID,
        tolerance=args.tolerance,
        fixed_invocations_per_size=args.invocations,
        upstream_num=UPSTREAM_NUM,
        seed=args.seed,
        summary=summarise(handlers),
        handlers=handlers,
    )
    write_results(args.out, results, render_markdown)


if __name__ == "__main__":
    main()
