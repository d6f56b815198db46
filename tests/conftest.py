"""Shared fixtures: a real local cloud per xdist worker, boto3 clients pointed at it, and the
reference stack deployed to it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

# Makes pytest.mark.xdist_group keep its tests on one worker on pytest 9.2 (see the module).
pytest_plugins = ["xdist_groups"]


@dataclass(frozen=True)
class LocalCloudHandle:
    """What tests may know about the running local cloud: only how to reach it."""

    endpoint_url: str
    region: str
    state_dir: Path
    cpu_control: str


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudHandle]:
    """One local cloud per xdist worker, on a free port with its own state folder."""
    from powertune.localcloud.supervisor import LocalCloud

    state_dir = tmp_path_factory.mktemp("local-cloud-state")
    cloud = LocalCloud.start(port=0, state_dir=state_dir)
    try:
        yield LocalCloudHandle(cloud.endpoint_url, cloud.region, state_dir, cloud.cpu_control)
    finally:
        cloud.stop()


@pytest.fixture
def start_local_cloud(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., LocalCloudHandle]]:
    """`start_local_cloud(realism=RealismSettings(...))`: an extra instance for one test.

    For tests that need control-plane realism (InProgress updates, 409, 429, Pending) or a
    clean slate; every instance started is stopped after the test.
    """
    from powertune.localcloud.supervisor import LocalCloud

    started: list[LocalCloud] = []

    def start(**options: Any) -> LocalCloudHandle:
        state_dir = tmp_path_factory.mktemp("local-cloud-extra")
        cloud = LocalCloud.start(port=0, state_dir=state_dir, **options)
        started.append(cloud)
        return LocalCloudHandle(cloud.endpoint_url, cloud.region, state_dir, cloud.cpu_control)

    yield start
    for cloud in started:
        cloud.stop()


def make_client(service: str, endpoint_url: str, region: str, **config: Any) -> Any:
    """A boto3 client for a local cloud (any credentials work; no retries unless asked)."""
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": config.pop("max_attempts", 1)}, **config),
    )


@pytest.fixture(scope="session")
def boto3_client(local_cloud: LocalCloudHandle) -> Callable[..., Any]:
    """`boto3_client("lambda")`: a client for the session's local cloud."""

    def build(service: str, **config: Any) -> Any:
        return make_client(service, local_cloud.endpoint_url, local_cloud.region, **config)

    return build


def zip_files(files: dict[str, str]) -> bytes:
    """A deployment package holding these files (also the `zip_package` fixture)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def zip_package() -> Callable[[dict[str, str]], bytes]:
    """`zip_package({"app.py": source})`: a deployment package as bytes."""
    return zip_files


@pytest.fixture(scope="session")
def lambda_role(boto3_client: Callable[..., Any]) -> str:
    """An IAM role ARN functions can be created with."""
    iam = boto3_client("iam")
    return str(
        iam.create_role(RoleName="powertune-test-role", AssumeRolePolicyDocument="{}")["Role"][
            "Arn"
        ]
    )


ROOT = Path(__file__).resolve().parents[1]


def _powertune_local(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "powertune"), "local", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=900,
    )


@pytest.fixture(scope="session")
def reference_stack(local_cloud: LocalCloudHandle) -> Callable[[], dict[str, Any]]:
    """`reference_stack()`: the outputs of infra/terraform deployed to the session's local cloud.

    A deploy costs a minute (a Terraform apply, whose S3 lifecycle waiter alone takes ~40 s),
    so the modules that only need the stack running share one: they are in one xdist group,
    hence on one worker and one local cloud. Deployed on first use, and again if a test
    destroyed it (test_reference_stack.py's destroy test). Whatever is left goes with the
    local cloud and its temporary state folder at the end of the session.
    """
    from powertune.reference.deploy import LocalTarget

    target = LocalTarget(local_cloud.endpoint_url, local_cloud.region, local_cloud.state_dir)
    deployed: dict[str, Any] = {}

    def ensure() -> dict[str, Any]:
        if not deployed or not target.workdir.exists():
            proc = _powertune_local(
                "deploy", "--state-dir", str(local_cloud.state_dir),
                "--terraform-dir", str(ROOT / "infra" / "terraform"),
            )  # fmt: skip
            assert proc.returncode == 0, f"deploy failed:\n{proc.stderr[-4000:]}"
            deployed.clear()
            deployed.update(json.loads(proc.stdout))
        return dict(deployed)

    return ensure
