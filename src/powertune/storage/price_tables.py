"""Reading price tables from disk (the bundled one, or `--price-table FILE`)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from powertune.errors import ConfigError
from powertune.tuning.pricing import PriceTable


def load_default() -> PriceTable:
    """The price table bundled with powertune (`powertune/tuning/prices.json`)."""
    text = resources.files("powertune.tuning").joinpath("prices.json").read_text(encoding="utf-8")
    return PriceTable.from_dict(json.loads(text))


def load_file(path: Path) -> PriceTable:
    """A user-supplied price table in the same format as the bundled one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read price table {str(path)!r}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"price table {str(path)!r} is not valid JSON: {exc}") from exc
    return PriceTable.from_dict(data)
