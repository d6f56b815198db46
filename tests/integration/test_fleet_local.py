"""`powertune fleet` on the local cloud, as a platform team runs it.

The Step Functions module is applied to the session's local cloud; tagged
functions (one of them always failing) and untagged ones are created; one fleet
execution (moto's Distributed Map running the tuner as child workflows) tunes
the tagged ones. Every test checks what a user would: the exit code, the table,
the files per function, and that no temporary version or alias is left anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from powertune.stepfunctions.codec import config_to_json
from powertune.stepfunctions.execution import execution_cost_usd
from powertune.tuning.models import Architecture, Configuration

ROOT = Path(__file__).resolve().parents[2]
HANDLER = ROOT / "benchmarks/tuning_e2e/handlers/cpu_bound.py"
POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]
ORIGINAL_MEMORY_MB = 640
FAILING = "def handler(event, context):\n    raise RuntimeError('always fails')\n"
TUNE = ("--memory", "256,1024", "--invocations", "3", "--payload", '{"rounds": 300}')

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("fleet")]


def _powertune(*args: str, journals: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run(
        [*POWERTUNE, *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**env, "POWERTUNE_STATE_DIR": str(journals), "COLUMNS": "250"},
        check=False,
    )


@pytest.fixture(scope="module")
def deployed(local_cloud: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    journals = tmp_path_factory.mktemp("journals")
    done = _powertune(
        "stepfunctions", "deploy", "--local", "--local-state-dir", str(local_cloud.state_dir),
        "--tag", "powertune-fleet=tests", journals=journals,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    outputs: dict[str, str] = json.loads(done.stdout)
    return outputs


class Fleet:
    """Functions created for one test, under a tag value of its own."""

    def __init__(self, lam: Any, role: str, zip_package: Callable[[dict[str, str]], bytes]):
        self.lam, self.role, self.zip = lam, role, zip_package
        self.tag = f"fleet-{uuid.uuid4().hex[:8]}"

    def create(self, suffix: str, source: str, tags: dict[str, str] | None) -> str:
        name = f"{self.tag}-{suffix}"
        self.lam.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=self.role,
            Handler="app.handler",
            Code={"ZipFile": self.zip({"app.py": source})},
            MemorySize=ORIGINAL_MEMORY_MB,
            Timeout=60,
            Tags={"team": self.tag} if tags is None else tags,
        )
        return name

    def run(self, local_cloud: Any, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return _powertune(
            "fleet", "--tag", f"team={self.tag}", "--local",
            "--local-state-dir", str(local_cloud.state_dir), *TUNE, "--output", str(out), *extra,
            journals=out / "journals",
        )  # fmt: skip

    def left_as_found(self, name: str, memory_mb: int = ORIGINAL_MEMORY_MB) -> None:
        assert self.lam.get_function_configuration(FunctionName=name)["MemorySize"] == memory_mb
        versions = self.lam.list_versions_by_function(FunctionName=name)["Versions"]
        assert [v["Version"] for v in versions] == ["$LATEST"]
        assert self.lam.list_aliases(FunctionName=name)["Aliases"] == []


@pytest.fixture
def fleet(
    boto3_client: Callable[..., Any],
    lambda_role: str,
    zip_package: Callable[[dict[str, str]], bytes],
) -> Fleet:
    return Fleet(boto3_client("lambda"), lambda_role, zip_package)


def _fleet_executions(sfn: Any, arn: str) -> int:
    return len(sfn.list_executions(stateMachineArn=arn)["executions"])


def test_one_execution_tunes_the_tagged_fleet_and_reports_the_failing_one(
    deployed: dict[str, str],
    local_cloud: Any,
    fleet: Fleet,
    boto3_client: Callable[..., Any],
    tmp_path: Path,
) -> None:
    good = [fleet.create(f"ok{i}", HANDLER.read_text(), None) for i in range(2)]
    bad = fleet.create("bad", FAILING, None)
    other = fleet.create("other", HANDLER.read_text(), {"team": "someone-else"})
    bare = fleet.create("bare", HANDLER.read_text(), {})
    untouched = {n: fleet.lam.get_function_configuration(FunctionName=n) for n in (other, bare)}
    sfn = boto3_client("stepfunctions")
    before = _fleet_executions(sfn, deployed["fleet_state_machine_arn"])

    done = fleet.run(local_cloud, tmp_path)

    assert done.returncode == 1, done.stderr[-4000:]
    assert _fleet_executions(sfn, deployed["fleet_state_machine_arn"]) == before + 1
    assert f"{bad}: the tuning execution ended FAILED" in done.stderr
    for name in (*good, bad):
        assert name in done.stdout  # the table names every function
        fleet.left_as_found(name)
    for name, config in untouched.items():
        fleet.left_as_found(name)
        now = fleet.lam.get_function_configuration(FunctionName=name)
        assert now["LastModified"] == config["LastModified"]
        assert now["RevisionId"] == config["RevisionId"]
        assert not (tmp_path / name).exists()
    for name in good:
        [path] = (tmp_path / name).glob("tuning-*.json")
        result = json.loads(path.read_text())
        assert result["function_arn"].endswith(f":function:{name}")
        assert result["settings"]["backend"]["engine"] == "stepfunctions"
        assert result["stateMachine"]["executionCost"] > 0
        assert result["power"] in (256, 1024)
    assert not list((tmp_path / bad).glob("tuning-*.json"))
    [record_path] = tmp_path.glob("fleet-*.json")
    record = json.loads(record_path.read_text())
    status = {f["function"]: f["status"] for f in record["functions"]}
    assert status == {good[0]: "tuned", good[1]: "tuned", bad: "failed"}
    assert record["transitions"] == pytest.approx(
        sum(f["transitions"] for f in record["functions"])
    )
    assert isinstance(record["transitions"], int)
    assert record["executionCost"] == pytest.approx(
        execution_cost_usd(record["transitions"], local_cloud.region)
    )


def test_with_mode_auto_each_function_goes_through_decide(
    deployed: dict[str, str], local_cloud: Any, fleet: Fleet, tmp_path: Path
) -> None:
    names = [fleet.create(f"ok{i}", HANDLER.read_text(), None) for i in range(2)]

    done = fleet.run(local_cloud, tmp_path, "--mode", "auto", "--min-savings", "0%")

    assert done.returncode == 0, done.stderr[-4000:]
    assert "decision" in done.stdout  # the table's column
    assert '"outcome"' not in done.stdout and '"outcome"' in done.stderr  # decide's JSON
    for name in names:
        [decision_path] = (tmp_path / name).glob("decision-*.json")
        decision = json.loads(decision_path.read_text())
        [result_path] = (tmp_path / name).glob("tuning-*.json")
        assert decision["result_file"] == str(result_path)
        expected = ORIGINAL_MEMORY_MB
        if decision["outcome"] == "applied":
            expected = decision["decision"]["recommended_memory_mb"]
            assert list((tmp_path / name).glob("apply-*.json"))
        live = fleet.lam.get_function_configuration(FunctionName=name)["MemorySize"]
        assert live == expected
        assert fleet.lam.list_aliases(FunctionName=name)["Aliases"] == []


def test_a_fleet_execution_that_fails_is_swept_by_the_command(
    deployed: dict[str, str], local_cloud: Any, fleet: Fleet, tmp_path: Path
) -> None:
    # The tuner's state machine given as the fleet's: its execution fails on the input,
    # and the command sweeps every function itself.
    name = fleet.create("ok", HANDLER.read_text(), None)
    done = fleet.run(local_cloud, tmp_path, "--state-machine-arn", deployed["state_machine_arn"])
    assert done.returncode == 1
    assert "every function was swept clean" in done.stderr
    fleet.left_as_found(name)


def test_the_sweep_removes_what_a_stopped_child_left(
    deployed: dict[str, str], local_cloud: Any, fleet: Fleet
) -> None:
    from powertune.backends.aws import AwsBackend
    from powertune.stepfunctions.codec import PolicySpec
    from powertune.stepfunctions.lifecycle import plan_of
    from powertune.stepfunctions.run import execution_input
    from powertune.stepfunctions.sweep import sweep
    from powertune.tuning.models import Payload, StrategyName, StrategySpec
    from powertune.tuning.pricing import PriceRate
    from powertune.tuning.request import TuningRequest

    name = fleet.create("stopped", HANDLER.read_text(), None)
    backend = AwsBackend(fleet.lam)
    original = backend.get_configuration(name)
    request = TuningRequest(
        function=name,
        memory_sizes=(256, 1024),
        architectures=(Architecture.X86_64,),
        payloads=(Payload(b"{}", 1.0),),
        strategy=StrategySpec(StrategyName.COST),
        allowed_errors=frozenset(),
        scratch_copy=False,
        run_id="deadbeef",
        seed=1,
    )
    rates = {Architecture.X86_64: PriceRate(0.0000166667, 0.0000002)}
    doc = execution_input(request, PolicySpec(seed=1, invocations=3), rates)
    # what a child stopped in the middle of Prepare leaves: $LATEST at a plan size,
    # a version with the run's description, an alias of the run
    tuning_plan = plan_of(doc)
    configuration = Configuration(256, Architecture.X86_64)
    fleet.lam.update_function_configuration(FunctionName=name, MemorySize=256)
    version = fleet.lam.publish_version(
        FunctionName=name, Description=tuning_plan.version_description(configuration)
    )["Version"]
    fleet.lam.create_alias(
        FunctionName=name, Name=tuning_plan.alias_for(configuration), FunctionVersion=version
    )
    item = {
        "function": name,
        "input": doc,
        "original": config_to_json(original),
        "error": {"Error": "States.Timeout", "Cause": ""},
    }

    outcome = sweep(item, backend)

    assert outcome["status"] == "failed"
    assert outcome["cleanup"]["complete"] is True
    assert "item timeout" in outcome["error"]
    fleet.left_as_found(name)


def test_bad_input_is_refused_before_anything_starts(
    deployed: dict[str, str], local_cloud: Any, fleet: Fleet, tmp_path: Path
) -> None:
    name = fleet.create("ok", HANDLER.read_text(), None)
    cases = {
        ("--tag", "team"): "--tag 'team' is not KEY=VALUE",
        ("--tag", "team=nobody-has-this"): "no function in",
        ("--tag", f"team={fleet.tag}", "--memory", "100"): "100",
        ("--tag", f"team={fleet.tag}", "--mode", "manual"): "OWNER/REPO",
    }
    for args, said in cases.items():
        done = _powertune(
            "fleet", *args, "--local", "--local-state-dir", str(local_cloud.state_dir),
            "--output", str(tmp_path), journals=tmp_path / "journals",
        )  # fmt: skip
        assert done.returncode == 2, (args, done.stderr)
        assert said in done.stderr, (args, done.stderr)
    dry = fleet.run(local_cloud, tmp_path, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["functions"] == [name]
    fleet.left_as_found(name)
    assert not list(tmp_path.glob("fleet-*.json"))


class _DeniedTagging:
    """A tagging client without tag:GetResources, as an account that grants Lambda only."""

    def get_paginator(self, name: str) -> Any:
        from botocore.exceptions import ClientError

        error = {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}
        raise ClientError(error, "GetResources")  # type: ignore[arg-type]


class _StaleTagging:
    """A tagging index that still lists a function whose tag was just removed."""

    def __init__(self, arns: list[str]) -> None:
        self.arns = arns

    def get_paginator(self, name: str) -> Any:
        arns = self.arns

        class Pages:
            def paginate(self, **_: Any) -> list[dict[str, Any]]:
                return [{"ResourceTagMappingList": [{"ResourceARN": a} for a in arns]}]

        return Pages()


def test_discovery_confirms_every_tag_with_lambda_and_falls_back_without_tagging(
    local_cloud: Any, fleet: Fleet, boto3_client: Callable[..., Any]
) -> None:
    from powertune.stepfunctions.discovery import TagFilter, tagged_functions

    keep = fleet.create("keep", FAILING, {"team": fleet.tag, "env": "prod"})
    fleet.create("dev", FAILING, {"team": fleet.tag, "env": "dev"})
    untagged = fleet.create("untagged", FAILING, {"team": fleet.tag})
    arn = fleet.lam.get_function_configuration(FunctionName=untagged)["FunctionArn"]
    fleet.lam.untag_resource(Resource=arn, TagKeys=["team"])
    filters = [TagFilter("team", fleet.tag), TagFilter("env", "prod")]
    said: list[str] = []

    real = tagged_functions(boto3_client("resourcegroupstaggingapi"), fleet.lam, filters)
    denied = tagged_functions(_DeniedTagging(), fleet.lam, filters, say=said.append)
    stale = tagged_functions(_StaleTagging([arn]), fleet.lam, [TagFilter("team", fleet.tag)])

    assert [a.rsplit(":", 1)[-1] for a in real.arns] == [keep]
    assert real.method == "resourcegroupstaggingapi"
    assert denied.arns == real.arns and denied.method == "lambda:ListFunctions"
    assert said and "tag:GetResources" in said[0]
    assert stale.arns == () and stale.dropped == (arn,)


def test_ctrl_c_stops_the_fleet_and_sweeps_every_function(
    deployed: dict[str, str],
    local_cloud: Any,
    fleet: Fleet,
    boto3_client: Callable[..., Any],
    tmp_path: Path,
) -> None:
    import signal
    import time

    names = [fleet.create(f"ok{i}", HANDLER.read_text(), None) for i in range(2)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    process = subprocess.Popen(
        [*POWERTUNE, "fleet", "--tag", f"team={fleet.tag}", "--local", "--local-state-dir",
         str(local_cloud.state_dir), "--memory", "256,1024,1769", "--invocations", "40",
         "--payload", '{"rounds": 3000}', "--output", str(tmp_path)],
        cwd=ROOT, env={**env, "POWERTUNE_STATE_DIR": str(tmp_path / "journals")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    sfn = boto3_client("stepfunctions")
    deadline = time.monotonic() + 120
    started: list[str] = []
    while not started and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
        runs = sfn.list_executions(stateMachineArn=deployed["state_machine_arn"])["executions"]
        started = [e["name"] for e in runs if fleet.tag in e["name"] and e["status"] == "RUNNING"]
    assert started, "no child workflow started"
    time.sleep(2.0)  # into the measurement: versions and aliases exist now
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)

    assert process.returncode == 130, stderr[-3000:]
    assert "every function was swept clean" in stderr
    for name in names:
        fleet.left_as_found(name)
    runs = sfn.list_executions(stateMachineArn=deployed["state_machine_arn"])["executions"]
    assert not [e for e in runs if fleet.tag in e["name"] and e["status"] == "RUNNING"]


def test_deploy_can_grant_a_fleet_by_tag(
    deployed: dict[str, str], boto3_client: Callable[..., Any]
) -> None:
    # moto does not enforce IAM: what is checked is the policy Terraform wrote
    iam = boto3_client("iam")
    doc = iam.get_role_policy(RoleName="powertune-steps", PolicyName="tune-listed-functions")
    policy = doc["PolicyDocument"]
    statements = {
        s["Sid"]: s
        for s in (policy if isinstance(policy, dict) else json.loads(policy))["Statement"]
    }
    tagged = statements["TaggedFunctions"]
    assert tagged["Condition"] == {"StringEquals": {"aws:ResourceTag/powertune-fleet": "tests"}}
    assert str(tagged["Resource"]).endswith(":function:*")
    assert {"lambda:UpdateFunctionConfiguration", "lambda:ListTags"} <= set(tagged["Action"])
    assert "lambda:ListTags" in statements["ReadAndSetLatest"]["Action"]
