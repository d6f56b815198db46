"""The manual gate's options, shared by `decide --mode manual`, and the settings they make.

`@gate_options` adds exactly:
  --repo OWNER/REPO --approvers alice,bob,@org/team --min-approvals 1
  --exclude-initiator --approval-timeout 24h --poll-interval 30s
`gate_settings(options, environ)` combines them with what GitHub Actions provides:
GITHUB_API_URL (default https://api.github.com), GITHUB_TOKEN (sent as Bearer),
GITHUB_REPOSITORY (when --repo is absent) and GITHUB_ACTOR (the initiator).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from powertune.cli.durations import parse_duration
from powertune.decision.approval import GateSettings, SecretToken
from powertune.errors import ConfigError, GitHubError

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_API_URL = "https://api.github.com"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$")
_TEAM = re.compile(r"^@?[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_GATE_KEYS = (
    "repo",
    "approvers",
    "min_approvals",
    "exclude_initiator",
    "approval_timeout",
    "poll_interval",
)


def gate_options(command: F) -> F:
    """Add the manual gate's six options to a click command."""
    options = [
        click.option("--repo", default=None, metavar="OWNER/REPO",
                     help="Repository for the approval issue (default: $GITHUB_REPOSITORY)."),
        click.option("--approvers", default=None, metavar="alice,bob,@org/team",
                     help="Who may approve: users and @org/team (teams need read:org)."),
        click.option("--min-approvals", type=int, default=1, show_default=True,
                     help="Distinct approvers needed; one deny ends it."),
        click.option("--exclude-initiator", is_flag=True,
                     help="Comments by $GITHUB_ACTOR (who started the run) never count."),
        click.option("--approval-timeout", default="24h", show_default=True,
                     help="Give up after this long (exit 3); hosted runners stop jobs at 6h."),
        click.option("--poll-interval", default="30s", show_default=True,
                     help="How often to read the issue's comments."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def gate_keys() -> tuple[str, ...]:
    """The keyword names `gate_options` gives the command (to pop them from kwargs)."""
    return _GATE_KEYS


def gate_settings(options: Mapping[str, Any], environ: Mapping[str, str]) -> GateSettings:
    """The gate's settings from the options and the environment.

    Bad values are ConfigError (exit 2) naming the value and the fix; a missing token is
    GitHubError (exit 1), since the command line itself is fine.
    """
    repo = options.get("repo") or environ.get("GITHUB_REPOSITORY") or ""
    if not _REPO.match(repo):
        where = "--repo" if options.get("repo") else "GITHUB_REPOSITORY"
        shown = repr(repo) if repo else "nothing"
        raise ConfigError(
            f"{where} is {shown}: the approval issue needs a repository written OWNER/REPO; "
            "pass --repo OWNER/REPO (GitHub Actions sets GITHUB_REPOSITORY)"
        )
    approvers = _approvers(options.get("approvers"))
    given = options.get("min_approvals")
    min_approvals = 1 if given is None else int(given)
    if min_approvals < 1:
        raise ConfigError(f"--min-approvals {min_approvals} must be 1 or more")
    _check_enough(approvers, min_approvals)
    api_url = (environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise ConfigError(
            f"GITHUB_API_URL {api_url!r} is not an http(s) URL; unset it for github.com or "
            "set it to your GitHub Enterprise API, e.g. https://HOST/api/v3"
        )
    token = environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise GitHubError(
            "GITHUB_TOKEN is not set: the manual gate needs a token that may write issues "
            "(in a workflow: `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` with "
            "`permissions: issues: write`; for @org/team approvers, a GitHub App token or "
            "a PAT with read:org)"
        )
    return GateSettings(
        api_url=api_url,
        token=SecretToken(token),
        repo=repo,
        approvers=approvers,
        min_approvals=min_approvals,
        initiator=environ.get("GITHUB_ACTOR") or None,
        exclude_initiator=bool(options.get("exclude_initiator")),
        timeout_s=parse_duration(str(options.get("approval_timeout") or "24h"),
                                 "--approval-timeout"),
        poll_interval_s=parse_duration(str(options.get("poll_interval") or "30s"),
                                       "--poll-interval"),
    )  # fmt: skip


def _approvers(text: str | None) -> tuple[str, ...]:
    entries = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not entries:
        raise ConfigError(
            "--approvers is empty: the manual gate needs someone to ask; pass "
            "--approvers alice,bob or --approvers @org/team"
        )
    for entry in entries:
        if "/" in entry:
            if not _TEAM.match(entry):
                raise ConfigError(
                    f"--approvers entry {entry!r} is not a team; write a team as @org/team-slug"
                )
        elif not _LOGIN.match(entry.removeprefix("@")):
            raise ConfigError(
                f"--approvers entry {entry!r} is not a GitHub login (letters, digits and "
                "hyphens); write users as alice and teams as @org/team"
            )
    return tuple(dict.fromkeys(entries))


def _check_enough(approvers: tuple[str, ...], min_approvals: int) -> None:
    """With users only, N approvals need N users; a team may hold any number."""
    if any("/" in entry for entry in approvers):
        return
    if min_approvals > len(approvers):
        raise ConfigError(
            f"--min-approvals {min_approvals} cannot be reached by {len(approvers)} "
            f"approver(s) ({', '.join(approvers)}); lower it or add approvers"
        )
