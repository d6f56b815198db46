"""The published JSON Schema of result files (`tuning-result.schema.json`, package data here)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

import fastjsonschema

from powertune.results.fields import ResultFormatError
from powertune.results.model import SCHEMA_VERSION

SCHEMA_FILE = "tuning-result.schema.json"
#: what `analyze` needs of a file: the rest may be missing (docs/result-format.md)
INPUT_KEYS = ("function_arn", "region", "invocations")


@functools.cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of result files."""
    text = resources.files("powertune.results").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _validator(input_only: bool) -> Any:
    # fastjsonschema compiles the schema to Python: ~40x faster than jsonschema on
    # 100,000 records (benchmarks/analyze_speed), which keeps `analyze` cheap.
    sch = schema()
    if input_only:
        sch = {**sch, "required": list(INPUT_KEYS)}
    return fastjsonschema.compile(sch)


def validate_document(doc: Mapping[str, Any], *, input_only: bool = False) -> None:
    """Validate a full result (or, with `input_only`, what `analyze` needs)."""
    try:
        _validator(input_only)(doc)
    except fastjsonschema.JsonSchemaValueException as exc:
        where = (exc.name or "data").removeprefix("data").lstrip(".") or "(top level)"
        raise ResultFormatError(
            where,
            f"result file does not match schema {SCHEMA_VERSION} at {where}: {exc.message}; "
            "fix that value (docs/result-format.md describes each key)",
        ) from exc
