"""Reading price tables from disk (the bundled one, or `--price-table FILE`)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from powertune.errors import ConfigError
from powertune.tuning.pricing import PriceTable


def bundled_data() -> dict[str, Any]:
    """The bundled `powertune/tuning/prices.json` as plain data (with its not-sourced list)."""
    text = resources.files("powertune.tuning").joinpath("prices.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_default() -> PriceTable:
    """The price table bundled with powertune (`powertune/tuning/prices.json`)."""
    return PriceTable.from_dict(bundled_data())


def load_file(path: Path) -> PriceTable:
    """A user-supplied price table in the same format as the bundled one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read price table {str(path)!r}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"price table {str(path)!r} is not valid JSON: {exc}") from exc
    return PriceTable.from_dict(data)
