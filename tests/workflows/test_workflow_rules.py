"""Static rules of ci.yml and tune.yml: triggers, pins, permissions, expressions, references.

The linters (make lint-workflows) check structure and known risks; these tests
check this project's own promises, read from the workflow files as data.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from actions_expressions import embedded, evaluate, interpolate
from workflow_files import (
    CI,
    ROOT,
    TUNE,
    job_order,
    load,
    path_filter_matches,
    reference_errors,
    uses_lines,
)

WORKFLOW_FILES = [CI, TUNE]
ACTION_FILES = sorted((ROOT / ".github" / "actions").glob("*/action.yml"))
AWS_ACTION = "aws-actions/configure-aws-credentials"


@pytest.fixture(scope="module")
def tune() -> dict[str, Any]:
    return load(TUNE)


def _steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job["steps"]]


def _uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0]


@pytest.mark.parametrize("path", WORKFLOW_FILES + ACTION_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    refs = uses_lines(path)
    assert refs, f"no uses: in {path}"
    for ref, comment in refs:
        if ref.startswith("./"):
            continue  # this repository's own composite action, at the same commit
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref
        assert re.fullmatch(r"v\d+\.\d+\.\d+", comment), f"{ref}: version comment {comment!r}"


@pytest.mark.parametrize("path", WORKFLOW_FILES + ACTION_FILES, ids=lambda p: p.name)
def test_no_expression_inside_run(path: Path) -> None:
    data = load(path)
    steps = [s for _, s in _steps(data)] if "jobs" in data else data["runs"].get("steps", [])
    for step in steps:
        assert "${{" not in step.get("run", ""), f"pass it through env: {step.get('name')}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_job_has_a_timeout_and_its_own_permissions(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    for job_id, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), job_id
        assert job["timeout-minutes"] <= 360, job_id  # a hosted job lasts at most 6 hours
        assert isinstance(job.get("permissions"), dict), job_id


def test_permissions_are_granted_only_where_needed(tune: dict[str, Any]) -> None:
    for job_id, job in tune["jobs"].items():
        perms = job["permissions"]
        assumes_role = any(_uses(s) == AWS_ACTION for s in job["steps"])
        assert (perms.get("id-token") == "write") == assumes_role, job_id
        assert ("issues" in perms) == (job_id == "decide-manual"), job_id
        writes = {k for k, v in perms.items() if v == "write"} - {"id-token"}
        allowed = {"decide-manual": {"issues"}, "write-back": {"contents", "pull-requests"}}
        assert writes == allowed.get(job_id, set()), job_id


def test_jobs_run_in_the_documented_order(tune: dict[str, Any]) -> None:
    assert job_order(tune) == [
        "deploy",
        "smoke",
        "tune",
        "decide-auto",
        "decide-manual",
        "write-back",
        "reports",
    ]


def test_roles_and_region_come_from_repository_variables(tune: dict[str, Any]) -> None:
    roles = {}
    for job_id, step in _steps(tune):
        if _uses(step) == AWS_ACTION:
            inputs = step["with"]
            assert set(inputs) == {"role-to-assume", "role-session-name", "aws-region"}, job_id
            assert inputs["aws-region"] == "${{ vars.POWERTUNE_AWS_REGION }}"
            roles[job_id] = inputs["role-to-assume"]
    tuning = "${{ vars.POWERTUNE_TUNING_ROLE_ARN }}"
    assert roles == {
        "deploy": "${{ vars.POWERTUNE_DEPLOY_ROLE_ARN }}",
        "tune": tuning,
        "decide-auto": tuning,
        "decide-manual": tuning,
        "reports": tuning,
    }


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_aws_keys_and_no_token_in_scripts(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"aws-(access-key-id|secret-access-key|session-token)", text)
    assert "AWS_SECRET_ACCESS_KEY" not in text and "AWS_ACCESS_KEY_ID" not in text
    for _, step in _steps(load(path)):
        run = step.get("run", "")
        # Tokens reach tools through env (gh reads GH_TOKEN, powertune GITHUB_TOKEN);
        # a script that names them could print them.
        assert not re.search(r"\$\{?(GITHUB_TOKEN|GH_TOKEN|ACTIONS_ID_TOKEN\w*)", run), run


def test_token_values_come_only_through_env_or_action_inputs(tune: dict[str, Any]) -> None:
    for job_id, step in _steps(tune):
        for key in ("name", "if"):
            assert "token" not in str(step.get(key, "")).lower() or key == "name", job_id
        for name, value in step.get("env", {}).items():
            if "github.token" in str(value):
                assert name in {"GH_TOKEN", "GITHUB_TOKEN"}, (job_id, name)


def test_steps_call_the_tools_directly(tune: dict[str, Any]) -> None:
    scripts = "\n".join(step.get("run", "") for _, step in _steps(tune))
    assert "make " not in scripts
    for command in ("powertune tune ", "powertune decide ", "newman run ", "terraform -chdir"):
        assert command in scripts, command
    decide = [
        s["run"] for j, s in _steps(tune) if j.startswith("decide-") and s.get("id") == "decide"
    ]
    assert "--mode auto" in decide[0] and "--mode manual" in decide[1]


def test_push_trigger_skips_a_write_back_only_push(tune: dict[str, Any]) -> None:
    push = tune["on"]["push"]
    assert push["branches"] == ["main"] and "paths-ignore" not in push
    paths = push["paths"]
    tfvars = "infra/terraform/memory.auto.tfvars.json"
    assert not path_filter_matches(paths, [tfvars])
    assert path_filter_matches(paths, [tfvars, "app/src/items_api/handler.py"])
    assert path_filter_matches(paths, ["infra/terraform/lambda.tf"])
    assert path_filter_matches(paths, ["app/requirements.txt"])
    assert not path_filter_matches(paths, ["README.md", "docs/github-actions.md"])


def test_schedule_and_dispatch_inputs(tune: dict[str, Any]) -> None:
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", tune["on"]["schedule"][0]["cron"])  # weekly
    assert set(tune["on"]["workflow_dispatch"]["inputs"]) == {"mode", "strategy", "memory"}


@pytest.mark.parametrize(
    ("inputs", "variable", "mode"),
    [({"mode": "manual"}, "auto", "manual"), ({"mode": ""}, "manual", "manual"), ({}, "", "auto")],
)
def test_mode_comes_from_the_input_then_the_variable(
    tune: dict[str, Any], inputs: dict[str, str], variable: str, mode: str
) -> None:
    # The settings step passes both through env; its script takes the first non-empty.
    env = next(s for s in tune["jobs"]["deploy"]["steps"] if s.get("id") == "settings")["env"]
    contexts = {"inputs": inputs, "vars": {"POWERTUNE_MODE": variable}}
    values = {k: evaluate(v, contexts) or "" for k, v in env.items()}
    assert (values["INPUT_MODE"] or values["VAR_MODE"] or "auto") == mode
    for job_id, want in (("decide-auto", "auto"), ("decide-manual", "manual")):
        job_if = tune["jobs"][job_id]["if"]
        runs = evaluate(
            job_if,
            {
                "needs": {
                    "tune": {"outputs": {"decided": "true"}},
                    "deploy": {"outputs": {"mode": mode}},
                }
            },
        )
        assert runs == (mode == want), job_id


def test_one_run_per_function_at_a_time(tune: dict[str, Any]) -> None:
    concurrency = tune["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    group = interpolate(concurrency["group"], {"vars": {"POWERTUNE_FUNCTION_NAME": "fn-a"}})
    assert group == "powertune-fn-a"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_step_and_needs_reference_resolves(path: Path) -> None:
    assert reference_errors(load(path)) == []


def test_the_reference_check_catches_the_seeds_missing_step_id() -> None:
    seed = {
        "jobs": {
            "tune": {
                "outputs": {"result": "${{ steps.tune.outputs.result }}"},
                "steps": [
                    {"id": "tune", "run": "true"},
                ],
            },
            "apply": {
                "needs": ["tune"],
                "steps": [
                    {"id": "approval", "run": "true"},
                    {"if": "steps.approve.outputs.approved == 'true'", "run": "apply"},
                    {"env": {"R": "${{ needs.tune.outputs.missing }}"}, "run": "true"},
                    {"env": {"D": "${{ needs.deploy.outputs.url }}"}, "run": "true"},
                ],
            },
        }
    }
    errors = reference_errors(seed)
    assert len(errors) == 3
    assert "steps.approve" in errors[0] and "needs.tune.outputs.missing" in errors[1]
    assert "needs.deploy" in errors[2]


def test_expressions_parse(tune: dict[str, Any]) -> None:
    # Every embedded expression is read by the evaluator the step-by-step test uses.
    text = TUNE.read_text()
    found = list(embedded(text))
    assert len(found) > 40
    for expression in found:
        evaluate(expression, {})
