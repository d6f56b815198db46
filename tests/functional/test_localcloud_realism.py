"""Switchable control-plane realism: InProgress updates, 409 conflicts and 429 throttling."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from powertune.localcloud.realism import RealismSettings
from powertune.localcloud.supervisor import LocalCloud

SOURCE = "def handler(event, context):\n    return event\n"


def _client(cloud: LocalCloud, service: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=cloud.endpoint_url,
        region_name=cloud.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def _function(cloud: LocalCloud) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", SOURCE)
    role = _client(cloud, "iam").create_role(
        RoleName=f"r-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    name = f"fn-{uuid.uuid4().hex[:8]}"
    _client(cloud, "lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
    )
    return name


@pytest.fixture(scope="module")
def slow_updates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    state: Path = tmp_path_factory.mktemp("realism-updates")
    with LocalCloud.start(
        state_dir=state, realism=RealismSettings(update_in_progress_s=1.5)
    ) as cloud:
        yield cloud


@pytest.fixture(scope="module")
def rate_limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    state: Path = tmp_path_factory.mktemp("realism-rate")
    with LocalCloud.start(state_dir=state, realism=RealismSettings(control_plane_rps=3)) as cloud:
        yield cloud


@pytest.fixture(scope="module")
def slow_creates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    state: Path = tmp_path_factory.mktemp("realism-creates")
    with LocalCloud.start(state_dir=state, realism=RealismSettings(create_pending_s=1.5)) as cloud:
        yield cloud


def test_new_function_is_pending_until_active(slow_creates: LocalCloud) -> None:
    name = _function(slow_creates)
    lam = _client(slow_creates, "lambda")
    configuration = lam.get_function_configuration(FunctionName=name)
    assert (configuration["State"], configuration["StateReasonCode"]) == ("Pending", "Creating")
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName=name)
    error = caught.value.response
    assert error["Error"]["Code"] == "ResourceConflictException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert error["Error"]["Message"].endswith("currently in the following state: Pending")
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    assert lam.get_function(FunctionName=name)["Configuration"]["State"] == "Active"
    assert lam.invoke(FunctionName=name, Payload=b"{}")["StatusCode"] == 200


def test_update_stays_in_progress_and_a_second_update_conflicts(slow_updates: LocalCloud) -> None:
    name = _function(slow_updates)
    lam = _client(slow_updates, "lambda")
    lam.update_function_configuration(FunctionName=name, MemorySize=512)
    assert lam.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "InProgress"
    assert lam.get_function(FunctionName=name)["Configuration"]["LastUpdateStatus"] == "InProgress"
    with pytest.raises(ClientError) as caught:
        lam.update_function_configuration(FunctionName=name, MemorySize=1024)
    error = caught.value.response
    assert error["Error"]["Code"] == "ResourceConflictException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert error["Error"]["Message"] == (
        "The operation cannot be performed at this time. An update is in progress for "
        f"resource: arn:aws:lambda:us-east-1:123456789012:function:{name}"
    )
    lam.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    configuration = lam.get_function_configuration(FunctionName=name)
    assert configuration["LastUpdateStatus"] == "Successful"
    assert configuration["MemorySize"] == 512
    lam.update_function_configuration(FunctionName=name, MemorySize=1024)  # no conflict now


def test_invoke_works_while_an_update_is_in_progress(slow_updates: LocalCloud) -> None:
    name = _function(slow_updates)
    lam = _client(slow_updates, "lambda")
    lam.update_function_configuration(FunctionName=name, MemorySize=256)
    assert lam.invoke(FunctionName=name, Payload=b'{"x": 1}')["Payload"].read() == b'{"x": 1}'


def test_too_many_control_plane_requests_get_429(rate_limited: LocalCloud) -> None:
    name = _function(rate_limited)
    lam = _client(rate_limited, "lambda")
    codes = []
    for _ in range(20):
        try:
            lam.get_function_configuration(FunctionName=name)
            codes.append("ok")
        except ClientError as exc:
            codes.append(exc.response["Error"]["Code"])
            assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert "TooManyRequestsException" in codes
    # Invoke is not a control-plane call and is never rate limited this way.
    assert lam.invoke(FunctionName=name)["StatusCode"] == 200


def test_start_local_cloud_fixture_gives_an_isolated_realistic_instance(
    start_local_cloud: Any, local_cloud: Any
) -> None:
    extra = start_local_cloud(realism=RealismSettings(update_in_progress_s=5.0))
    assert extra.endpoint_url != local_cloud.endpoint_url
    status = httpx.get(f"{extra.endpoint_url}/_powertune/status").json()
    assert status["realism"]["update_in_progress_s"] == 5.0
