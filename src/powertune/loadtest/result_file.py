"""`loadtest-<ts>.json` (versioned) and its raw-sample CSVs: written by each run, read as baseline.

The JSON holds the setup, each size's summary, billed durations and cost, and
the name of the CSV with its raw samples (beside the JSON). A reader of an
older `format_version` keeps working: fields are only ever added.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from powertune.errors import ConfigError
from powertune.loadtest.cost import CostPerMillion
from powertune.loadtest.model import LoadTestResult, LoadTestSetup, SizeResult
from powertune.loadtest.samples import read_csv, write_csv
from powertune.loadtest.thresholds import ThresholdOutcome

FORMAT = "powertune-loadtest"
FORMAT_VERSION = 1


def samples_csv_name(run_id: str, memory_mb: int) -> str:
    return f"loadtest-{run_id}-{memory_mb}MB.csv"


def write_result(
    result: LoadTestResult,
    directory: Path,
    outcomes: list[ThresholdOutcome],
    reports: list[str],
) -> Path:
    """Write the JSON and one CSV per size into `directory`; return the JSON's path."""
    directory.mkdir(parents=True, exist_ok=True)
    sizes = []
    for size in result.sizes:
        csv_name = samples_csv_name(result.setup.run_id, size.memory_mb)
        write_csv(directory / csv_name, size.samples)
        sizes.append(
            {
                "memory_mb": size.memory_mb,
                "started_s": size.started_s,
                "ended_s": size.ended_s,
                "samples_csv": csv_name,
                "summary": {**asdict(size.summary), "error_rate_pct": size.summary.error_rate_pct},
                "billed_ms": list(size.billed_ms),
                "cold_starts": size.cold_starts,
                "cost_per_million": None if size.cost is None else asdict(size.cost),
            }
        )
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "setup": asdict(result.setup),
        "sizes": sizes,
        "thresholds": [
            {
                "threshold": o.threshold.text,
                "memory_mb": o.memory_mb,
                "measured": o.measured,
                "passed": o.passed,
            }
            for o in outcomes
        ],
        "reports": reports,
    }
    path = directory / f"loadtest-{result.setup.run_id}.json"
    path.write_text(json.dumps(doc, indent=2, allow_nan=False, default=_nan_free) + "\n")
    return path


def _nan_free(value: Any) -> Any:
    raise TypeError(f"not JSON-able: {value!r}")


def read_result(path: Path) -> LoadTestResult:
    """A result written by `write_result` (any format_version so far), with its samples."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read --baseline {str(path)!r} ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ConfigError(
            f'--baseline {str(path)!r} is not a load-test result (no "format": "{FORMAT}"); '
            "pass a loadtest-<ts>.json written by powertune loadtest"
        )
    try:
        setup = LoadTestSetup(**doc["setup"])
        sizes = tuple(_size_from(entry, path.parent) for entry in doc["sizes"])
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"--baseline {str(path)!r} is incomplete ({exc!r})") from exc
    return LoadTestResult(setup, sizes)


def _size_from(entry: dict[str, Any], folder: Path) -> SizeResult:
    cost = entry.get("cost_per_million")
    return SizeResult(
        memory_mb=int(entry["memory_mb"]),
        samples=tuple(read_csv(folder / entry["samples_csv"])),
        billed_ms=tuple(int(b) for b in entry.get("billed_ms", [])),
        cold_starts=int(entry.get("cold_starts", 0)),
        started_s=float(entry["started_s"]),
        ended_s=float(entry["ended_s"]),
        cost=None if cost is None else CostPerMillion(**cost),
    )
