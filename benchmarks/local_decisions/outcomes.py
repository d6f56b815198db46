"""What one method decided and spent, read from a result file, scored against the model.

Pure: the inputs are parsed result documents (`powertune tune` / `powertune analyze`
output) and the raw records a method spent; nothing here starts a process.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from samples import spend

from powertune.tuning.pricing import PriceRate

_LABEL_MB = re.compile(r"^(\d+)MB/")
# A second, looser reading of "correct": the local cloud's own fidelity is ±10% per size,
# so a pick within 5% of the model's best is a near-miss, not a wrong answer.
NEAR_MISS = 0.05


def failed_by_tune(result: Mapping[str, Any]) -> dict[int, str]:
    """Sizes a run marked failed: under `failed`, or dropped by the policy as failed.

    The adaptive policy drops a size it judges "at risk" of a timeout without moving it
    under `failed` (issue 9); to a user it is a failed size all the same, so both count.
    """
    failed = {int(f["memory_mb"]): str(f.get("failure")) for f in result.get("failed", [])}
    for step in result.get("sampling_events", []):
        label = step.get("configuration") or ""
        match = _LABEL_MB.match(label)
        if step.get("action") == "drop" and match and ": failed" in step.get("message", ""):
            failed.setdefault(int(match.group(1)), step["message"].split(": ", 1)[1])
    return dict(sorted(failed.items()))


def failed_by_upstream(compat: Mapping[str, Any], grid: Sequence[int]) -> dict[int, str]:
    """Sizes upstream's answer leaves out of its `stats` (its run would have failed there)."""
    kept = {int(s["value"]) for s in compat.get("stats", [])}
    return {m: "left out of upstream's stats" for m in grid if m not in kept}


def score(
    power: int | None,
    failed: Mapping[int, str],
    expectation: Mapping[str, Any],
    records: list[dict[str, Any]],
    rate: PriceRate,
    **figures: Any,
) -> dict[str, Any]:
    """One method's cell: its pick against the model, its failed sizes, its spend."""
    predicted_failing = set(expectation["predicted_failing_mb"])
    objective = expectation["predicted_objective"]
    regret = (
        None if str(power) not in objective else objective[str(power)] / min(objective.values()) - 1
    )
    return {
        "recommended_mb": power,
        "matches": power in expectation["predicted_mb"],
        "model_regret": regret,
        "no_answer": power is None,
        "recommends_a_failing_size": power is not None and power in predicted_failing,
        "failed_mb": sorted(failed),
        "failed_as_predicted": set(failed) == predicted_failing,
        "failed_reasons": {str(m): why for m, why in failed.items()},
        **spend(records, rate),
        **figures,
    }


def method_summary(cells: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts and mean spend over a method's cells."""
    cells = list(cells)
    return {
        "cells": len(cells),
        "matches": sum(c["matches"] for c in cells),
        "regret_at_most_5pct": sum(
            c["model_regret"] is not None and c["model_regret"] <= NEAR_MISS for c in cells
        ),
        "failed_as_predicted": sum(c["failed_as_predicted"] for c in cells),
        "recommends_a_failing_size": sum(c["recommends_a_failing_size"] for c in cells),
        "no_answer": sum(c.get("no_answer", False) for c in cells),
        "invocations_per_run_mean": statistics.fmean(c["invocations"] for c in cells),
        "cost_usd_per_run_mean": statistics.fmean(c["cost_usd"] for c in cells),
    }


def ratio_summary(ratios: Sequence[float], target: float) -> dict[str, Any]:
    """The adaptive policy's cost as a share of upstream's protocol, over every cell."""
    return {
        "target_at_most": target,
        "cells": len(ratios),
        "cells_meeting_target": sum(r <= target for r in ratios),
        "min": min(ratios),
        "max": max(ratios),
        "geometric_mean": statistics.geometric_mean(ratios),
    }
