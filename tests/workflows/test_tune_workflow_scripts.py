"""Single steps of tune.yml's deploy job, run in bash on their own (no cloud needed).

The full run (test_tune_workflow_steps.py) sees no open write-back pull request;
here `gh` answers that one is open, so the branch that keeps its memory runs
too. The settings step is run with good and bad inputs.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from actions_runner import Outcome, Runner, RunSettings, base_environment
from workflow_files import TUNE, load

DEPLOY = load(TUNE)["jobs"]["deploy"]


def _step(step_id: str) -> dict[str, Any]:
    return next(s for s in DEPLOY["steps"] if s.get("id") == step_id)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    repo = tmp_path / "source"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "--quiet", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "--quiet", "--allow-empty", "-m", "s"], cwd=repo, check=True)
    return repo


def _run_one(
    step: dict[str, Any], source: Path, tmp_path: Path, contexts: dict[str, Any], stubs: Path
) -> Runner:
    workflow = {"env": load(TUNE)["env"], "jobs": {"deploy": {"steps": [step]}}}
    env = base_environment([stubs])
    env["GITHUB_REPOSITORY"] = "octo-org/powertune"
    settings = RunSettings(source, tmp_path / "run", contexts, env)
    runner = Runner(workflow, settings, {})
    runner.run()
    return runner


def _gh_with_open_pull_request(folder: Path, tfvars: dict[str, int]) -> Path:
    folder.mkdir()
    content = base64.b64encode(json.dumps(tfvars).encode()).decode()
    (folder / "gh").write_text(
        "#!/usr/bin/env bash\n"
        'echo "gh $*" >> "$(dirname "$0")/log"\n'
        'case "$1 $2" in\n'
        '  "pr list") echo 7 ;;\n'
        f'  "api repos/octo-org/powertune/contents/"*) echo "{content}" ;;\n'
        "  *) exit 9 ;;\n"
        "esac\n"
    )
    (folder / "gh").chmod(0o755)
    return folder


def test_an_open_write_back_keeps_its_memory(source: Path, tmp_path: Path) -> None:
    stubs = _gh_with_open_pull_request(tmp_path / "stubs", {"memory_size": 512})
    contexts = {"github": {"token": "t"}, "vars": {"POWERTUNE_FUNCTION_NAME": "fn"}}
    runner = _run_one(_step("pending"), source, tmp_path, contexts, stubs)
    record = runner.records[0]
    assert record.outcome is Outcome.SUCCESS, record.log
    var_file = Path(runner.jobs["deploy"].steps["pending"]["outputs"]["var_file"])
    assert json.loads(var_file.read_text()) == {"memory_size": 512}
    calls = (stubs / "log").read_text()
    assert "--head powertune/memory-fn --state open" in calls
    assert "contents/infra/terraform/memory.auto.tfvars.json?ref=powertune/memory-fn" in calls
    assert "::notice::write-back pull request #7 is open" in record.log


@pytest.mark.parametrize(
    ("inputs", "variables", "outputs"),
    [
        ({}, {}, {"mode": "auto", "strategy": "cost", "memory": ""}),
        (
            {"mode": "", "strategy": "speed", "memory": "128..1024:128"},
            {"POWERTUNE_MODE": "manual"},
            {"mode": "manual", "strategy": "speed", "memory": "128..1024:128"},
        ),
        ({"mode": "sometimes"}, {}, None),
        ({"memory": "128; rm -rf /"}, {}, None),
        ({"strategy": "cheapest"}, {}, None),
    ],
)
def test_settings_step(
    source: Path,
    tmp_path: Path,
    inputs: dict[str, str],
    variables: dict[str, str],
    outputs: dict[str, str] | None,
) -> None:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    runner = _run_one(
        _step("settings"), source, tmp_path, {"inputs": inputs, "vars": variables}, stubs
    )
    record = runner.records[0]
    if outputs is None:
        assert record.outcome is Outcome.FAILURE
        assert "::error::" in record.log
    else:
        assert record.outcome is Outcome.SUCCESS, record.log
        assert runner.jobs["deploy"].steps["settings"]["outputs"] == outputs
