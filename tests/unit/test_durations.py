"""`parse_duration`: the units people write, and one clear error for everything else."""

from __future__ import annotations

import pytest

from powertune.cli.durations import parse_duration
from powertune.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("2m", 120.0),
        ("24h", 86400.0),
        ("1h30m", 5400.0),
        ("500ms", 0.5),
        ("1d", 86400.0),
        ("45", 45.0),
        ("0.5", 0.5),
        (" 2M ", 120.0),
    ],
)
def test_durations_people_write(text: str, seconds: float) -> None:
    assert parse_duration(text, "--poll-interval") == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "0", "0s", "-5s", "abc", "5x", "h", "1h 30m", "nan", "inf"])
def test_bad_durations_name_the_option_and_the_fix(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_duration(text, "--approval-timeout")
    assert "--approval-timeout" in str(caught.value)
    assert "30s, 2m, 24h" in str(caught.value)
