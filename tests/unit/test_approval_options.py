"""The gate's options and environment: `gate_settings` and the `gate_options` decorator."""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from powertune.cli.gate_options import gate_keys, gate_options, gate_settings
from powertune.errors import ConfigError, GitHubError

ENV = {
    "GITHUB_TOKEN": "ghs_unitTESTtoken",
    "GITHUB_REPOSITORY": "acme/payments",
    "GITHUB_ACTOR": "octocat",
}
DEFAULTS = {
    "repo": None,
    "approvers": "alice,@acme/sre",
    "min_approvals": 1,
    "exclude_initiator": False,
    "approval_timeout": "24h",
    "poll_interval": "30s",
}


def test_settings_come_from_the_options_and_the_actions_environment() -> None:
    settings = gate_settings(DEFAULTS, ENV)
    assert settings.api_url == "https://api.github.com"
    assert settings.repo == "acme/payments"
    assert settings.approvers == ("alice", "@acme/sre")
    assert settings.initiator == "octocat"
    assert (settings.timeout_s, settings.poll_interval_s) == (86400.0, 30.0)
    assert settings.token.reveal() == "ghs_unitTESTtoken"
    shown = [repr(settings), str(settings), json.dumps(dataclasses.asdict(settings), default=str)]
    assert all("ghs_unitTESTtoken" not in text for text in shown)
    with pytest.raises(TypeError, match="not serialised"):
        pickle.dumps(settings)


def test_repo_option_and_enterprise_api_url_win() -> None:
    env = {**ENV, "GITHUB_API_URL": "https://ghe.example/api/v3/"}
    settings = gate_settings({**DEFAULTS, "repo": "acme/other"}, env)
    assert (settings.repo, settings.api_url) == ("acme/other", "https://ghe.example/api/v3")


@pytest.mark.parametrize(
    ("change", "env_change", "named"),
    [
        ({"repo": "not-a-repo"}, {}, "'not-a-repo'"),
        ({}, {"GITHUB_REPOSITORY": ""}, "GITHUB_REPOSITORY"),
        ({"approvers": ""}, {}, "--approvers"),
        ({"approvers": "alice,bad name"}, {}, "'bad name'"),
        ({"approvers": "alice", "min_approvals": 2}, {}, "--min-approvals 2"),
        ({"min_approvals": 0}, {}, "--min-approvals 0"),
        ({"approval_timeout": "soon"}, {}, "--approval-timeout 'soon'"),
        ({"poll_interval": "0s"}, {}, "--poll-interval '0s'"),
        ({}, {"GITHUB_API_URL": "ftp://x"}, "'ftp://x'"),
    ],
)
def test_bad_values_are_config_errors_naming_the_value(
    change: dict[str, object], env_change: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        gate_settings({**DEFAULTS, **change}, {**ENV, **env_change})
    assert named in str(raised.value)
    assert raised.value.exit_code == 2


def test_a_missing_token_is_a_github_error() -> None:
    with pytest.raises(GitHubError, match="GITHUB_TOKEN is not set") as raised:
        gate_settings(DEFAULTS, {**ENV, "GITHUB_TOKEN": " "})
    assert raised.value.exit_code == 1


def test_the_decorator_adds_exactly_the_six_options() -> None:
    seen: dict[str, object] = {}

    @click.command()
    @gate_options
    def command(**kwargs: object) -> None:
        seen.update(kwargs)

    args = ["--repo", "a/b", "--approvers", "alice,bob", "--min-approvals", "2",
            "--exclude-initiator", "--approval-timeout", "5h",
            "--poll-interval", "10s"]  # fmt: skip
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 0, result.output
    assert set(seen) == set(gate_keys())
    settings = gate_settings(seen, ENV)
    assert (settings.min_approvals, settings.exclude_initiator) == (2, True)
    assert (settings.timeout_s, settings.poll_interval_s) == (18000.0, 10.0)
    flags = {p.opts[0] for p in command.params}
    assert flags == {"--repo", "--approvers", "--min-approvals", "--exclude-initiator",
                     "--approval-timeout", "--poll-interval"}  # fmt: skip


def test_the_options_do_not_load_githubkit_until_a_gate_runs() -> None:
    """githubkit takes about a second to import: `decide --mode auto` must not pay for it."""
    code = (
        "import sys, powertune.cli.gate_options, powertune.decision.approval; "
        "print('githubkit' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
