"""Write the frozen suite of workload profiles for the decision-quality benchmark.

Run once (`python benchmarks/decision/make_profiles.py`); the YAML files it
writes under `profiles/` are committed and frozen before the adaptive policy
is tuned, so the policy is not judged only on the model it assumes. The
parameters are drawn from a seeded generator inside ranges per group; the
second, sixth, ... profile of each group (a quarter of the suite) is held out
and only run for the final figures. The shapes added for issue 9 (additive
stalls, outliers at one size, heavy tails, bimodal durations, drift, skewed
payload mixes, and the issue's two examples) come from a second seeded
generator, so the first 62 files are unchanged; a third of them is held out.
`drift_per_100_invocations` is a benchmark-level key (the simulator draws
each size's k-th invocation independently of the run's order): `run.py`
applies it by the invocation's position in the run.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "profiles"
SUITE_SEED = 20261128


def _lu(rng: random.Random, low: float, high: float) -> float:
    """Log-uniform draw, rounded to 3 significant digits."""
    import math

    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return float(f"{value:.3g}")


def _base(rng: random.Random) -> dict[str, Any]:
    return {
        "noise_sigma": round(rng.uniform(0.03, 0.12), 3),
        "init_cpu_ms": _lu(rng, 80, 600),
        "init_io_ms": _lu(rng, 20, 200),
        "memory_used_mb": rng.choice([48, 64, 80, 96]),
        "timeout_s": 30,
    }


def _group_cpu_single(rng: random.Random) -> dict[str, Any]:
    return {"cpu_ms": _lu(rng, 20, 3000), "io_ms": _lu(rng, 0.5, 40), "threads": 1}


def _group_cpu_multi(rng: random.Random) -> dict[str, Any]:
    return {
        "cpu_ms": _lu(rng, 100, 5000),
        "io_ms": _lu(rng, 1, 30),
        "threads": rng.choice([2, 2, 4, 1.5]),
    }


def _group_io(rng: random.Random) -> dict[str, Any]:
    return {"cpu_ms": _lu(rng, 1, 25), "io_ms": _lu(rng, 40, 800)}


def _group_mixed(rng: random.Random) -> dict[str, Any]:
    cpu = _lu(rng, 30, 1500)
    return {"cpu_ms": cpu, "io_ms": float(f"{cpu * rng.uniform(0.2, 3):.3g}"), "threads": 1}


def _group_noisy(rng: random.Random) -> dict[str, Any]:
    out = _group_mixed(rng)
    out["noise_sigma"] = round(rng.uniform(0.25, 0.5), 3)
    return out


def _group_outliers(rng: random.Random) -> dict[str, Any]:
    out = _group_cpu_single(rng) if rng.random() < 0.5 else _group_mixed(rng)
    out["outlier_probability"] = round(rng.uniform(0.04, 0.15), 3)
    out["outlier_multiplier"] = round(rng.uniform(3, 12), 2)
    return out


def _group_cold(rng: random.Random) -> dict[str, Any]:
    out = _group_mixed(rng)
    out["cold_start_probability"] = round(rng.uniform(0.15, 0.5), 3)
    out["init_cpu_ms"] = _lu(rng, 400, 3000)
    out["init_io_ms"] = _lu(rng, 100, 800)
    return out


def _group_memory(rng: random.Random) -> dict[str, Any]:
    out = _group_cpu_single(rng) if rng.random() < 0.5 else _group_mixed(rng)
    out["min_memory_mb"] = rng.choice([200, 300, 500, 700, 900, 1100, 1600])
    out["memory_used_mb"] = out["min_memory_mb"] - rng.randint(5, 60)
    return out


def _group_tiny(rng: random.Random) -> dict[str, Any]:
    return {
        "cpu_ms": _lu(rng, 0.2, 6),
        "io_ms": _lu(rng, 0.3, 4),
        "noise_sigma": round(rng.uniform(0.05, 0.3), 3),
    }


def _group_shapes(rng: random.Random) -> dict[str, Any]:
    out = _group_cpu_single(rng) if rng.random() < 0.4 else _group_cpu_multi(rng)
    kind = rng.choice(["step", "plateau", "bump", "bump", "step+bump", "plateau+step"])
    shapes: list[dict[str, Any]] = []
    if "step" in kind:
        shapes.append(
            {"kind": "step", "from_mb": rng.choice([512, 768, 1024, 1536]), "factor": 0.55}
        )
    if "plateau" in kind:
        shapes.append({"kind": "plateau", "from_mb": rng.choice([512, 768, 1024, 1536])})
    if "bump" in kind:
        lo = rng.choice([256, 512, 768, 1024, 1536, 2048])
        shapes.append(
            {
                "kind": "bump",
                "from_mb": lo,
                "to_mb": lo + rng.choice([0, 256, 512]),
                "factor": round(rng.choice([rng.uniform(1.15, 1.6), rng.uniform(0.6, 0.85)]), 3),
            }
        )
    out["shapes"] = shapes
    return out


def _group_payloads(rng: random.Random) -> dict[str, Any]:
    out = _group_mixed(rng)
    n = rng.choice([2, 3])
    out["payloads"] = [
        {
            "weight": rng.choice([1, 2, 5]),
            "work_factor": _lu(rng, 0.2, 5),
            "body": {"case": i},
        }
        for i in range(n)
    ]
    return out


def _group_timeout(rng: random.Random) -> dict[str, Any]:
    out = _group_cpu_single(rng)
    out["cpu_ms"] = _lu(rng, 800, 3000)
    # times out at the smallest sizes (800-3000 ms of CPU at 7% of a vCPU is 11-41 s)
    out["timeout_s"] = rng.choice([5, 10, 15])
    return out


GROUPS = {
    "cpu-single": (_group_cpu_single, 6),
    "cpu-multi": (_group_cpu_multi, 6),
    "io-bound": (_group_io, 5),
    "mixed": (_group_mixed, 5),
    "noisy": (_group_noisy, 5),
    "outliers": (_group_outliers, 5),
    "cold-heavy": (_group_cold, 4),
    "memory-hungry": (_group_memory, 5),
    "tiny": (_group_tiny, 6),
    "shapes": (_group_shapes, 8),
    "payload-mix": (_group_payloads, 4),
    "timeout": (_group_timeout, 3),
}


# --- Shapes added for issue 9 (written by a separate generator, committed before the
# policy was tuned against them; a third of each group is held out). ---------------
NEW_SUITE_SEED = 20261201


def _stall_timeout_s(base128_ms: float, add_ms: float, sigma: float) -> float:
    """The smallest of 3, 5, 10, 30 s that the slowest stalled 128 MB call stays well under."""
    worst = base128_ms * math.exp(3.5 * sigma) + add_ms
    return next((t for t in (3, 5, 10, 30) if worst < 0.8 * t * 1000), 60)


def _group_stall(rng: random.Random) -> dict[str, Any]:
    """A slow downstream call: + the same ms in one call of 5-10, at every size."""
    out = {"cpu_ms": _lu(rng, 2, 60), "io_ms": _lu(rng, 15, 150), "threads": 1}
    if rng.random() < 0.3:
        out["cpu_ms"] = _lu(rng, 100, 600)
    out["outlier_probability"] = round(rng.uniform(0.1, 0.2), 3)
    out["outlier_add_ms"] = _lu(rng, 600, 2000)
    base128 = out["io_ms"] + out["cpu_ms"] / (128 / 1769)
    out["timeout_s"] = _stall_timeout_s(base128, out["outlier_add_ms"], 0.12)
    return out


def _group_one_size_outliers(rng: random.Random) -> dict[str, Any]:
    """Outliers at one size only (a noisy host class, a GC threshold)."""
    out = _group_cpu_single(rng) if rng.random() < 0.5 else _group_io(rng)
    out["outlier_probability"] = round(rng.uniform(0.08, 0.2), 3)
    out["outlier_multiplier"] = round(rng.uniform(2.5, 5), 2)
    out["outlier_only_mb"] = [rng.choice([128, 256, 512, 1024, 1769])]
    return out


def _group_heavy_tail(rng: random.Random) -> dict[str, Any]:
    out = _group_mixed(rng) if rng.random() < 0.6 else _group_io(rng)
    out["noise_sigma"] = round(rng.uniform(0.8, 1.1), 3)
    return out


def _group_bimodal(rng: random.Random) -> dict[str, Any]:
    """Cache hit or miss: a share of calls much slower (multiplied, or a fixed fetch added)."""
    out = _group_mixed(rng) if rng.random() < 0.5 else _group_io(rng)
    out["outlier_probability"] = round(rng.uniform(0.2, 0.5), 3)
    if rng.random() < 0.5:
        out["outlier_multiplier"] = round(rng.uniform(2, 6), 2)
    else:
        out["outlier_add_ms"] = _lu(rng, 50, 800)
    return out


def _group_drift(rng: random.Random) -> dict[str, Any]:
    """Durations drift over the run (a warming cache, a filling table): a benchmark-level key."""
    out = _group_mixed(rng) if rng.random() < 0.6 else _group_cpu_single(rng)
    out["drift_per_100_invocations"] = round(rng.choice([-1, 1, 1]) * rng.uniform(0.02, 0.1), 3)
    return out


def _group_payload_skewed(rng: random.Random) -> dict[str, Any]:
    """A rare heavy payload among light ones (weights 1 : 5-15)."""
    out = _group_mixed(rng) if rng.random() < 0.5 else _group_cpu_single(rng)
    heavy = {"weight": 1, "work_factor": _lu(rng, 5, 20), "body": {"case": "heavy"}}
    light = [
        {"weight": rng.choice([5, 10, 15]), "work_factor": _lu(rng, 0.5, 1.5), "body": {"case": i}}
        for i in range(rng.choice([1, 2]))
    ]
    out["payloads"] = [*light, heavy]
    return out


#: the issue's own examples, fixed
ISSUE_PROFILES: list[dict[str, Any]] = [
    {
        "name": "stall-issue",
        "group": "stall",
        "description": "+1.5 s in one call of seven at every size; timeout 3 s (issue 9)",
        "cpu_ms": 10.0,
        "io_ms": 55.0,
        "noise_sigma": 0.05,
        "outlier_probability": 0.143,
        "outlier_add_ms": 1500.0,
        "timeout_s": 3,
    },
    {
        "name": "one-size-outliers-issue",
        "group": "one-size-outliers",
        "description": "256 MB has 15% of its calls at 4x: true cost 1.30x of 128 MB (issue 9)",
        "cpu_ms": 12.0,
        "io_ms": 40.0,
        "noise_sigma": 0.05,
        "outlier_probability": 0.15,
        "outlier_multiplier": 4.0,
        "outlier_only_mb": [256],
    },
]

NEW_GROUPS = {
    "stall": (_group_stall, 6),
    "one-size-outliers": (_group_one_size_outliers, 6),
    "heavy-tail": (_group_heavy_tail, 6),
    "bimodal": (_group_bimodal, 6),
    "drift": (_group_drift, 6),
    "payload-skewed": (_group_payload_skewed, 6),
}


def write_new(first_number: int) -> int:
    """The issue-9 shapes: a third of each group (the 2nd, 5th, ...) held out."""
    rng = random.Random(NEW_SUITE_SEED)
    number = first_number
    for group, (make, count) in NEW_GROUPS.items():
        for i in range(count):
            number += 1
            profile: dict[str, Any] = {"name": f"{number:02d}-{group}-{i + 1}", "group": group}
            profile.update(_base(rng))
            profile.update(make(rng))
            profile["held_out"] = i % 3 == 1
            profile["seed"] = rng.randrange(1, 2**31)
            (OUT / f"{profile['name']}.yaml").write_text(
                yaml.safe_dump(profile, sort_keys=False), encoding="utf-8"
            )
    for j, fixed in enumerate(ISSUE_PROFILES):
        number += 1
        profile = {**fixed, "name": f"{number:02d}-{fixed['name']}"}
        profile.update(init_cpu_ms=150.0, init_io_ms=50.0, memory_used_mb=64)
        profile.setdefault("timeout_s", 30)
        profile["held_out"] = j % 2 == 1
        profile["seed"] = 9000 + j
        (OUT / f"{profile['name']}.yaml").write_text(
            yaml.safe_dump(profile, sort_keys=False), encoding="utf-8"
        )
    return number


def main() -> None:
    rng = random.Random(SUITE_SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    number = 0
    for group, (make, count) in GROUPS.items():
        for i in range(count):
            number += 1
            profile: dict[str, Any] = {"name": f"{number:02d}-{group}-{i + 1}", "group": group}
            profile.update(_base(rng))
            profile.update(make(rng))
            profile["held_out"] = i % 4 == 1
            profile["seed"] = rng.randrange(1, 2**31)
            path = OUT / f"{profile['name']}.yaml"
            path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    number = write_new(number)
    print(f"wrote {number} profiles to {OUT}")


if __name__ == "__main__":
    main()
