"""Lambda RevisionIds on the local cloud, and powertune's protection that relies on them.

moto does not implement RevisionId for functions; the front door does
(`localcloud/lambda_plane/revisions.py`). Everything goes through boto3 against a real
local cloud.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from powertune.backends.aws import AwsBackend
from powertune.clock import ManualClock
from powertune.localcloud.lambda_plane.revisions import RevisionBook
from powertune.localcloud.realism import RealismSettings
from powertune.tuning.engine import Tuner, TuningRun
from powertune.tuning.models import Architecture, Payload, StrategySpec
from powertune.tuning.plan import build_plan
from powertune.tuning.sampling import FixedSampling

SOURCE = "def handler(event, context):\n    return {'ok': True}\n"
OTHER_SOURCE = "def handler(event, context):\n    return {'ok': False}\n"
STALE_MESSAGE = (
    "The Revision Id provided does not match the latest Revision Id. Call the "
    "GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def make_client(service: str, endpoint_url: str, region: str) -> Any:
    """A client of its own (its own connections), without retries."""
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def _create(lam: Any, role: str, package: bytes, memory_mb: int = 128) -> tuple[str, str]:
    """A new function: (name, RevisionId from CreateFunction's response)."""
    name = f"rev-{uuid.uuid4().hex[:10]}"
    created = lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package},
        MemorySize=memory_mb,
    )
    return name, str(created["RevisionId"])


def _assert_stale(error: pytest.ExceptionInfo[ClientError]) -> None:
    response = error.value.response
    assert response["Error"]["Code"] == "PreconditionFailedException"
    assert response["Error"]["Message"] == STALE_MESSAGE
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 412


@pytest.fixture
def lam(boto3_client: Callable[..., Any]) -> Any:
    return boto3_client("lambda")


@pytest.fixture
def package(zip_package: Callable[[dict[str, str]], bytes]) -> bytes:
    return zip_package({"app.py": SOURCE})


def test_revision_id_is_reported_everywhere_and_changes_with_every_change(
    lam: Any, lambda_role: str, package: bytes, zip_package: Callable[[dict[str, str]], bytes]
) -> None:
    name, created = _create(lam, lambda_role, package)
    uuid.UUID(created)  # a UUID, as on AWS
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] == created
    assert lam.get_function(FunctionName=name)["Configuration"]["RevisionId"] == created

    configured = lam.update_function_configuration(FunctionName=name, MemorySize=256)
    assert configured["RevisionId"] not in ("", created)
    assert (
        lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]
        == (configured["RevisionId"])
    )

    coded = lam.update_function_code(
        FunctionName=name, ZipFile=zip_package({"app.py": OTHER_SOURCE})
    )
    assert coded["RevisionId"] not in (created, configured["RevisionId"])
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] == coded["RevisionId"]

    listed = {f["FunctionName"]: f for f in lam.list_functions()["Functions"]}
    assert listed[name]["RevisionId"] == coded["RevisionId"]
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [(v["Version"], v["RevisionId"]) for v in versions] == [("$LATEST", coded["RevisionId"])]


def test_stale_revision_id_is_refused_with_412_and_changes_nothing(
    lam: Any, lambda_role: str, package: bytes, zip_package: Callable[[dict[str, str]], bytes]
) -> None:
    name, stale = _create(lam, lambda_role, package)
    current = lam.update_function_configuration(FunctionName=name, MemorySize=256)["RevisionId"]
    before = lam.get_function_configuration(FunctionName=name)

    with pytest.raises(ClientError) as configuration_error:
        lam.update_function_configuration(FunctionName=name, MemorySize=1024, RevisionId=stale)
    _assert_stale(configuration_error)
    with pytest.raises(ClientError) as code_error:
        lam.update_function_code(
            FunctionName=name, ZipFile=zip_package({"app.py": OTHER_SOURCE}), RevisionId=stale
        )
    _assert_stale(code_error)

    after = lam.get_function_configuration(FunctionName=name)
    assert after["MemorySize"] == 256
    assert after["CodeSha256"] == before["CodeSha256"]
    assert after["RevisionId"] == current


def test_current_revision_id_is_accepted(lam: Any, lambda_role: str, package: bytes) -> None:
    name, created = _create(lam, lambda_role, package)
    updated = lam.update_function_configuration(
        FunctionName=name, MemorySize=512, RevisionId=created
    )
    assert updated["MemorySize"] == 512
    again = lam.update_function_configuration(
        FunctionName=name, Timeout=10, RevisionId=updated["RevisionId"]
    )
    assert (again["MemorySize"], again["Timeout"]) == (512, 10)
    assert again["RevisionId"] != updated["RevisionId"]


def test_publish_version_checks_the_revision_id_and_versions_keep_their_own(
    lam: Any, lambda_role: str, package: bytes
) -> None:
    name, stale = _create(lam, lambda_role, package)
    current = lam.update_function_configuration(FunctionName=name, MemorySize=256)["RevisionId"]

    with pytest.raises(ClientError) as error:
        lam.publish_version(FunctionName=name, RevisionId=stale)
    _assert_stale(error)
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]] == [
        "$LATEST"
    ]

    published = lam.publish_version(FunctionName=name, RevisionId=current)
    assert published["Version"] == "1"
    version_revision = published["RevisionId"]
    assert version_revision not in ("", current)
    lam.update_function_configuration(FunctionName=name, MemorySize=512)
    # A published version's RevisionId is fixed at publish.
    pinned = lam.get_function_configuration(FunctionName=name, Qualifier="1")
    assert (pinned["MemorySize"], pinned["RevisionId"]) == (256, version_revision)
    listed = {
        v["Version"]: v["RevisionId"]
        for v in lam.list_versions_by_function(FunctionName=name)["Versions"]
    }
    assert listed["1"] == version_revision
    assert listed["$LATEST"] == lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]


def test_concurrent_updates_with_the_same_revision_id_let_exactly_one_through(
    local_cloud: Any, lambda_role: str, package: bytes
) -> None:
    clients = [make_client("lambda", local_cloud.endpoint_url, local_cloud.region) for _ in "ab"]
    name, revision = _create(clients[0], lambda_role, package)
    start = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def update(memory_mb: int, client: Any) -> None:
        start.wait()
        try:
            client.update_function_configuration(
                FunctionName=name, MemorySize=memory_mb, RevisionId=revision
            )
            outcomes[memory_mb] = "ok"
        except ClientError as exc:
            outcomes[memory_mb] = exc.response["Error"]["Code"]

    threads = [
        threading.Thread(target=update, args=(memory_mb, client))
        for memory_mb, client in zip((256, 512), clients, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["PreconditionFailedException", "ok"]
    winner = next(m for m, outcome in outcomes.items() if outcome == "ok")
    assert clients[0].get_function_configuration(FunctionName=name)["MemorySize"] == winner


def test_unknown_function_is_404_not_412(lam: Any) -> None:
    with pytest.raises(ClientError) as error:
        lam.update_function_configuration(
            FunctionName=f"missing-{uuid.uuid4().hex[:8]}", MemorySize=256, RevisionId="x"
        )
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_recreated_function_gets_a_new_revision_id(
    lam: Any, lambda_role: str, package: bytes
) -> None:
    name, first = _create(lam, lambda_role, package)
    lam.delete_function(FunctionName=name)
    recreated = lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=lambda_role,
        Handler="app.handler",
        Code={"ZipFile": package},
    )["RevisionId"]
    assert recreated != first
    with pytest.raises(ClientError) as error:
        lam.update_function_configuration(FunctionName=name, MemorySize=256, RevisionId=first)
    _assert_stale(error)


# --- powertune's own protection, end to end ---------------------------------------------


class DeployAfterPrepare(AwsBackend):
    """The AWS adapter; once the tuner has created its last alias, someone else deploys."""

    def __init__(self, client: Any, deploy: Callable[[], None] | None, aliases: int) -> None:
        super().__init__(client)
        self._deploy = deploy
        self._aliases_left = aliases

    def create_alias(self, function_name: str, alias: str, version: str) -> None:
        super().create_alias(function_name, alias, version)
        self._aliases_left -= 1
        if self._aliases_left == 0 and self._deploy is not None:
            self._deploy()  # between the tuner's prepare phase and its restore


def _tune(cloud: Any, name: str, deploy: Callable[[], None] | None) -> TuningRun:
    sizes = (256, 512)
    plan = build_plan(
        function=name,
        memory_sizes=sizes,
        architectures=(Architecture.X86_64,),
        payloads=(Payload(b"{}"),),
        strategy=StrategySpec(),
        sampling="fixed(1)",
        max_invocations=2 * len(sizes),
        scratch_copy=False,
        run_id=uuid.uuid4().hex[:8],
        seed=7,
    )
    backend = DeployAfterPrepare(
        make_client("lambda", cloud.endpoint_url, cloud.region), deploy, len(sizes)
    )
    return Tuner(plan, backend, FixedSampling(1, seed=7), clock=ManualClock()).run()


def _leftovers(lam: Any, name: str) -> tuple[list[str], list[str]]:
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    aliases = [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]]
    return versions, aliases


def test_tuner_restores_latest_when_nobody_deploys(
    local_cloud: Any, lam: Any, lambda_role: str, package: bytes
) -> None:
    name, _ = _create(lam, lambda_role, package, memory_mb=1024)
    result = _tune(local_cloud, name, deploy=None)
    assert result.warnings == ()
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == 1024
    assert _leftovers(lam, name) == (["$LATEST"], [])


def test_tuner_leaves_a_mid_run_deploy_alone(
    local_cloud: Any, lam: Any, lambda_role: str, package: bytes
) -> None:
    name, _ = _create(lam, lambda_role, package, memory_mb=1024)
    deployer = make_client("lambda", local_cloud.endpoint_url, local_cloud.region)

    def deploy() -> None:
        deployer.update_function_configuration(FunctionName=name, MemorySize=2048)

    result = _tune(local_cloud, name, deploy)
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == 2048
    assert any("changed during the run" in w for w in result.warnings), result.warnings
    assert _leftovers(lam, name) == (["$LATEST"], [])


def test_publish_can_change_latest_revision_id_when_asked(
    start_local_cloud: Callable[..., Any], package: bytes
) -> None:
    cloud = start_local_cloud(realism=RealismSettings(publish_changes_revision=True))
    lam = make_client("lambda", cloud.endpoint_url, cloud.region)
    role = make_client("iam", cloud.endpoint_url, cloud.region).create_role(
        RoleName="rev-role", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    name, created = _create(lam, role, package)
    published = lam.publish_version(FunctionName=name, RevisionId=created)
    latest = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    assert latest not in (created, published["RevisionId"])
    with pytest.raises(ClientError) as error:
        lam.update_function_configuration(FunctionName=name, MemorySize=256, RevisionId=created)
    _assert_stale(error)


def test_tuner_restores_latest_when_publish_changes_the_revision_id(
    start_local_cloud: Callable[..., Any], package: bytes
) -> None:
    cloud = start_local_cloud(realism=RealismSettings(publish_changes_revision=True))
    lam = make_client("lambda", cloud.endpoint_url, cloud.region)
    role = make_client("iam", cloud.endpoint_url, cloud.region).create_role(
        RoleName="rev-role", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    name, _ = _create(lam, role, package, memory_mb=1024)
    result = _tune(cloud, name, deploy=None)
    assert result.warnings == ()
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == 1024


def test_a_version_listed_while_being_published_keeps_the_id_readers_saw() -> None:
    # Pure: a read can list a new version before PublishVersion's own bookkeeping runs.
    ids = iter(["read", "latest-after-publish", "unused"])
    book = RevisionBook(publish_changes_latest=True, new_id=lambda: next(ids))
    assert book.of("r", "fn", "1") == "read"
    assert book.published("r", "fn", "1") == "read"
    assert book.current("r", "fn") == "latest-after-publish"
    assert book.published("r", "fn", "1") == "read"  # returned again: nothing published
    assert book.current("r", "fn") == "latest-after-publish"
    book.deleted("r", "fn", "1")
    assert book.current("r", "fn", "1") is None
