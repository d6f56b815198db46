"""The items API imports only what its Lambda zip ships or the Lambda runtime provides."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app" / "src" / "items_api"
PROVIDED_BY_LAMBDA = {"boto3", "botocore"}
PACKAGED = {"aws_lambda_powertools"}  # app/requirements.txt
TYPING_ONLY = {"mypy_boto3_dynamodb"}  # under TYPE_CHECKING, never imported at run time


def _top_level_imports(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_app_imports_nothing_the_zip_lacks() -> None:
    allowed = set(sys.stdlib_module_names) | PROVIDED_BY_LAMBDA | PACKAGED | TYPING_ONLY
    allowed |= {"items_api", "__future__"}
    found = {path.name: _top_level_imports(path.read_text()) - allowed for path in APP.glob("*.py")}
    assert {name: extra for name, extra in found.items() if extra} == {}
    assert "powertune" not in set().union(
        *(_top_level_imports(p.read_text()) for p in APP.glob("*.py"))
    )


def test_packaged_dependencies_are_pinned() -> None:
    lines = (APP.parents[1] / "requirements.txt").read_text().splitlines()
    pins = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert pins and all("==" in pin for pin in pins)
    assert any(pin.startswith("aws-lambda-powertools==") for pin in pins)
    # Provided by the runtime; packaging them would only grow the zip.
    assert not [pin for pin in pins if pin.startswith(("boto3", "botocore"))]
