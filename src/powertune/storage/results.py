"""Result files on disk: `tuning-<timestamp>.json` in a history folder, written and read back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from powertune.errors import ConfigError
from powertune.results.json_form import to_json
from powertune.results.model import TuningResult
from powertune.results.reader import parse_result


def write_result(result: TuningResult, folder: Path) -> Path:
    """Write `result` as a new `tuning-<UTC timestamp>[-n].json` in `folder`; never overwrite."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"tuning-{stamp}.json"
    n = 1
    while path.exists():
        path = folder / f"tuning-{stamp}-{n}.json"
        n += 1
    path.write_text(json.dumps(to_json(result), indent=2) + "\n", encoding="utf-8")
    return path


def read_result(path: Path) -> TuningResult:
    """The typed result in `path` (a full result, or just function_arn/region/invocations)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {str(path)!r}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{str(path)!r} is not JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(
            f"{str(path)!r} must hold a JSON object with function_arn, region, invocations"
        )
    return parse_result(doc)
