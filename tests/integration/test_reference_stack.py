"""The reference stack on the local cloud: deploy, no drift, Newman, schemathesis, destroy.

`powertune local deploy` packages the app and applies infra/terraform to the
session's local cloud, where the Lambda really runs (awslambdaric processes)
behind the API Gateway data plane. Then: a second plan must report no changes,
the Postman collection must pass under Newman, schemathesis must find nothing
against openapi.yaml, and `powertune local destroy` must remove it all. The
tests share one deployment (conftest.py's `reference_stack`, with
test_loadtest_local.py), so they run in order on one xdist worker.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from powertune.reference.deploy import LocalTarget, plan_has_changes

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "infra" / "terraform"
BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("reference_stack")]


def _powertune(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "powertune"), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=dict(os.environ),
    )


@pytest.fixture(scope="module")
def target(local_cloud: Any) -> LocalTarget:
    return LocalTarget(local_cloud.endpoint_url, local_cloud.region, local_cloud.state_dir)


@pytest.fixture(scope="module")
def stack(reference_stack: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`powertune local deploy` of infra/terraform (conftest.py: shared with the load test)."""
    return reference_stack()


def test_outputs_point_at_the_local_cloud(stack: dict[str, Any], target: LocalTarget) -> None:
    api, stage = stack["api_id"], stack["stage_name"]
    assert stack["invoke_url"] == f"{target.endpoint_url}/restapis/{api}/{stage}/_user_request_"
    assert stack["aws_invoke_url"].startswith(f"https://{api}.execute-api.")
    assert stack["function_arn"].endswith(f":function:{stack['function_name']}")
    for key in ("table_name", "bucket", "deploy_role_arn", "tuning_role_arn"):
        assert stack[key], key


def test_user_tree_stays_clean(stack: dict[str, Any]) -> None:
    leftovers = [
        p.name
        for p in STACK.iterdir()
        if p.name in {".terraform", "backend_override.tf", "provider_override.tf"}
        or p.suffix in {".tfstate", ".zip"}
    ]
    assert leftovers == []


def test_function_memory_comes_from_the_tfvars_file(
    stack: dict[str, Any], boto3_client: Callable[..., Any]
) -> None:
    want = json.loads((STACK / "memory.auto.tfvars.json").read_text())["memory_size"]
    config = boto3_client("lambda").get_function_configuration(FunctionName=stack["function_name"])
    assert config["MemorySize"] == want
    assert config["Runtime"] == "python3.11"


def test_plan_after_apply_reports_no_changes(stack: dict[str, Any], target: LocalTarget) -> None:
    changes, plan = plan_has_changes(target)
    assert not changes, plan[-4000:]


def test_newman_collection_passes(stack: dict[str, Any], tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(ROOT / "scripts" / "newman-run.sh"), stack["invoke_url"], str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHON": sys.executable},
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    names = sorted(p.suffix for p in tmp_path.iterdir())
    assert names == [".html", ".json", ".md", ".xml"]
    summary = next(tmp_path.glob("newman-*.md")).read_text()
    assert summary.startswith("# Newman run: PASSED")
    run = json.loads(next(tmp_path.glob("newman-*.json")).read_text())["run"]
    assert run["stats"]["assertions"]["failed"] == 0
    assert run["stats"]["assertions"]["total"] >= 50


def test_schemathesis_finds_no_failures(stack: dict[str, Any], tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "--config-file",
            str(ROOT / "tests" / "integration" / "items_api_schemathesis.toml"),
            "run",
            str(ROOT / "openapi.yaml"),
            "--url",
            stack["invoke_url"],
            "--max-examples",
            "25",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,  # keeps Hypothesis' example database out of the tree
    )
    assert proc.returncode == 0, proc.stdout[-8000:]
    # "N generated, N passed" (a warning such as "only 404 responses" for random ids may follow).
    assert re.search(r"(\d+) generated, \1 passed", proc.stdout), proc.stdout[-3000:]


def test_destroy_removes_the_stack(
    stack: dict[str, Any], target: LocalTarget, boto3_client: Callable[..., Any]
) -> None:
    proc = _powertune("local", "destroy", "--state-dir", str(target.state_dir))
    assert proc.returncode == 0, proc.stderr[-4000:]
    functions = boto3_client("lambda").list_functions()["Functions"]
    assert stack["function_name"] not in {f["FunctionName"] for f in functions}
    assert stack["table_name"] not in boto3_client("dynamodb").list_tables()["TableNames"]
    assert not target.workdir.exists()
