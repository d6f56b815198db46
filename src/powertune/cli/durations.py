"""Durations as people write them on the command line: `30s`, `2m`, `24h`, `1h30m`, `500ms`.

Shared by every option that takes one (`--approval-timeout`, `--poll-interval`,
`--duration`). A bare number is seconds.
"""

from __future__ import annotations

import re

from powertune.errors import ConfigError

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str, option: str) -> float:
    """Seconds in `text`; a ConfigError naming `option` when it is not a positive duration."""
    value = text.strip().lower()
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _parse_units(value)
    else:
        seconds = seconds if seconds == seconds else None  # NaN is not a duration
    if seconds is None or not seconds > 0 or seconds == float("inf"):
        raise ConfigError(
            f"{option} {text!r} is not a duration; write it as 30s, 2m, 24h or 1h30m "
            "(a bare number is seconds), greater than zero"
        )
    return seconds


def _parse_units(value: str) -> float | None:
    pos, total = 0, 0.0
    for match in _PART.finditer(value):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNIT_S[match.group(2)]
        pos = match.end()
    return total if pos == len(value) and pos > 0 else None
