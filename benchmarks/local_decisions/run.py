"""Local-cloud decision benchmark: powertune's default policy against upstream's protocol.

Issue 9, "Targets ... On the local cloud". For five real handlers (`handlers/`: a rare
stall, memory-hungry, bimodal, two-threaded, I/O-bound), in one local cloud:
1. deploy the handler with boto3 (zip, python3.11, 1,769 MB; 3 s timeout for the stall);
2. calibrate the CPU model at 1,769 MB and fix what is correct per strategy, and which
   sizes fail, before any tuning (`workloads.py`);
3. on the same 6 sizes: `powertune tune --invocations 50` once (upstream's protocol, num 50:
   its first 50 invocations per size decided by `powertune analyze --compat
   aws-lambda-power-tuning`, and all of them by `powertune analyze`), and the default
   adaptive policy (`powertune tune` without --invocations) once per strategy;
4. for the stall, issue 9's own command too: `powertune tune FN --memory 128,256,512,1024`;
5. after every run, check that $LATEST memory is back and no version or alias is left.

Writes results.json and results.md beside this script. The local cloud is stopped and
the scratch folder removed at the end, also on error or SIGTERM.

Run:  .venv/bin/python benchmarks/local_decisions/run.py      (about 9 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from powertune.tuning.plan import DEFAULT_MEMORY_SIZES
from powertune.tuning.pricing import PriceRate

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tuning_e2e")]

from cli_runs import TuneRun, analyze, tune  # noqa: E402
from functions import deploy, leftovers  # noqa: E402
from model import STRATEGIES  # noqa: E402
from outcomes import (  # noqa: E402
    failed_by_tune,
    failed_by_upstream,
    method_summary,
    ratio_summary,
    score,
)
from samples import first_per_size, measured_vs_model  # noqa: E402
from session import (  # noqa: E402
    BenchCloud,
    bench_cloud,
    bench_rate,
    results_document,
    shown_command,
    write_results,
)
from tables import METHODS, render_markdown  # noqa: E402
from workloads import (  # noqa: E402
    WORKLOADS,
    Calibration,
    Expected,
    Workload,
    calibrate,
    calibration_json,
    expected,
)

GRID = (128, 256, 512, 1024, 1536, 3008)  # upstream's protocol: 6 sizes × num 50
ISSUE9_GRID = (128, 256, 512, 1024)  # issue 9's stall command
UPSTREAM_NUM = 50
COST_RATIO_TARGET = 0.1  # issue 9: the default policy spends at least 10× less


class Runner:
    """Runs and scores every method on one deployed workload."""

    def __init__(self, bench: BenchCloud, workload: Workload, args: argparse.Namespace) -> None:
        self.bench, self.workload, self.args = bench, workload, args
        self.rate: PriceRate = args.rate
        self.function = ""  # named by deploy() in run()
        self.checks: dict[str, Any] = {}
        # upstream's protocol run, set by upstream_protocol()
        self.fixed: TuneRun
        self.records: list[dict[str, Any]] = []
        self.num50: list[dict[str, Any]] = []
        self.num50_path = Path()

    def tune(self, label: str, grid: tuple[int, ...], strategy: str, n: int | None) -> TuneRun:
        run = tune(
            self.function,
            state_dir=Path(self.bench.cloud.state_dir),
            output_dir=self.bench.work / self.workload.name / label,
            memory=grid,
            strategy=strategy,
            seed=self.args.seed,
            invocations=n,
            no_answer_ok=True,
        )
        self.checks[label] = leftovers(self.bench.lam, self.function)
        return run

    def adaptive(
        self, label: str, grid: tuple[int, ...], strategy: str, exp: dict[str, Any]
    ) -> tuple[TuneRun, dict[str, Any]]:
        """The default policy (no --invocations) on `grid`, scored against `exp`."""
        run = self.tune(label, grid, strategy, None)
        picked = run.result["recommendation"] or {}
        return run, score(
            run.result["power"],
            failed_by_tune(run.result),
            exp,
            list(run.result["invocations"]),
            self.rate,
            wall_s=run.wall_s,
            tied_with=picked.get("tied_with"),
            reasons=picked.get("reasons", []),
        )

    def upstream_protocol(self) -> None:
        """`--invocations 50` once: its first 50 per size are what upstream's num 50 spends."""
        self.fixed = self.tune("fixed50", GRID, "cost", UPSTREAM_NUM)
        self.records = list(self.fixed.result["invocations"])
        self.num50 = first_per_size(self.records, UPSTREAM_NUM)
        self.num50_path = self.bench.work / self.workload.name / "upstream-num50.json"
        self.num50_path.write_text(json.dumps({**self.fixed.result, "invocations": self.num50}))

    def strategy_cell(self, strategy: str, exp: Expected) -> dict[str, Any]:
        """The default policy, upstream's answer and ours on the same 50, for one strategy."""
        e = exp.to_json(strategy)
        _, ours = self.adaptive(f"adaptive-{strategy}", GRID, strategy, e)
        mine50 = analyze(self.fixed.result_path, strategy)
        upstream = analyze(self.num50_path, strategy, compat=True)
        up = score(upstream["power"], failed_by_upstream(upstream, GRID), e, self.num50, self.rate)
        ours["cost_ratio_to_upstream"] = ours["cost_usd"] / up["cost_usd"]
        cell = {
            **e,
            "adaptive": ours,
            "upstream_num50": up,
            "fixed50": score(mine50["power"], failed_by_tune(mine50), e, self.records, self.rate),
        }
        picks = " ".join(f"{k} {cell[k]['recommended_mb']}" for k, _ in METHODS)
        print(
            f"[{self.workload.name}] {strategy}: predicted {e['predicted_mb']} {picks}", flush=True
        )
        return cell

    def run(self) -> dict[str, Any]:
        w, lam = self.workload, self.bench.lam
        self.function = deploy(
            lam, self.bench.role_arn, w.source, timeout_s=w.timeout_s, prefix="ld"
        )
        cal = calibrate(lam, self.function)
        exp = expected(w, cal, GRID, self.rate, self.args.tolerance)
        print(f"[{w.name}] {exp.inputs}, failing {exp.failing_mb}", flush=True)
        self.upstream_protocol()
        strategies = {s: self.strategy_cell(s, exp) for s in STRATEGIES}
        upstream_cost = strategies["cost"]["upstream_num50"]["cost_usd"]
        out: dict[str, Any] = {
            "description": w.description,
            "function": self.function,
            "timeout_s": w.timeout_s,
            "threads": w.threads,
            "calibration": calibration_json(cal, exp.inputs),
            "predicted_failing": {str(m): why for m, why in exp.failing_mb.items()},
            "measured_vs_model": measured_vs_model(self.records, exp.inputs, GRID, mean=True),
            "strategies": strategies,
            "default_grid": self.single("default-grid", cal, DEFAULT_MEMORY_SIZES),
            "commands": {"fixed50": shown_command(self.fixed.args, self.bench.work)},
        }
        plain = out["default_grid"]["adaptive"]
        plain["cost_ratio_to_upstream"] = plain["cost_usd"] / upstream_cost
        if w.name == "stall":
            i9 = self.single("issue9", cal, ISSUE9_GRID)
            met = i9["adaptive"]["recommended_mb"] == 128 and not i9["adaptive"]["failed_mb"]
            out["issue9"] = {**i9, "target_met": met}
        out["left_behind_checks"] = self.checks
        lam.delete_function(FunctionName=self.function)
        return out

    def single(self, label: str, cal: Calibration, grid: tuple[int, ...]) -> dict[str, Any]:
        """One plain cost run of the default policy on `grid`, scored on that grid."""
        e = expected(self.workload, cal, grid, self.rate, self.args.tolerance).to_json("cost")
        run, cell = self.adaptive(label, grid, "cost", e)
        return {**e, "adaptive": cell, "command": shown_command(run.args, self.bench.work)}


def summarise(workloads: dict[str, Any]) -> dict[str, Any]:
    """Per method over every (workload, strategy) cell; the cost ratio; issue 9's targets."""
    cells = [(w, s) for w in workloads.values() for s in w["strategies"].values()]
    summary: dict[str, Any] = {key: method_summary(s[key] for _, s in cells) for key, _ in METHODS}
    # upstream's protocol is one run per workload serving all three strategies
    for key in ("fixed50", "upstream_num50"):
        runs = [w["strategies"]["cost"][key] for w in workloads.values()]
        summary[key]["invocations_per_run_mean"] = method_summary(runs)["invocations_per_run_mean"]
        summary[key]["cost_usd_per_run_mean"] = method_summary(runs)["cost_usd_per_run_mean"]
    ratios = [s["adaptive"]["cost_ratio_to_upstream"] for _, s in cells]
    summary["cost_ratio_adaptive_to_upstream"] = ratio_summary(ratios, COST_RATIO_TARGET)
    plain = [w["default_grid"]["adaptive"] for w in workloads.values()]
    summary["default_grid"] = method_summary(plain)
    summary["cost_ratio_default_grid_to_upstream"] = ratio_summary(
        [c["cost_ratio_to_upstream"] for c in plain], COST_RATIO_TARGET
    )
    stall = workloads.get("stall", {}).get("issue9")
    clean = all(c["clean"] for w in workloads.values() for c in w["left_behind_checks"].values())
    summary["targets"] = {
        "stall_issue9_128mb_no_failed": None if stall is None else stall["target_met"],
        "default_policy_10x_cheaper_in_every_cell": all(r <= COST_RATIO_TARGET for r in ratios),
        "default_grid_10x_cheaper_on_every_workload": all(
            c["cost_ratio_to_upstream"] <= COST_RATIO_TARGET for c in plain
        ),
        "adaptive_matches_at_least_upstream": summary["adaptive"]["matches"]
        >= summary["upstream_num50"]["matches"],
        "no_failing_size_recommended": not any(
            s[k]["recommends_a_failing_size"] for _, s in cells for k, _ in METHODS
        )
        and not any(c["recommends_a_failing_size"] for c in plain),
        "functions_left_as_found": clean,
    }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [w.name for w in WORKLOADS]
    parser.add_argument("--workloads", default=",".join(names), help="comma-separated subset")
    parser.add_argument("--tolerance", type=float, default=0.02, help="equally predicted share")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.json/.md")
    args = parser.parse_args()
    args.rate = bench_rate()
    chosen = [w for w in WORKLOADS if w.name in args.workloads.split(",")]
    started, load_before = time.perf_counter(), os.getloadavg()
    workloads: dict[str, Any] = {}
    with bench_cloud("powertune-ld-", "ld-bench") as bench:
        for w in chosen:
            workloads[w.name] = Runner(bench, w, args).run()
        cloud = bench.info()
    results = results_document(
        "local_decisions",
        args.rate,
        cloud=cloud,
        started_s=started,
        load_before_1m=load_before[0],
        grid_mb=GRID,
        issue9_grid_mb=ISSUE9_GRID,
        tolerance=args.tolerance,
        upstream_num=UPSTREAM_NUM,
        seed=args.seed,
        summary=summarise(workloads),
        workloads=workloads,
    )
    write_results(args.out, results, render_markdown)


if __name__ == "__main__":
    main()
