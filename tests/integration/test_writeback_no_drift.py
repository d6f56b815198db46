"""The Terraform write-back leaves no drift: deploy, apply a new size, `local plan` is clean.

The stack is deployed to its own local cloud at 1024 MB (`--var memory_size=1024`)
from a copy of infra/terraform whose memory.auto.tfvars.json says otherwise, so
`powertune local plan` first reports drift (exit 2). `powertune apply --memory 512
--terraform-dir COPY` changes the function and writes the tfvars; then the plan of
the folder as it is shows no change (exit 0), and overriding the old size shows one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import LocalCloudHandle

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.integration]


def powertune(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "powertune"), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )


def test_apply_with_write_back_then_plan_shows_no_drift(
    start_local_cloud: Callable[..., LocalCloudHandle], tmp_path: Path
) -> None:
    cloud = start_local_cloud()
    env = {**os.environ, "POWERTUNE_STATE_DIR": str(tmp_path / "journals")}
    state = ["--state-dir", str(cloud.state_dir)]
    stack = tmp_path / "terraform"
    shutil.copytree(ROOT / "infra" / "terraform", stack)
    (stack / "memory.auto.tfvars.json").write_text(json.dumps({"memory_size": 256}))
    deployed = powertune(
        "local",
        "deploy",
        *state,
        "--terraform-dir",
        str(stack),
        "--var",
        "memory_size=1024",
        env=env,
    )
    assert deployed.returncode == 0, deployed.stderr[-4000:]
    function = json.loads(deployed.stdout)["function_name"]
    try:
        plan = powertune("local", "plan", *state, "--terraform-dir", str(stack), env=env)
        assert plan.returncode == 2, plan.stderr[-3000:]
        assert "memory_size" in plan.stdout
        applied = powertune(
            "apply",
            function,
            "--memory",
            "512",
            "--local",
            "--local-state-dir",
            str(cloud.state_dir),
            "--terraform-dir",
            str(stack),
            "--output",
            str(tmp_path / "history"),
            env=env,
        )
        assert applied.returncode == 0, applied.stderr[-3000:]
        assert json.loads((stack / "memory.auto.tfvars.json").read_text()) == {"memory_size": 512}
        plan = powertune("local", "plan", *state, "--terraform-dir", str(stack), env=env)
        assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
        assert "no changes" in plan.stderr
        plan = powertune(
            "local",
            "plan",
            *state,
            "--terraform-dir",
            str(stack),
            "--var",
            "memory_size=1024",
            env=env,
        )
        assert plan.returncode == 2, plan.stderr[-3000:]
    finally:
        destroyed = powertune("local", "destroy", *state, env=env)
        assert destroyed.returncode == 0, destroyed.stderr[-3000:]


def test_plan_without_a_deploy_is_an_error_that_says_what_to_do(
    start_local_cloud: Callable[..., LocalCloudHandle], tmp_path: Path
) -> None:
    cloud = start_local_cloud()
    plan = powertune("local", "plan", "--state-dir", str(cloud.state_dir), env=dict(os.environ))
    assert plan.returncode == 2
    assert "run 'powertune local deploy' first" in plan.stderr
