"""`powertune local github ...`: act on the local cloud's GitHub stand-in by hand.

`comment ISSUE --as alice "approve"` posts a comment as that user (a reviewer's vote;
ISSUE may be `latest`, the newest open issue);
`team ORG/TEAM --add carol` adds members to a team the gate may name in --approvers.
Both talk to the stand-in's control endpoints of the running local cloud.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import httpx

from powertune.errors import PowertuneError
from powertune.localcloud.github import ADMIN_PREFIX
from powertune.localcloud.state import read_live_state

_TIMEOUT_S = 10.0
_state_dir_option = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State folder of the running local cloud (default: $POWERTUNE_LOCAL_STATE).",
)


@click.group("github")
def github() -> None:
    """The local cloud's GitHub stand-in: comment as a reviewer, manage teams."""


@github.command("comment")
@click.argument("issue")
@click.argument("body")
@click.option("--as", "login", required=True, help="The GitHub login the comment is from.")
@click.option(
    "--repo",
    default=None,
    metavar="OWNER/REPO",
    help="The issue's repository (default: the only one with that issue).",
)
@_state_dir_option  # fmt: skip
def comment(issue: str, body: str, login: str, repo: str | None, state_dir: Path | None) -> None:
    """Comment BODY on ISSUE as --as LOGIN (e.g. "approve" or "deny: too risky").

    ISSUE is a number, or `latest` for the newest open issue (a demo's reviewer).
    """
    if issue != "latest" and not issue.isdigit():
        raise click.BadParameter(
            f"{issue!r} is not an issue number or `latest`", param_hint="ISSUE"
        )
    document: dict[str, object] = {"issue": issue, "login": login, "body": body, "repo": repo}
    answer = _post(state_dir, "/comment", document)
    click.echo(json.dumps({"id": answer["id"], "html_url": answer["html_url"]}))


@github.command("team")
@click.argument("team")
@click.option("--add", "members", multiple=True, required=True, help="A login to add (repeat).")
@_state_dir_option
def team(team: str, members: tuple[str, ...], state_dir: Path | None) -> None:
    """Add members to ORG/TEAM (used as --approvers @ORG/TEAM)."""
    logins = [name.strip() for entry in members for name in entry.split(",") if name.strip()]
    answer = _post(state_dir, "/team", {"team": team, "add": logins})
    click.echo(json.dumps(answer))


def _post(state_dir: Path | None, path: str, document: dict[str, object]) -> dict[str, object]:
    state = read_live_state(state_dir)
    url = f"{state.endpoint_url}{ADMIN_PREFIX}{path}"
    try:
        reply = httpx.post(url, json=document, timeout=_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise PowertuneError(
            f"the local cloud at {state.endpoint_url} did not answer ({exc}); check it "
            "with `powertune local status`"
        ) from exc
    answer: dict[str, object] = reply.json()
    if reply.status_code >= 400:
        raise PowertuneError(
            f"the GitHub stand-in refused {path.lstrip('/')}: {answer.get('message')}"
        )
    return answer
