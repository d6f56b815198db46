"""Result files on disk: written as new files (never overwritten), read back typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powertune.errors import ConfigError
from powertune.results import parse_result, to_json
from powertune.storage.results import read_result, write_result

DATA = Path(__file__).parents[2] / "tests" / "data" / "results"


def test_write_then_read_gives_the_same_result(tmp_path: Path) -> None:
    result = parse_result(json.loads((DATA / "onefail.json").read_text(encoding="utf-8")))
    first = write_result(result, tmp_path / "history")
    second = write_result(result, tmp_path / "history")
    assert first != second
    assert first.name.startswith("tuning-") and first.suffix == ".json"
    assert read_result(first) == result
    assert json.loads(second.read_text(encoding="utf-8")) == to_json(result)
    assert second.read_text(encoding="utf-8").endswith("}\n")


@pytest.mark.parametrize("content", [None, "{not json", "[1, 2]"])
def test_unreadable_files_are_config_errors(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "result.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_result(path)
    assert err.value.exit_code == 2
    assert str(path) in str(err.value)
