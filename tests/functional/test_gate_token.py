"""The token never appears: not on stdout or stderr, not in logs (even at DEBUG), not in
files the run writes, not in the issue or its comments, not in what the stand-in
recorded, not in error messages or their tracebacks.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import traceback
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from gate_fixtures import REPO, TOKEN, ScriptedClock, StandIn
from gate_fixtures import github_server as github_server
from gate_fixtures import stand_in as stand_in

from powertune.cli.gate_options import gate_options, gate_settings
from powertune.decision.approval import close_gate, open_gate, wait_for_decision
from powertune.decision.approval_rules import ApprovalStatus
from powertune.errors import GitHubError, PowertuneError


def _gate_command(stand_in: StandIn, clock: ScriptedClock, output: Path) -> click.Command:
    """A stand-in for `decide --mode manual`: the gate, then a fake apply writing a record."""

    @click.command()
    @gate_options
    def gate(**options: object) -> None:
        import os

        settings = gate_settings(options, os.environ)
        click.echo(f"gate settings: {settings}")
        ref = open_gate(
            settings, "powertune: payments-api 1024 MB -> 512 MB", "summary", clock=clock
        )
        click.echo(f"waiting on {ref.html_url}", err=True)
        clock.at(30, lambda: stand_in.comment(ref.number, "alice", "approve: fine"))
        outcome = wait_for_decision(settings, ref, clock=clock)
        record = {"outcome": dataclasses.asdict(outcome), "applied_mb": 512}
        (output / "decision.json").write_text(json.dumps(record, default=str))
        close_gate(settings, ref, outcome, "Applied 512 MB.", clock=clock)
        click.echo(json.dumps({"status": outcome.status.value}))

    return gate


def _everything_written(tmp_path: Path, stand_in: StandIn) -> str:
    files = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    return "\n".join([*files, json.dumps(stand_in.requests()), json.dumps(stand_in.issues())])


def test_the_token_never_appears_in_output_logs_files_or_the_issue(
    stand_in: StandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx, httpcore, githubkit and ours, all of it
    clock = ScriptedClock()
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": stand_in.api_url,
           "GITHUB_REPOSITORY": REPO, "GITHUB_ACTOR": "octocat"}  # fmt: skip
    stand_in.fault(502, "/comments", "GET")  # a retried failure, logged on the way
    result = CliRunner().invoke(
        _gate_command(stand_in, clock, tmp_path),
        ["--approvers", "alice,@acme/sre", "--poll-interval", "10s"],
        env=env,
        catch_exceptions=False,
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1]) == {"status": "approved"}
    everything = "\n".join(
        [result.stdout, result.stderr, caplog.text, _everything_written(tmp_path, stand_in)]
    )
    assert "Bearer <redacted>" in everything  # the stand-in saw a token, and kept its scheme
    assert TOKEN not in everything
    assert TOKEN[-12:] not in everything


@pytest.mark.parametrize(
    ("status", "headers"),
    [(403, {}), (500, {}), (410, {}), (429, {"Retry-After": "1"})],
)
def test_the_token_is_not_in_errors_or_their_tracebacks(
    stand_in: StandIn, status: int, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    from gate_fixtures import settings_for

    caplog.set_level(logging.DEBUG)
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = open_gate(settings, "title", "body", clock=clock)
    stand_in.fault(status, "/comments", "GET", headers, count=10)

    with pytest.raises(GitHubError) as raised:
        outcome = wait_for_decision(settings, ref, clock=clock)
        assert outcome.status is not ApprovalStatus.DENIED  # never reached: an error is raised
    error: PowertuneError = raised.value
    text = "".join(traceback.format_exception(error)) + repr(error) + caplog.text
    assert str(status) in str(error)
    assert TOKEN not in text
    with settings.client(clock) as client:
        assert TOKEN not in repr(settings) and TOKEN not in repr(client)
    assert TOKEN not in json.dumps(dataclasses.asdict(settings), default=str)
