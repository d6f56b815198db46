"""Typed access to one JSON object of a result file, with errors that name the key and the fix."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from powertune.errors import ConfigError
from powertune.tuning.models import Architecture, Configuration, StrategyName, StrategySpec


class ResultFormatError(ConfigError):
    """A result document does not have the form docs/result-format.md describes."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        #: where in the document, e.g. `statistics[2].warm_samples` (`(top level)` for the root)
        self.key = key


class _Missing(Enum):
    MISSING = "missing"


MISSING = _Missing.MISSING
_FIX = "see docs/result-format.md for each key's form, or re-create the file with powertune"


class Fields:
    """One object of the document at `where` (e.g. `statistics[2].`)."""

    def __init__(self, data: Mapping[str, Any], where: str = "") -> None:
        self.data = data
        self.where = where

    @staticmethod
    def is_number(value: object) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    def invalid(self, key: str, value: object, expected: str) -> ResultFormatError:
        where = f"{self.where}{key}"
        return ResultFormatError(
            where, f"result file: {where} must be {expected}, got {value!r}; {_FIX}"
        )

    def _get(self, key: str, default: object) -> Any:
        if key in self.data:
            return self.data[key]
        if default is MISSING:
            where = f"{self.where}{key}"
            raise ResultFormatError(where, f"result file: {where} is missing; {_FIX}")
        return default

    def value(
        self,
        key: str,
        kind: type | tuple[type, ...],
        *,
        null: bool = False,
        default: object = MISSING,
    ) -> Any:
        """The value at `key`, checked to be of `kind` (or None when `null`)."""
        got = self._get(key, default)
        if got is None and (null or default is None):
            return None
        if not isinstance(got, kind) or (isinstance(got, bool) and kind is not bool):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.invalid(key, got, f"{'null or ' if null else ''}{names}")
        return got

    def integer(self, key: str, *, null: bool = False, default: object = MISSING) -> Any:
        return self.value(key, int, null=null, default=default)

    def number(self, key: str, *, null: bool = False, default: object = MISSING) -> Any:
        return self.value(key, (int, float), null=null, default=default)

    def text(self, key: str, *, null: bool = False, default: object = MISSING) -> Any:
        return self.value(key, str, null=null, default=default)

    def mapping(self, key: str, *, null: bool = False, default: object = MISSING) -> Any:
        """The object at `key` as Fields (None when null and allowed)."""
        got = self.value(key, Mapping, null=null, default=default)
        return None if got is None else Fields(got, f"{self.where}{key}.")

    def items(self, key: str, *, default: object = MISSING) -> list[Fields]:
        """The list of objects at `key`."""
        got = self.value(key, list, default=default)
        out: list[Fields] = []
        for i, item in enumerate(got):
            if not isinstance(item, Mapping):
                raise self.invalid(f"{key}[{i}]", item, "an object")
            out.append(Fields(item, f"{self.where}{key}[{i}]."))
        return out

    def texts(self, key: str, *, default: object = MISSING) -> list[str]:
        got = self.value(key, list, default=default)
        if not all(isinstance(t, str) for t in got):
            raise self.invalid(key, got, "a list of strings")
        return list(got)


def architecture(f: Fields, key: str) -> Architecture:
    value = f.text(key)
    try:
        return Architecture(value)
    except ValueError:
        raise f.invalid(key, value, "x86_64 or arm64") from None


def configuration(f: Fields) -> Configuration:
    return Configuration(f.integer("memory_mb"), architecture(f, "architecture"))


def strategy(f: Fields) -> StrategySpec:
    """A strategy as written by `strategy_to_json`; parameters it lacks take their defaults."""
    name = f.text("name")
    try:
        parsed = StrategyName(name)
    except ValueError:
        allowed = ", ".join(s.value for s in StrategyName)
        raise f.invalid("name", name, f"one of {allowed}") from None
    default = StrategySpec()
    return StrategySpec(
        name=parsed,
        balanced_weight=f.number("balanced_weight", default=default.balanced_weight),
        latency_budget_ms=f.number("latency_budget_ms", null=True, default=None),
        latency_percentile=f.integer("latency_percentile", default=default.latency_percentile),
        cost_budget_usd=f.number("cost_budget_usd", null=True, default=None),
    )
