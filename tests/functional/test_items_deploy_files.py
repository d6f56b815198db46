"""`powertune local deploy` file handling: the working copy, overrides, and a missing terraform."""

from __future__ import annotations

from pathlib import Path

import pytest

from powertune.errors import ConfigError
from powertune.reference.deploy import LocalTarget, prepare_workdir
from powertune.reference.terraform import Terraform, TerraformError

STACK = Path(__file__).resolve().parents[2] / "infra" / "terraform"


def test_working_copy_gets_overrides_and_the_source_stays_clean(tmp_path: Path) -> None:
    before = sorted(p.name for p in STACK.iterdir())
    target = LocalTarget("http://127.0.0.1:9", "us-east-1", tmp_path)
    workdir = prepare_workdir(STACK, target)
    names = {p.name for p in workdir.iterdir()}
    assert {"backend_override.tf", "provider_override.tf", "memory.auto.tfvars.json"} <= names
    assert {p.name for p in STACK.glob("*.tf")} <= names
    assert 'backend "local"' in (workdir / "backend_override.tf").read_text()
    assert sorted(p.name for p in STACK.iterdir()) == before


def test_files_removed_from_the_source_disappear_from_the_copy(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "main.tf").write_text("")
    (source / "old.tf").write_text("")
    target = LocalTarget("http://127.0.0.1:9", "us-east-1", tmp_path / "state")
    workdir = prepare_workdir(source, target)
    (workdir / "terraform.tfstate").write_text("{}")
    (source / "old.tf").unlink()
    prepare_workdir(source, target)
    assert not (workdir / "old.tf").exists()
    assert (workdir / "terraform.tfstate").exists()  # state survives a redeploy


def test_a_folder_without_terraform_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"has no \.tf files"):
        prepare_workdir(tmp_path, LocalTarget("http://x", "us-east-1", tmp_path / "s"))


def test_missing_terraform_binary_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no terraform on PATH
    with pytest.raises(TerraformError, match="'terraform' CLI is not on PATH"):
        Terraform.in_directory(tmp_path)
