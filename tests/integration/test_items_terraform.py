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

from powertune.reference.deploy import BACKEND_OVERRIDE
from powertune.reference.terraform import Terraform

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


@pytest.fixture(scope="module")
def console_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised copy of the stack with local state, for `terraform console`."""
    workdir = tmp_path_factory.mktemp("tf-console")
    for source in [*STACK.glob("*.tf"), STACK / "memory.auto.tfvars.json"]:
        shutil.copy2(source, workdir / source.name)
    (workdir / "backend_override.tf").write_text(BACKEND_OVERRIDE)
    Terraform.in_directory(workdir).init()
    return workdir


def _console(workdir: Path, expression: str, *variables: str) -> subprocess.CompletedProcess[str]:
    tf = Terraform.in_directory(workdir)
    return subprocess.run(
        [tf.binary, "console", "-no-color", *(f"-var={v}" for v in variables)],
        input=expression + "\n",
        capture_output=True,
        text=True,
        check=False,
        cwd=workdir,
        env=dict(tf.env),
    )


def test_trust_policy_subjects_are_exact_in_both_forms(console_dir: Path) -> None:
    expression = 'join(" ", local.github_subjects)'
    classic = _console(console_dir, expression, "github_owner=octo-org", "github_repository=app")
    assert classic.returncode == 0, classic.stderr
    assert classic.stdout.strip().strip('"').split() == [
        "repo:octo-org/app:ref:refs/heads/main",
        "repo:octo-org/app:environment:production",
    ]
    both = _console(
        console_dir,
        expression,
        "github_owner=octo-org",
        "github_repository=app",
        "github_owner_id=123",
        "github_repository_id=456",
    )
    assert both.returncode == 0, both.stderr
    assert both.stdout.strip().strip('"').split()[2:] == [
        "repo:octo-org@123/app@456:ref:refs/heads/main",
        "repo:octo-org@123/app@456:environment:production",
    ]


@pytest.mark.parametrize(
    "variable", ["github_owner=*", "github_repository=*", "github_owner_id=12a", "memory_size=64"]
)
def test_wildcards_and_bad_values_are_rejected(console_dir: Path, variable: str) -> None:
    # `terraform console` reports failed variable validations but may still exit 0.
    proc = _console(console_dir, "var." + variable.split("=")[0], variable)
    assert "Invalid value for variable" in proc.stdout + proc.stderr
