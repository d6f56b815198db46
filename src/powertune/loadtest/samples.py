"""Raw request samples of a load test: one per HTTP request, as the Locust child recorded it.

The recorder (scenarios/recorder.py) writes JSON lines; a run keeps them as CSV
beside its `loadtest-<ts>.json`, and every statistic is computed from these,
never from Locust's own bucketed percentiles.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from powertune.errors import ConfigError

CSV_COLUMNS = (
    "start_s",
    "method",
    "name",
    "response_time_ms",
    "response_length_bytes",
    "status_code",
    "error",
)


@dataclass(frozen=True, slots=True)
class RequestSample:
    """One request: when it started (epoch s), which endpoint, how long, how it ended."""

    start_s: float
    method: str
    name: str
    response_time_ms: float
    response_length_bytes: int
    status_code: int
    #: None on success; Locust's failure text otherwise (an HTTP error, a timeout...)
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def end_s(self) -> float:
        return self.start_s + self.response_time_ms / 1000.0


def read_jsonl(path: Path) -> list[RequestSample]:
    """The recorder's JSON lines; a torn last line (the child was killed) is skipped."""
    if not path.is_file():
        return []
    samples: list[RequestSample] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            continue
        samples.append(
            RequestSample(
                start_s=float(doc["start_s"]),
                method=str(doc["method"]),
                name=str(doc["name"]),
                response_time_ms=float(doc["response_time_ms"]),
                response_length_bytes=int(doc.get("response_length") or 0),
                status_code=int(doc.get("status_code") or 0),
                error=doc.get("error"),
            )
        )
    samples.sort(key=lambda s: s.start_s)
    return samples


def write_csv(path: Path, samples: Iterable[RequestSample]) -> None:
    """All samples, full precision, one row each (the run's raw data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for s in samples:
            writer.writerow(
                [
                    repr(s.start_s),
                    s.method,
                    s.name,
                    repr(s.response_time_ms),
                    s.response_length_bytes,
                    s.status_code,
                    "" if s.error is None else s.error,
                ]
            )


def read_csv(path: Path) -> list[RequestSample]:
    """Samples written by `write_csv` (a baseline's raw data)."""
    try:
        with path.open(newline="", encoding="utf-8") as src:
            rows = list(csv.DictReader(src))
    except OSError as exc:
        raise ConfigError(
            f"cannot read raw samples {str(path)!r} ({exc}); keep the CSV files next to "
            "the loadtest-<ts>.json they belong to"
        ) from exc
    try:
        return [
            RequestSample(
                start_s=float(r["start_s"]),
                method=r["method"],
                name=r["name"],
                response_time_ms=float(r["response_time_ms"]),
                response_length_bytes=int(r["response_length_bytes"]),
                status_code=int(r["status_code"]),
                error=r["error"] or None,
            )
            for r in rows
        ]
    except (KeyError, ValueError) as exc:
        raise ConfigError(
            f"{str(path)!r} is not a powertune raw-sample CSV ({exc!r}); its header must be "
            + ",".join(CSV_COLUMNS)
        ) from exc
