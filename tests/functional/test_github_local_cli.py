"""The local cloud serves the GitHub stand-in: `local status --json` names it, and
`local github comment` / `local github team` act on it as a reviewer would."""

from __future__ import annotations

import dataclasses
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from cli_runner import cli
from gate_fixtures import TOKEN, ScriptedClock

from powertune.decision.approval import GateSettings, SecretToken, open_gate, wait_for_decision
from powertune.decision.approval_rules import ApprovalStatus


def _status(
    state_dir: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> dict[str, object]:
    code, out, _ = cli(["local", "status", "--json", "--state-dir", str(state_dir)], capsys, mp)
    assert code == 0
    document: dict[str, object] = json.loads(out)
    return document


def test_a_reviewer_approves_through_the_cli(
    local_cloud: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state_dir: Path = local_cloud.state_dir
    endpoint: str = local_cloud.endpoint_url
    status = _status(state_dir, capsys, monkeypatch)
    assert status["github_api_url"] == f"{endpoint}/_powertune/github"

    repo = f"acme/cli-{secrets.token_hex(3)}"
    settings = GateSettings(
        api_url=str(status["github_api_url"]), token=SecretToken(TOKEN), repo=repo,
        approvers=("@acme/sre",), min_approvals=1, initiator=None,
        exclude_initiator=False, timeout_s=600, poll_interval_s=30,
    )  # fmt: skip
    clock = ScriptedClock()
    ref = open_gate(settings, "powertune: api 1024 MB -> 512 MB", "summary", clock=clock)

    sd = ["--state-dir", str(state_dir)]
    code, out, err = cli(
        ["local", "github", "team", "acme/sre", "--add", "carol", *sd], capsys, monkeypatch
    )
    assert code == 0, err
    assert json.loads(out)["members"] == ["carol"]
    args = ["local", "github", "comment", "latest", "--as", "carol", "--repo", repo,
            "approve: fine by me", *sd]  # fmt: skip
    code, out, err = cli(args, capsys, monkeypatch)
    assert code == 0, err
    assert json.loads(out)["html_url"].endswith(
        f"/issues/{ref.number}#issuecomment-{json.loads(out)['id']}"
    )

    outcome = wait_for_decision(settings, ref, clock=clock)
    assert outcome.status is ApprovalStatus.APPROVED
    assert [(v.login, v.reason) for v in outcome.approved_by] == [("carol", "fine by me")]
    assert TOKEN not in json.dumps(dataclasses.asdict(outcome), default=str)


def test_commenting_on_a_missing_issue_is_one_clear_error(
    local_cloud: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state_dir: Path = local_cloud.state_dir
    args = ["local", "github", "comment", "987654", "--as", "alice", "approve",
            "--repo", "acme/none", "--state-dir", str(state_dir)]  # fmt: skip
    code, _out, err = cli(args, capsys, monkeypatch)
    assert code == 1
    assert "no issue acme/none#987654" in err
    code, _out, err = cli(["local", "github", "comment", "first", "--as", "a", "x",
                           "--state-dir", str(state_dir)], capsys, monkeypatch)  # fmt: skip
    assert code == 2 and "'first' is not an issue number" in err
