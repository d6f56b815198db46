"""The Lambda zip: the app's source plus Powertools, deterministic, without what Lambda provides.

Installs app/requirements.txt with pip for Lambda's platform on first use (then
cached by the file's hash), so it needs the package index once.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from powertune.reference.packaging import package_app

pytestmark = pytest.mark.integration
APP = Path(__file__).resolve().parents[2] / "app"


def test_zip_holds_the_app_and_its_runtime_dependencies(tmp_path: Path) -> None:
    first = package_app(tmp_path / "a.zip", app_dir=APP)
    names = zipfile.ZipFile(first).namelist()
    assert "items_api/handler.py" in names
    assert "aws_lambda_powertools/__init__.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("boto3/", "botocore/"))]  # Lambda provides them


def test_zip_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    # Same bytes -> same source_code_hash -> Terraform sees no change on a rebuild.
    first = package_app(tmp_path / "a.zip", app_dir=APP).read_bytes()
    second = package_app(tmp_path / "b.zip", app_dir=APP).read_bytes()
    assert first == second
