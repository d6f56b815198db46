"""Static checks of infra/terraform: `terraform fmt -check`, `terraform validate`, checkov.

Terraform must be installed (a missing binary or provider is a failure with a
message, never a skip). With POWERTUNE_TF_CLI_CONFIG set (the Makefile does),
providers come from the offline mirror it names. checkov runs from its own
virtual environment under build/, created here from requirements/checkov.txt
when missing, because its pins clash with the project's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from powertune.localcloud.terraform import Terraform

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "infra" / "terraform"
CHECKOV_VENV = ROOT / "build" / "checkov-venv"
CHECKOV_REQUIREMENTS = ROOT / "requirements" / "checkov.txt"

pytestmark = pytest.mark.integration


def test_terraform_files_are_formatted() -> None:
    unformatted = Terraform.in_directory(STACK).fmt_check()
    assert unformatted == [], f"run 'terraform fmt -recursive infra/terraform': {unformatted}"


def test_terraform_validates(tmp_path: Path) -> None:
    # Validate a copy: init writes .terraform/ and a lock file we keep out of the tree.
    for source in STACK.glob("*.tf"):
        shutil.copy2(source, tmp_path / source.name)
    tf = Terraform.in_directory(tmp_path)
    tf.init(backend=False)
    tf.validate()
    assert (tmp_path / ".terraform").is_dir()


def test_memory_tfvars_feed_the_function() -> None:
    tfvars = json.loads((STACK / "memory.auto.tfvars.json").read_text())
    assert 128 <= tfvars["memory_size"] <= 10240
    assert "memory_size = var.memory_size" in (STACK / "lambda.tf").read_text()


def _checkov() -> Path:
    """checkov from build/checkov-venv, (re)installed when requirements/checkov.txt changed."""
    stamp = CHECKOV_VENV / ".requirements-sha256"
    want = hashlib.sha256(CHECKOV_REQUIREMENTS.read_bytes()).hexdigest()
    binary = CHECKOV_VENV / "bin" / "checkov"
    if not (binary.exists() and stamp.is_file() and stamp.read_text() == want):
        venv.EnvBuilder(with_pip=True, clear=True).create(CHECKOV_VENV)
        pip = [str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        proc = subprocess.run(
            [*pip, "--disable-pip-version-check", "-r", str(CHECKOV_REQUIREMENTS)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, f"installing checkov failed:\n{proc.stderr[-3000:]}"
        stamp.write_text(want)
    return binary


def test_checkov_passes_with_the_documented_skip_list() -> None:
    config = STACK / ".checkov.yaml"
    proc = subprocess.run(
        [str(_checkov()), "--config-file", str(config), "-d", str(STACK), "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    report = json.loads(proc.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = [
        f"{c['check_id']} {c['resource']}: {c['check_name']}"
        for c in report["results"]["failed_checks"]
    ]
    assert failed == [], "\n".join(failed)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 100
    assert proc.returncode == 0
