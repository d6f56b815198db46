"""tune.yml's own commands, run step by step against a local cloud.

The workflow is run once (module fixture) by actions_runner: every job in
order, each `run:` step in bash with the runner's files, each `uses:` step by
the local equivalent listed in LOCAL_ACTIONS. Then each step is its own check,
so a failure names the step. Steps calling a powertune command that does not
exist yet (`powertune X --help` fails) are skipped with that reason, and so is
everything that depends on them: the lead removes the skip by merging the
command (`decide`: issue 10, `report`: issue 12).

Beyond the `uses:` stand-ins, two things differ from GitHub, on purpose:
- `gh` is a stub that answers "no write-back pull request is open" (GitHub's
  API is not part of the local cloud) and logs its calls;
- the deploy job's `invoke_url` output (API Gateway's host name, which does not
  resolve here) is rewritten to the local cloud's data plane, as
  `powertune local deploy` does;
- the reports bucket's TLS-only policy is removed after the deploy job: the local
  cloud speaks plain HTTP, and the policy (rightly) refuses that.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from actions_runner import (
    JobState,
    LocalAction,
    Outcome,
    Runner,
    RunSettings,
    StepRecord,
    base_environment,
)
from workflow_files import ROOT, TUNE, job_order, load, needs_of

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("tune_workflow")]

BIN = Path(sys.executable).parent
TOKEN = "ghs_LOCALTESTTOKEN0123456789abcdefXYZ"  # must never appear in any output
REGION = "us-east-1"
STATE_BUCKET = "powertune-tfstate-local"
DEPLOY_ROLE = "arn:aws:iam::123456789012:role/powertune-items-deploy"
TUNING_ROLE = "arn:aws:iam::123456789012:role/powertune-items-tuning"
WORKFLOW = load(TUNE)


# -- which steps can run yet ------------------------------------------------------------
@functools.cache
def command_exists(subcommand: str) -> bool:
    proc = subprocess.run(
        [str(BIN / "powertune"), subcommand, "--help"],
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT / 'app' / 'src'}"},
    )
    return proc.returncode == 0


def missing_command(step: Mapping[str, Any]) -> str | None:
    # Commands only: `powertune X` at the start of a script line (not inside echo text).
    calls = re.findall(r"^\s*powertune ([a-z][a-z-]*)", str(step.get("run", "")), re.M)
    for sub in sorted(set(calls)):
        if not command_exists(sub):
            return (
                f"`powertune {sub}` does not exist yet (`powertune {sub} --help` fails); "
                "this step runs once it is merged"
            )
    return None


def _all_steps() -> list[tuple[str, int, dict[str, Any]]]:
    return [
        (job_id, index, step)
        for job_id in job_order(WORKFLOW)
        for index, step in enumerate(WORKFLOW["jobs"][job_id]["steps"])
    ]


SKIPPED_STEPS = {
    (job_id, index): reason
    for job_id, index, step in _all_steps()
    if (reason := missing_command(step)) is not None
}


# -- the local equivalents of the workflow's actions ---------------------------------
def _checkout(runner: Runner, job: JobState, inputs: Mapping[str, str]) -> dict[str, str]:
    assert inputs.get("persist-credentials") == "false"
    return {}


def _setup_powertune(runner: Runner, job: JobState, inputs: Mapping[str, str]) -> dict[str, str]:
    job.env["PATH"] = f"{BIN}:{runner.settings.base_env['PATH']}"
    job.env["PYTHONPATH"] = f"{job.workspace / 'src'}:{job.workspace / 'app' / 'src'}"
    return {}


def _setup_terraform(runner: Runner, job: JobState, inputs: Mapping[str, str]) -> dict[str, str]:
    assert shutil.which("terraform"), "terraform is not on PATH"
    assert inputs["terraform_wrapper"] == "false"
    config = os.environ.get("POWERTUNE_TF_CLI_CONFIG", "")
    if config:
        job.env["TF_CLI_CONFIG_FILE"] = config
    return {}


def _setup_node(runner: Runner, job: JobState, inputs: Mapping[str, str]) -> dict[str, str]:
    assert shutil.which("node") and shutil.which("npm"), "Node.js and npm are needed"
    return {}


def _aws_credentials(runner: Runner, job: JobState, inputs: Mapping[str, str]) -> dict[str, str]:
    runner.settings.contexts.setdefault("_roles", []).append((job.job_id, inputs["role-to-assume"]))
    job.env.update(
        {
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": inputs["aws-region"],
            "AWS_DEFAULT_REGION": inputs["aws-region"],
            "AWS_ENDPOINT_URL": runner.settings.contexts["_endpoint"],
        }
    )
    return {}


def _upload(runner: Runner, job: JobState, inputs: Mapping[str, str]) -> dict[str, str]:
    target = runner.artifacts / inputs["name"]
    target.mkdir(parents=True, exist_ok=True)
    for line in inputs["path"].splitlines():
        pattern = line.strip()
        if not pattern:
            continue
        base = Path(pattern) if Path(pattern).is_absolute() else job.workspace / pattern
        matches = [base] if base.is_dir() else list(base.parent.glob(base.name))
        for found in matches:
            if found.is_dir():
                shutil.copytree(found, target, dirs_exist_ok=True)
            else:
                shutil.copy2(found, target / found.name)
    if inputs.get("if-no-files-found") == "error" and not any(target.iterdir()):
        raise ValueError(f"artifact {inputs['name']}: no files at {inputs['path']}")
    return {}


def _download(runner: Runner, job: JobState, inputs: Mapping[str, str]) -> dict[str, str]:
    dest = Path(inputs["path"])
    dest = dest if dest.is_absolute() else job.workspace / dest
    # One artifact by name, or a pattern "{a,b,c}" (the only form the workflow uses).
    names = [inputs["name"]] if "name" in inputs else inputs["pattern"].strip("{}").split(",")
    for name in names:
        if (runner.artifacts / name).is_dir():
            shutil.copytree(runner.artifacts / name, dest, dirs_exist_ok=True)
        elif "name" in inputs:
            raise ValueError(f"no artifact named {name}")
    return {}


def _app_token(runner: Runner, job: JobState, inputs: Mapping[str, str]) -> dict[str, str]:
    raise ValueError("no GitHub App is configured here; its `if` should have skipped this step")


def _pull_request(runner: Runner, job: JobState, inputs: Mapping[str, str]) -> dict[str, str]:
    proc = subprocess.run(
        ["git", "diff", "--", *inputs["add-paths"].split()],
        cwd=job.workspace,
        capture_output=True,
        text=True,
        check=True,
    )
    (runner.settings.workdir / "write-back.patch").write_text(proc.stdout)
    (runner.settings.workdir / "pull-request.json").write_text(json.dumps(dict(inputs)))
    return {"pull-request-number": "1", "pull-request-operation": "created"}


LOCAL_ACTIONS = {
    "actions/checkout": LocalAction("a fresh clone of a snapshot of this worktree", _checkout),
    "./.github/actions/setup-powertune": LocalAction(
        "the project's venv, with the checkout's src on PYTHONPATH (no pip install)",
        _setup_powertune,
    ),
    "hashicorp/setup-terraform": LocalAction(
        "the machine's terraform; TF_CLI_CONFIG_FILE from POWERTUNE_TF_CLI_CONFIG",
        _setup_terraform,
    ),
    "actions/setup-node": LocalAction("the machine's Node.js and npm", _setup_node),
    "aws-actions/configure-aws-credentials": LocalAction(
        "the local cloud: AWS_ENDPOINT_URL and test keys (the role asked for is recorded)",
        _aws_credentials,
    ),
    "actions/upload-artifact": LocalAction("copy into the run's artifacts folder", _upload),
    "actions/download-artifact": LocalAction("copy from the run's artifacts folder", _download),
    "actions/create-github-app-token": LocalAction("none (no App configured: skipped)", _app_token),
    "peter-evans/create-pull-request": LocalAction(
        "`git diff` of add-paths, kept as write-back.patch", _pull_request
    ),
}


# -- the run ----------------------------------------------------------------------------
def _snapshot(dest: Path) -> Path:
    """This worktree's tracked and new files (uncommitted edits included) as a one-commit repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "--quiet", "-b", "main"], cwd=dest, check=True)
    subprocess.run([*git, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "snapshot"], cwd=dest, check=True)
    return dest


def _gh_stub(folder: Path) -> Path:
    folder.mkdir(parents=True)
    gh = folder / "gh"
    gh.write_text('#!/usr/bin/env bash\necho "gh $*" >> "$GH_STUB_LOG"\nexit 0\n')
    gh.chmod(0o755)
    return folder


@dataclass(frozen=True)
class WorkflowRun:
    runner: Runner
    workdir: Path
    endpoint_url: str

    def record(self, job_id: str, index: int) -> StepRecord:
        return next(r for r in self.runner.records if (r.job_id, r.index) == (job_id, index))


def _s3(endpoint_url: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _after_deploy(endpoint_url: str) -> Any:
    """The two local-cloud differences applied after the deploy job (module docstring)."""

    def adjust(job_id: str, outputs: dict[str, str]) -> None:
        if job_id != "deploy":
            return
        match = re.fullmatch(
            r"https://(\w+)\.execute-api\.[\w-]+\.amazonaws\.com/(\w+)/?",
            outputs.get("invoke_url", ""),
        )
        if match:
            api, stage = match.groups()
            outputs["invoke_url"] = f"{endpoint_url}/restapis/{api}/{stage}/_user_request_"
        if outputs.get("bucket"):
            _s3(endpoint_url).delete_bucket_policy(Bucket=outputs["bucket"])

    return adjust


@pytest.fixture(scope="module")
def workflow_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkflowRun]:
    from powertune.localcloud.supervisor import LocalCloud

    workdir = tmp_path_factory.mktemp("tune-workflow")
    cloud = LocalCloud.start(port=0, state_dir=workdir / "cloud")
    try:
        _s3(cloud.endpoint_url).create_bucket(Bucket=STATE_BUCKET)
        source = _snapshot(workdir / "source")
        # The repository deploys at 1024 MB and the run tunes 256 and 1024 MB: the function
        # is I/O-bound, so 256 MB is clearly cheaper and decide has a change to write back
        # (a size the run does not measure could not be judged: no change).
        tfvars = source / "infra" / "terraform" / "memory.auto.tfvars.json"
        tfvars.write_text(json.dumps({"memory_size": 1024}, indent=2) + "\n")
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit",
             "--quiet", "-am", "deploy at 1024 MB"],
            cwd=source, check=True,
        )  # fmt: skip
        env = base_environment([_gh_stub(workdir / "stubs")])
        env.update(
            {
                "GH_STUB_LOG": str(workdir / "gh.log"),
                "GITHUB_REPOSITORY": "octo-org/powertune",
                "GITHUB_RUN_ID": "4242",
                "GITHUB_ACTOR": "octocat",
                "GITHUB_REF": "refs/heads/main",
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_API_URL": "https://api.github.com",
            }
        )
        contexts: dict[str, Any] = {
            "_endpoint": cloud.endpoint_url,
            "github": {
                "repository": "octo-org/powertune",
                "repository_owner": "octo-org",
                "event": {"repository": {"name": "powertune"}},
                "event_name": "workflow_dispatch",
                "ref": "refs/heads/main",
                "run_id": "4242",
                "actor": "octocat",
                "server_url": "https://github.com",
                "token": TOKEN,
            },
            "inputs": {"mode": "auto", "strategy": "cost", "memory": "256,1024"},
            "vars": {
                "POWERTUNE_AWS_REGION": REGION,
                "POWERTUNE_DEPLOY_ROLE_ARN": DEPLOY_ROLE,
                "POWERTUNE_TUNING_ROLE_ARN": TUNING_ROLE,
                "POWERTUNE_TF_STATE_BUCKET": STATE_BUCKET,
                "POWERTUNE_MODE": "manual",  # the dispatch input wins
            },
            "secrets": {},
        }
        settings = RunSettings(source, workdir, contexts, env, SKIPPED_STEPS)
        runner = Runner(WORKFLOW, settings, LOCAL_ACTIONS, _after_deploy(cloud.endpoint_url))
        runner.run()
        yield WorkflowRun(runner, workdir, cloud.endpoint_url)
    finally:
        cloud.stop()


# -- one check per step -------------------------------------------------------------------
def _step_params() -> list[Any]:
    params = []
    for job_id, index, step in _all_steps():
        name = step.get("name") or step.get("uses", "").split("@")[0] or step.get("id")
        marks = []
        if (job_id, index) in SKIPPED_STEPS:
            marks.append(pytest.mark.skip(reason=SKIPPED_STEPS[(job_id, index)]))
        params.append(pytest.param(job_id, index, id=f"{job_id}/{index}-{name}", marks=marks))
    return params


# Steps that are expected not to run on this local run, and why.
EXPECTED_SKIPS = {
    "decide-manual": "the dispatch asks for auto mode",
}


@pytest.mark.parametrize(("job_id", "index"), _step_params())
def test_step(workflow_run: WorkflowRun, job_id: str, index: int) -> None:
    record = workflow_run.record(job_id, index)
    if record.outcome is Outcome.SKIPPED:
        allowed = _allowed_skip(job_id, index)
        assert allowed, f"{record.name} did not run: {record.reason}"
        pytest.skip(allowed)
    assert record.outcome is Outcome.SUCCESS, (
        f"{record.name}: rc={record.returncode}\n{record.log[-6000:]}"
    )


def _allowed_skip(job_id: str, index: int) -> str | None:
    """Why a step may legitimately not run here, or None."""
    if job_id in EXPECTED_SKIPS:
        return EXPECTED_SKIPS[job_id]
    if WORKFLOW["jobs"][job_id]["steps"][index].get("id") == "app-token":
        return "no GitHub App configured (POWERTUNE_APP_CLIENT_ID is empty)"
    upstream = _upstream(job_id) - {job_id}
    blocked = [
        reason
        for (job, step), reason in sorted(SKIPPED_STEPS.items())
        if job in upstream or (job == job_id and step < index)
    ]
    return f"blocked by a skipped step: {blocked[0]}" if blocked else None


def _upstream(job_id: str) -> set[str]:
    seen = {job_id}
    stack = [job_id]
    while stack:
        for need in needs_of(WORKFLOW["jobs"][stack.pop()]):
            if need not in seen:
                seen.add(need)
                stack.append(need)
    return seen


# -- what the run produced -------------------------------------------------------------
def test_every_action_has_a_local_equivalent() -> None:
    used = {str(step["uses"]).split("@")[0] for _, _, step in _all_steps() if "uses" in step}
    assert used <= set(LOCAL_ACTIONS), used - set(LOCAL_ACTIONS)
    for action, stand_in in sorted(LOCAL_ACTIONS.items()):
        print(f"{action:45} -> {stand_in.instead}")  # the listing, with -s


def test_roles_assumed_per_job(workflow_run: WorkflowRun) -> None:
    roles = dict(workflow_run.runner.settings.contexts.get("_roles", []))
    assert roles["deploy"] == DEPLOY_ROLE
    assert roles["tune"] == TUNING_ROLE


def test_deploy_applied_the_stack_with_remote_state(workflow_run: WorkflowRun) -> None:
    outputs = workflow_run.runner.jobs["deploy"].outputs
    assert outputs["function_name"] == "powertune-items-api"
    assert outputs["invoke_url"].startswith(workflow_run.endpoint_url)
    assert outputs["mode"] == "auto"
    s3 = _s3(workflow_run.endpoint_url)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=STATE_BUCKET).get("Contents", [])]
    assert "powertune/items-api/terraform.tfstate" in keys
    log = (workflow_run.workdir / "gh.log").read_text()
    assert "pr list" in log and "--head powertune/memory-powertune-items-api" in log


def test_tune_wrote_a_result_for_decide(workflow_run: WorkflowRun) -> None:
    outputs = workflow_run.runner.jobs["tune"].outputs
    assert outputs["decided"] == "true"
    result = workflow_run.workdir / "artifacts" / "tuning" / outputs["result"]
    data = json.loads(result.read_text())
    assert data["power"] in (256, 1024)  # the recommendation, among the sizes asked for


@pytest.mark.skipif(not command_exists("decide"), reason="`powertune decide` does not exist yet")
def test_write_back_patch_changes_only_the_memory(workflow_run: WorkflowRun) -> None:
    patch = (workflow_run.workdir / "write-back.patch").read_text()
    assert "infra/terraform/memory.auto.tfvars.json" in patch
    removed = re.findall(r'^-\s*"memory_size": (\d+)', patch, re.M)
    added = re.findall(r'^\+\s*"memory_size": (\d+)', patch, re.M)
    assert removed == ["1024"] and added == ["256"]
    request = json.loads((workflow_run.workdir / "pull-request.json").read_text())
    assert request["branch"] == "powertune/memory-powertune-items-api"
    assert request["token"] == TOKEN  # handed to the action, never to a script


def test_no_output_carries_the_token(workflow_run: WorkflowRun) -> None:
    for record in workflow_run.runner.records:
        assert TOKEN not in record.log, record.name
    for job in workflow_run.runner.jobs.values():
        assert TOKEN not in job.summary
        assert all(TOKEN not in v for v in job.outputs.values())
    for path in (workflow_run.workdir / "artifacts").rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_reports_reach_the_bucket_and_the_run_summary(workflow_run: WorkflowRun) -> None:
    bucket = workflow_run.runner.jobs["deploy"].outputs["bucket"]
    s3 = _s3(workflow_run.endpoint_url)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    result = workflow_run.runner.jobs["tune"].outputs["result"]
    assert f"history/{result}" in keys
    assert any(re.fullmatch(r"history/newman-\w+\.json", key) for key in keys)
    summary = workflow_run.runner.jobs["reports"].summary
    assert f"s3://{bucket}/history/" in summary
    for markdown in (workflow_run.workdir / "artifacts" / "powertune-reports").glob("*.md"):
        if markdown.name.startswith(("power-tuner-", "memory-summary-")):
            assert markdown.read_text().strip() in summary, markdown.name
