"""Write the frozen suite of workload profiles for the decision-quality benchmark.

Run once (`python benchmarks/decision/make_profiles.py`); the YAML files it
writes under `profiles/` are committed and frozen before the adaptive policy
is tuned, so the policy is not judged only on the model it assumes. The
parameters are drawn from a seeded generator inside ranges per group; the
second, sixth, ... profile of each group (a quarter of the suite) is held out
and only run for the final figures.
"""

from __future__ import annotations

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
    print(f"wrote {number} profiles to {OUT}")


if __name__ == "__main__":
    main()
