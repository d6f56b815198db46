"""Decision-quality benchmark: adaptive sampling vs upstream (num 10, 50) vs fixed 10.

    .venv/bin/python benchmarks/decision/run.py                # final figures (train + held-out)
    .venv/bin/python benchmarks/decision/run.py --set train    # while tuning the policy

For each profile in `profiles/` (train: `held_out: false`; held-out: `true`),
the true expected cost and duration of every grid size come from a large
Monte-Carlo sample of the simulator's own model; each policy is then run on
the simulated function with the same seeds, and its recommendation judged
against the true optimum over the grid. Writes results.json and results.md
beside this script (`--set all`, the default; other sets write results-<set>.*).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from policies import RATE, Outcome, run_adaptive, run_fixed, run_upstream
from scipy import stats as scipy_stats

from powertune.backends.ground_truth import TrueValues, true_expectations
from powertune.backends.simulator import SimulatedFunction
from powertune.backends.workload import WorkloadProfile, load_profile, profile_seed
from powertune.tuning.pricing import invocation_cost_usd

HERE = Path(__file__).resolve().parent
GRID = (128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008)
STRATEGIES = ("cost", "speed", "balanced")
POLICIES = ("adaptive", "upstream-50", "upstream-10", "fixed-10")
WITHIN = 0.01


def objective_values(truth: dict[int, TrueValues], strategy: str) -> dict[int, float]:
    ok = {m: t for m, t in truth.items() if t.failure is None}
    if strategy == "cost":
        return {m: t.mean_cost_usd for m, t in ok.items()}
    if strategy == "speed":
        return {m: t.mean_duration_ms for m, t in ok.items()}
    # balanced: cost^0.5 · duration^0.5 (the weighted geometric mean, docs/tuning.md)
    return {m: math.sqrt(t.mean_cost_usd * t.mean_duration_ms) for m, t in ok.items()}


def paid_usd(records: list[Any]) -> float:
    total = 0.0
    for r in records:
        billed = r.billed_duration_ms
        if r.cold_start:
            billed = max(billed, math.ceil(r.duration_ms + (r.init_duration_ms or 0.0)))
        total += invocation_cost_usd(billed, r.memory_mb, RATE)
    return total


def coverage(analysis: Any, truth: dict[int, TrueValues]) -> tuple[int, int]:
    """(intervals containing the true mean, intervals) over cost and duration CIs."""
    hit = n = 0
    for s in analysis.stats:
        t = truth[s.configuration.memory_mb]
        if s.samples < 2 or t.failure is not None:
            continue
        for ci, true in ((s.cost_ci, t.mean_cost_usd), (s.duration_ci, t.mean_duration_ms)):
            n += 1
            hit += int(ci.low <= true <= ci.high)
    return hit, n


def policy_coverage(policy: Any, truth: dict[int, TrueValues]) -> tuple[int, int]:
    """Coverage of the adaptive policy's own duration intervals (estimate ± t·sd)."""
    hit = n = 0
    for c, e in policy.estimates.items():
        t = truth[c.memory_mb]
        if t.failure is not None:
            continue
        half = float(scipy_stats.t.ppf(0.975, max(1, e.dof))) * e.duration_sd_ms
        n += 1
        hit += int(abs(e.duration_ms - t.mean_duration_ms) <= half)
    return hit, n


def run_profile(profile: WorkloadProfile, base_seed: int, seeds: int) -> list[dict[str, Any]]:
    truth = true_expectations(profile, GRID, RATE, samples=100_000)
    objectives = {s: objective_values(truth, s) for s in STRATEGIES}
    weights = profile.payload_weights
    rows: list[dict[str, Any]] = []
    for k in range(seeds):
        seed = base_seed * 100 + k
        runs: dict[str, dict[str, tuple[Outcome, float]]] = defaultdict(dict)
        for name, num in (("upstream-50", 50), ("upstream-10", 10)):
            t0 = time.perf_counter()
            out = run_upstream(SimulatedFunction(profile, seed=seed), GRID, num, weights)
            wall = time.perf_counter() - t0
            for s in STRATEGIES:
                runs[name][s] = (out, wall)
        t0 = time.perf_counter()
        out = run_fixed(SimulatedFunction(profile, seed=seed), GRID, 10, weights, seed)
        wall = time.perf_counter() - t0
        for s in STRATEGIES:
            runs["fixed-10"][s] = (out, wall)
        for s in STRATEGIES:
            t0 = time.perf_counter()
            out = run_adaptive(SimulatedFunction(profile, seed=seed), GRID, weights, seed, s)
            runs["adaptive"][s] = (out, time.perf_counter() - t0)
        for name, per_strategy in runs.items():
            for s, (out, wall) in per_strategy.items():
                obj = objectives[s]
                best = min(obj, key=lambda m: obj[m])
                rec = out.recommended.get(s)
                row: dict[str, Any] = {
                    "profile": profile.name,
                    "group": profile.group,
                    "held_out": profile.held_out,
                    "seed": seed,
                    "policy": name,
                    "strategy": s,
                    "optimum_mb": best,
                    "recommended_mb": rec,
                    "invocations": len(out.records),
                    "usd": paid_usd(out.records),
                    "wall_s": wall,
                }
                failed_here = {x.memory_mb for x in out.records if x.error_type is not None}
                row["recommended_failed_in_sample"] = rec in failed_here
                if rec is None:
                    row["outcome"] = "no answer"
                elif truth[rec].failure is not None:
                    row["outcome"] = "failing size"
                else:
                    regret = obj[rec] / obj[best] - 1.0
                    row["regret"] = regret
                    row["outcome"] = "correct" if regret <= WITHIN else "wrong"
                if s in out.analyses:
                    row["ci"] = coverage(out.analyses[s], truth)
                if s in out.settled:
                    row["settled"] = out.settled[s]
                if s in out.policies:
                    pol = out.policies[s]
                    row["policy_ci"] = policy_coverage(pol, truth)
                    row["events"] = len(pol.events)
                    row["worth_trying"] = sum(1 for e in pol.events if e.action == "worth-trying")
                rows.append(row)
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    # the runs (profile, seed, strategy) where upstream num 50 gave an answer
    up_answered = {
        (r["profile"], r["seed"], r["strategy"])
        for r in rows
        if r["policy"] == "upstream-50" and r["outcome"] != "no answer"
    }
    by = defaultdict(list)
    for r in rows:
        by[(r["policy"], r["strategy"])].append(r)
    for (policy, strategy), rs in sorted(by.items()):
        regrets = [r["regret"] for r in rs if "regret" in r]
        ci = [r["ci"] for r in rs if "ci" in r]
        pci = [r["policy_ci"] for r in rs if "policy_ci" in r]
        answered = [r for r in rs if r["outcome"] != "no answer"]
        same = [r for r in rs if (r["profile"], r["seed"], r["strategy"]) in up_answered]
        table[f"{policy}/{strategy}"] = {
            "runs": len(rs),
            "accuracy": sum(r["outcome"] == "correct" for r in rs) / len(rs),
            "accuracy_when_answered": (
                sum(r["outcome"] == "correct" for r in answered) / len(answered)
                if answered
                else None
            ),
            "accuracy_where_upstream50_answered": (
                sum(r["outcome"] == "correct" for r in same) / len(same) if same else None
            ),
            "no_answer": sum(r["outcome"] == "no answer" for r in rs),
            "failing_size_recommended": sum(r["outcome"] == "failing size" for r in rs),
            "recommended_failed_in_sample": sum(r["recommended_failed_in_sample"] for r in rs),
            "mean_regret": statistics.fmean(regrets) if regrets else None,
            "worst_regret": max(regrets) if regrets else None,
            "mean_invocations": statistics.fmean(r["invocations"] for r in rs),
            "mean_usd": statistics.fmean(r["usd"] for r in rs),
            "total_usd": sum(r["usd"] for r in rs),
            "mean_wall_ms": 1000 * statistics.fmean(r["wall_s"] for r in rs),
            "ci_coverage": (sum(h for h, _ in ci) / max(1, sum(n for _, n in ci)) if ci else None),
            "policy_ci_coverage": (
                sum(h for h, _ in pci) / max(1, sum(n for _, n in pci)) if pci else None
            ),
        }
    return table


def by_shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy, failing sizes and CI coverage per profile group (shape), per policy/strategy."""
    out: dict[str, Any] = {}
    groups = sorted({r["group"] for r in rows})
    for g in groups:
        block: dict[str, Any] = {}
        for policy in POLICIES:
            for s in STRATEGIES:
                rs = [
                    r
                    for r in rows
                    if r["group"] == g and r["policy"] == policy and r["strategy"] == s
                ]
                if not rs:
                    continue
                ci = [r["ci"] for r in rs if "ci" in r]
                block[f"{policy}/{s}"] = {
                    "runs": len(rs),
                    "correct": sum(r["outcome"] == "correct" for r in rs),
                    "failing": sum(r["outcome"] == "failing size" for r in rs),
                    "no_answer": sum(r["outcome"] == "no answer" for r in rs),
                    "unsettled": sum(r.get("settled") is False for r in rs),
                    "ci_coverage": (
                        sum(h for h, _ in ci) / max(1, sum(n for _, n in ci)) if ci else None
                    ),
                }
        out[g] = block
    return out


def cost_ratios(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Adaptive exploration cost relative to upstream num 50, per strategy."""
    out: dict[str, Any] = {}
    index = {(r["profile"], r["seed"], r["policy"], r["strategy"]): r for r in rows}
    for s in STRATEGIES:
        ratios = [
            r["usd"] / index[(r["profile"], r["seed"], "upstream-50", s)]["usd"]
            for r in rows
            if r["policy"] == "adaptive" and r["strategy"] == s
        ]
        ours = sum(r["usd"] for r in rows if r["policy"] == "adaptive" and r["strategy"] == s)
        theirs = sum(r["usd"] for r in rows if r["policy"] == "upstream-50" and r["strategy"] == s)
        answered = [
            r
            for r in rows
            if r["policy"] == "upstream-50" and r["strategy"] == s and r["outcome"] != "no answer"
        ]
        keys = {(r["profile"], r["seed"]) for r in answered}
        ours_answered = sum(
            r["usd"]
            for r in rows
            if r["policy"] == "adaptive"
            and r["strategy"] == s
            and (r["profile"], r["seed"]) in keys
        )
        theirs_answered = sum(r["usd"] for r in answered)
        out[s] = {
            "total_usd_ratio_where_upstream50_answered": (
                ours_answered / theirs_answered if theirs_answered else None
            ),
            "total_usd_ratio": ours / theirs if theirs else None,
            "median_run_ratio": statistics.median(ratios) if ratios else None,
            "worst_run_ratio": max(ratios) if ratios else None,
        }
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Decision-quality benchmark",
        "",
        f"Command: `{results['command']}`  ",
        f"Grid: {', '.join(map(str, GRID))} MB; {results['seeds']} seeds per profile; "
        f"correct = true optimum or within {WITHIN:.0%} of its expected cost (duration for speed, "
        "balanced score for balanced). Exploration cost = what the Lambda invocations cost "
        "(us-east-1 x86 prices, INIT billed); upstream also pays Step Functions transitions "
        "(about $0.00085 per run for 9 sizes), not counted here. Upstream fails the whole run "
        "when any size errors (OOM, timeout): counted as 'no answer'. 'failing size': the "
        "recommended size truly fails (OOM, or times out in more than 0.1% of invocations); "
        "'failed in its own samples': it failed in the run's own invocations. CI coverage: "
        "share of the analysis' 95% intervals (mean cost and mean duration per size) that "
        "contain the true value; for adaptive also the policy's own duration intervals.",
        "",
    ]
    for set_name, block in results["sets"].items():
        lines += [
            f"## {set_name} ({block['profiles']} profiles)",
            "",
            "| policy / strategy | accuracy | acc. when answered | no answer | failing size "
            "| failed in its own samples | acc. where upstream-50 answered | mean regret "
            "| worst regret | invocations | USD per run | wall ms | CI coverage |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for key, v in block["summary"].items():
            cov = v["ci_coverage"]
            if v["policy_ci_coverage"] is not None:
                cov_s = f"{_pct(cov)} (policy's own: {_pct(v['policy_ci_coverage'])})"
            else:
                cov_s = _pct(cov)
            lines.append(
                f"| {key} | {_pct(v['accuracy'])} | {_pct(v['accuracy_when_answered'])} "
                f"| {v['no_answer']} | {v['failing_size_recommended']} "
                f"| {v['recommended_failed_in_sample']} "
                f"| {_pct(v['accuracy_where_upstream50_answered'])} "
                f"| {_pct(v['mean_regret'])} | {_pct(v['worst_regret'])} "
                f"| {v['mean_invocations']:.1f} | ${v['mean_usd']:.6f} "
                f"| {v['mean_wall_ms']:.1f} | {cov_s} |"
            )
        lines += ["", "Adaptive exploration cost relative to upstream num 50:", ""]
        for s, r in block["cost_ratio"].items():
            lines.append(
                f"- {s}: total {_pct(r['total_usd_ratio'])} (on the runs where upstream-50 "
                f"answered: {_pct(r['total_usd_ratio_where_upstream50_answered'])}), median run "
                f"{_pct(r['median_run_ratio'])}, worst run {_pct(r['worst_run_ratio'])}"
            )
        lines += [
            "",
            "By shape (correct / runs; f = recommended a truly failing size; "
            "n = no answer; u = adaptive said undecided; CI = coverage of the analysis' 95% "
            "intervals):",
            "",
            "| shape | "
            + " | ".join(f"{p} {s}" for p in POLICIES for s in STRATEGIES)
            + " | adaptive CI |",
            "|---|" + "---|" * (len(POLICIES) * len(STRATEGIES) + 1),
        ]
        for g, shape in block["by_shape"].items():
            cells = []
            for p in POLICIES:
                for s in STRATEGIES:
                    v = shape.get(f"{p}/{s}")
                    if v is None:
                        cells.append("–")
                        continue
                    extra = "".join(
                        f" {k[0]}{v[k]}" for k in ("failing", "no_answer", "unsettled") if v[k]
                    )
                    cells.append(f"{v['correct']}/{v['runs']}{extra}")
            cov = [
                shape[f"adaptive/{s}"]["ci_coverage"]
                for s in STRATEGIES
                if f"adaptive/{s}" in shape
            ]
            cov_s = (
                _pct(statistics.fmean(c for c in cov if c is not None))
                if any(c is not None for c in cov)
                else "–"
            )
            lines.append(f"| {g} | " + " | ".join(cells) + f" | {cov_s} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("train", "held-out", "all"), default="all")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--only", default="", help="run only profiles whose name contains this")
    parser.add_argument(
        "--markdown-only", action="store_true", help="rewrite results.md from results.json"
    )
    args = parser.parse_args(argv)
    if args.markdown_only:
        stored = json.loads((HERE / "results.json").read_text())
        (HERE / "results.md").write_text(markdown(stored) + "\n")
        return
    paths = sorted((HERE / "profiles").glob("*.yaml"))
    profiles = [(load_profile(p), profile_seed(p) or 0) for p in paths if args.only in p.stem]
    sets = {
        "train": [x for x in profiles if not x[0].held_out],
        "held-out": [x for x in profiles if x[0].held_out],
    }
    wanted = ["train", "held-out"] if args.set == "all" else [args.set]
    started = time.perf_counter()
    results: dict[str, Any] = {
        "command": "python benchmarks/decision/run.py " + " ".join(argv or sys.argv[1:]),
        "seeds": args.seeds,
        "grid_mb": GRID,
        "python": platform.python_version(),
        "sets": {},
    }
    all_rows: list[dict[str, Any]] = []
    for name in wanted:
        rows: list[dict[str, Any]] = []
        for profile, seed in sets[name]:
            rows += run_profile(profile, seed, args.seeds)
            print(f"{name}: {profile.name} done", file=sys.stderr)
        results["sets"][name] = {
            "profiles": len(sets[name]),
            "summary": summarise(rows),
            "cost_ratio": cost_ratios(rows),
            "by_shape": by_shape(rows),
        }
        all_rows += rows
    results["elapsed_s"] = time.perf_counter() - started
    results["rows"] = all_rows
    stem = "results" if args.set == "all" and not args.only else f"results-{args.set}"
    text = json.dumps({k: v for k, v in results.items() if k != "rows"}, indent=1, default=str)
    rows_text = ",\n".join(json.dumps(r, default=str) for r in results["rows"])
    text = text[: text.rfind("}")].rstrip() + ',\n "rows": [\n' + rows_text + "\n ]\n}"
    (HERE / f"{stem}.json").write_text(text + "\n")
    (HERE / f"{stem}.md").write_text(markdown(results) + "\n")
    print(markdown(results))
    print(f"elapsed {results['elapsed_s']:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
