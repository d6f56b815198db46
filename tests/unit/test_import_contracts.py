"""The import-linter contracts name every package of the tool, new ones included.

import-linter's `forbidden` contracts list what a package must not import. A package
added to `src/powertune` later would slip past them unless it is added to the lists;
this test fails until it is (or until it is named as allowed).
"""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import pytest

import powertune

ROOT = Path(__file__).resolve().parents[2]

# What each neutral source may import of the tool (besides itself).
ALLOWED = {
    "powertune.localcloud": {"powertune.apigw", "powertune.lambda_model", "powertune.errors"},
    "powertune.apigw": {"powertune.errors"},
    "powertune.lambda_model": set(),
}


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _top_level_modules() -> set[str]:
    return {f"powertune.{m.name}" for m in pkgutil.iter_modules(powertune.__path__)}


@pytest.mark.parametrize("source", sorted(ALLOWED))
def test_every_other_package_is_forbidden_to_the_neutral_ones(source: str) -> None:
    contracts = [c for c in _contracts() if source in c.get("source_modules", [])]  # type: ignore[operator]
    assert contracts, f"no forbidden contract has {source} as a source"
    forbidden = {m for c in contracts for m in c["forbidden_modules"]}  # type: ignore[attr-defined]
    missing = _top_level_modules() - forbidden - ALLOWED[source] - {source}
    assert missing == set(), f"add {sorted(missing)} to the forbidden modules of {source}"


def test_only_the_cli_and_the_reference_stack_may_import_the_local_cloud() -> None:
    (protected,) = [c for c in _contracts() if c["type"] == "protected"]
    assert protected["protected_modules"] == ["powertune.localcloud"]
    assert set(protected["allowed_importers"]) == {"powertune.cli", "powertune.reference"}  # type: ignore[arg-type]
