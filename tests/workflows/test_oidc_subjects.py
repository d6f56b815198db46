"""The OIDC subjects infra/terraform trusts are exactly the ones tune.yml's jobs present.

GitHub puts `repo:OWNER/REPO:environment:NAME` in the token of a job bound to
an environment (no branch in it), and `repo:OWNER/REPO:ref:refs/heads/BRANCH`
otherwise. Terraform computes the trusted list (`local.github_subjects`), so
it is read from `terraform console`, not re-derived here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from workflow_files import ROOT, TUNE, load

from powertune.reference.deploy import BACKEND_OVERRIDE
from powertune.reference.terraform import Terraform

pytestmark = pytest.mark.integration

STACK = ROOT / "infra" / "terraform"
OWNER, REPO = "octo-org", "powertune"
AWS_ACTION = "aws-actions/configure-aws-credentials"


@pytest.fixture(scope="module")
def trusted(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    workdir = tmp_path_factory.mktemp("oidc-console")
    for source in [*STACK.glob("*.tf"), STACK / "memory.auto.tfvars.json"]:
        shutil.copy2(source, workdir / source.name)
    (workdir / "backend_override.tf").write_text(BACKEND_OVERRIDE)
    tf = Terraform.in_directory(workdir)
    tf.init()
    proc = subprocess.run(
        [
            tf.binary,
            "console",
            "-no-color",
            f"-var=github_owner={OWNER}",
            f"-var=github_repository={REPO}",
        ],
        input="jsonencode(local.github_subjects)\n",
        capture_output=True,
        text=True,
        check=False,
        cwd=workdir,
        env=dict(tf.env),
    )
    assert proc.returncode == 0, proc.stderr
    subjects: list[str] = json.loads(json.loads(proc.stdout.strip()))
    return subjects


def _presented(workflow: dict[str, Any]) -> dict[str, str]:
    """The subject each role-assuming job presents on a run of main (push or schedule)."""
    triggers = workflow["on"]
    branches = triggers["push"]["branches"]
    assert branches == ["main"]  # and a schedule runs on the default branch, main
    subjects = {}
    for job_id, job in workflow["jobs"].items():
        if not any(str(s.get("uses", "")).startswith(AWS_ACTION + "@") for s in job["steps"]):
            continue
        environment = job.get("environment")
        if isinstance(environment, dict):
            environment = environment["name"]
        if environment:
            subjects[job_id] = f"repo:{OWNER}/{REPO}:environment:{environment}"
        else:
            subjects[job_id] = f"repo:{OWNER}/{REPO}:ref:refs/heads/main"
    return subjects


def test_every_job_that_assumes_a_role_is_trusted(trusted: list[str]) -> None:
    presented = _presented(load(TUNE))
    assert set(presented) == {"deploy", "tune", "decide-auto", "decide-manual", "reports"}
    untrusted = {job: sub for job, sub in presented.items() if sub not in trusted}
    assert untrusted == {}


def test_nothing_else_is_trusted(trusted: list[str]) -> None:
    assert sorted(trusted) == sorted(set(_presented(load(TUNE)).values()))
    assert not any("*" in subject or "?" in subject for subject in trusted)


def test_the_environment_bound_job_is_kept_to_main() -> None:
    # Its subject names no branch: GitHub's environment branch rule is the real guard
    # (docs/github-actions.md); the job's own `if` keeps a dispatch from a branch out too.
    deploy = load(TUNE)["jobs"]["deploy"]
    assert deploy["environment"] == "production"
    assert deploy["if"] == "github.ref == 'refs/heads/main'"


def test_the_check_fails_for_a_job_in_another_environment(trusted: list[str]) -> None:
    workflow = load(TUNE)
    workflow["jobs"]["tune"]["environment"] = "staging"
    presented = _presented(workflow)
    assert presented["tune"] not in trusted
