"""The step-by-step runner itself, on small workflows: outputs, env, conditions, failures."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from actions_expressions import evaluate
from actions_runner import Outcome, Runner, RunSettings, base_environment, parse_key_values


@pytest.fixture
def source(tmp_path: Path) -> Path:
    repo = tmp_path / "source"
    repo.mkdir()
    (repo / "file.txt").write_text("one\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "--quiet", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "s"], cwd=repo, check=True)
    return repo


def _run(source: Path, tmp_path: Path, workflow: dict[str, Any]) -> Runner:
    settings = RunSettings(
        source, tmp_path / "run", {"vars": {"V": "from-var"}}, base_environment([])
    )
    runner = Runner(workflow, settings, {})
    runner.run()
    return runner


def test_outputs_env_and_needs_flow_between_steps_and_jobs(source: Path, tmp_path: Path) -> None:
    workflow = {
        "env": {"W": "${{ vars.V }}"},
        "jobs": {
            "a": {
                "outputs": {"x": "${{ steps.one.outputs.x }}"},
                "steps": [
                    {"id": "one", "run": 'echo "x=$W-$(cat file.txt)" >> "$GITHUB_OUTPUT"'},
                    {"run": 'echo LATER=set >> "$GITHUB_ENV"'},
                    {"run": 'echo "# hi" >> "$GITHUB_STEP_SUMMARY"'},
                    {"run": 'test "$LATER" = set'},
                ],
            },
            "b": {
                "needs": "a",
                "steps": [
                    {"env": {"X": "${{ needs.a.outputs.x }}"}, "run": 'test "$X" = from-var-one'}
                ],
            },
        },
    }
    runner = _run(source, tmp_path, workflow)
    assert [r.outcome for r in runner.records] == [Outcome.SUCCESS] * 5
    assert runner.jobs["a"].outputs == {"x": "from-var-one"}
    assert runner.jobs["a"].summary == "# hi\n"


def test_a_failure_skips_what_depends_on_it_but_not_always_steps(
    source: Path, tmp_path: Path
) -> None:
    workflow = {
        "jobs": {
            "a": {
                "steps": [
                    {"run": "exit 4"},
                    {"run": "true"},
                    {"if": "${{ !cancelled() }}", "run": "true"},
                ]
            },
            "b": {"needs": ["a"], "steps": [{"run": "true"}]},
            "c": {"needs": ["a"], "if": "always()", "steps": [{"run": "true"}]},
        }
    }
    runner = _run(source, tmp_path, workflow)
    outcomes = [(r.job_id, r.outcome, r.returncode) for r in runner.records]
    assert outcomes == [
        ("a", Outcome.FAILURE, 4),
        ("a", Outcome.SKIPPED, None),
        ("a", Outcome.SUCCESS, 0),
        ("b", Outcome.SKIPPED, None),
        ("c", Outcome.SUCCESS, 0),
    ]


def test_an_action_without_a_local_equivalent_fails(source: Path, tmp_path: Path) -> None:
    workflow = {"jobs": {"a": {"steps": [{"uses": "someone/new-action@" + "0" * 40}]}}}
    runner = _run(source, tmp_path, workflow)
    assert runner.records[0].outcome is Outcome.FAILURE
    assert "no local equivalent" in runner.records[0].log


def test_output_file_syntax() -> None:
    text = "a=1\nb<<EOF\nline 1\nline=2\nEOF\nc=x=y\n"
    assert parse_key_values(text) == {"a": "1", "b": "line 1\nline=2", "c": "x=y"}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("'' || 'x'", "x"),
        ("'a' && 'b'", "b"),
        ("'' && 'b'", ""),
        ("'AUTO' == 'auto'", True),
        ("1 == '1'", True),
        ("!cancelled() && needs.j.outputs.c == 'true'", True),
        ("needs.j.outputs.missing == 'true'", False),
        ("format('{0}-{1}', 'a', 2)", "a-2"),
    ],
)
def test_expressions(expression: str, value: Any) -> None:
    contexts = {"needs": {"j": {"outputs": {"c": "true"}}}}
    assert evaluate(expression, contexts) == value
