"""The manual gate's loop: open an issue to the approvers, poll its comments until they
decide or the time runs out, then say what happened and close it.

The rules (keywords, counting) are `approval_rules`; GitHub is `github_api`. Outcomes
are values (approved, denied, timed out); failures are GitHubError (exit 1), never a
denial. Time is the injected clock, so tests run the whole loop without waiting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from powertune.clock import Clock, SystemClock
from powertune.decision.approval_rules import (
    ApprovalStatus,
    Approvers,
    Comment,
    GateOutcome,
    tally,
)
from powertune.errors import GitHubError

if TYPE_CHECKING:
    # githubkit takes about a second to import: only a gate that runs loads it, so that
    # importing the CLI (`decide --mode auto`, `--help`) does not pay for it.
    from powertune.decision.github_api import GitHubClient, IssueInfo, IssueRef

LABEL = "powertune"
_LOG = logging.getLogger(__name__)


class SecretToken:
    """The GitHub token, hidden from repr, str, `dataclasses.asdict` copies and pickling.

    Only `reveal()` gives the value, and only the client's Authorization header uses it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretToken(<hidden>)"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretToken) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __deepcopy__(self, memo: dict[int, object]) -> SecretToken:
        return self  # asdict() deep-copies fields: keep the hidden wrapper, not a dict

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a SecretToken is not serialised: it would write the token out")


@dataclass(frozen=True)
class GateSettings:
    """Where the gate asks, whom, and for how long. The token is never shown."""

    api_url: str
    token: SecretToken = field(repr=False)
    repo: str
    approvers: tuple[str, ...]  # `alice`, `@org/team`
    min_approvals: int
    initiator: str | None
    exclude_initiator: bool
    timeout_s: float
    poll_interval_s: float

    def client(self, clock: Clock | None = None) -> GitHubClient:
        """A client for these settings; `clock` paces its retries (default: real time)."""
        from powertune.decision.github_api import GitHubClient

        return GitHubClient(self.api_url, self.token.reveal(), clock or SystemClock())


@dataclass(frozen=True)
class CloseReport:
    """How the closing went: `error` says why the issue could not be closed, if it could not."""

    closed: bool
    comment_url: str | None
    error: str | None


def open_gate(
    settings: GateSettings, title: str, body: str, *, clock: Clock | None = None
) -> IssueRef:
    """Open the approval issue, assigned to the approvers who are users, labelled powertune.

    When GitHub refuses an assignee (422: not a collaborator), the issue is opened without
    assignees and the body names the approvers instead.
    """
    approvers = Approvers.parse(settings.approvers)
    full_body = body + _instructions(settings, approvers)
    with settings.client(clock) as client:
        return _create(client, settings.repo, title, full_body, approvers)


def _create(
    client: GitHubClient, repo: str, title: str, body: str, approvers: Approvers
) -> IssueRef:
    from powertune.decision.github_errors import AssigneesRefused

    try:
        return client.create_issue(repo, title, body, list(approvers.users), [LABEL])
    except AssigneesRefused:
        named = ", ".join(f"@{name}" for name in (*approvers.users, *approvers.teams))
        note = f"\n\n> GitHub refused to assign {', '.join(approvers.users)}; approvers: {named}.\n"
        return client.create_issue(repo, title, body + note, [], [LABEL])


def wait_for_decision(
    settings: GateSettings, ref: IssueRef, *, clock: Clock | None = None
) -> GateOutcome:
    """Poll the issue every `poll_interval_s` until the approvers decide or time runs out."""
    with settings.client(clock) as client:
        return _poll(settings, client, ref, client.clock)


def _poll(settings: GateSettings, client: GitHubClient, ref: IssueRef, clock: Clock) -> GateOutcome:
    approvers = Approvers.parse(settings.approvers)
    membership: dict[str, bool] = {}
    comments: dict[int, Comment] = {}
    since: datetime | None = None
    started = clock.monotonic()
    while True:
        info = client.get_issue(ref)  # 404/410: deleted, an error
        for comment in client.list_comments(ref, since):
            comments[comment.comment_id] = comment  # an edited comment: its latest text
            since = comment.updated_at if since is None else max(since, comment.updated_at)

        def is_approver(login: str) -> bool:
            return _is_approver(client, approvers, membership, login)

        result = tally(
            comments.values(),
            is_approver=is_approver,
            min_approvals=settings.min_approvals,
            initiator=settings.initiator,
            exclude_initiator=settings.exclude_initiator,
        )
        if result.status is None:
            _check_still_open(info, ref)  # a vote already cast counts even so
        waited_s = clock.monotonic() - started
        if result.status is not None or waited_s >= settings.timeout_s:
            status = result.status or ApprovalStatus.TIMED_OUT
            return GateOutcome(
                status=status,
                issue_number=ref.number,
                issue_url=ref.html_url,
                approved_by=result.approved_by,
                denied_by=result.denied_by,
                waited_s=waited_s,
            )
        clock.sleep(min(settings.poll_interval_s, settings.timeout_s - waited_s))


def _check_still_open(info: IssueInfo, ref: IssueRef) -> None:
    """A closed or locked issue can bring no more votes: an error, never a denial."""
    if info.state == "closed":
        raise GitHubError(
            f"issue #{ref.number} of {ref.repo} was closed before the approvers decided "
            f"({ref.html_url}); closing is not a vote. Nothing was applied: run the gate "
            "again, and answer with `approve` or `deny` in a comment."
        )
    if info.locked:
        raise GitHubError(
            f"issue #{ref.number} of {ref.repo} is locked ({ref.html_url}): approvers "
            "cannot comment on it. Unlock it and run the gate again."
        )


def close_gate(
    settings: GateSettings,
    ref: IssueRef,
    outcome: GateOutcome,
    message: str,
    *,
    clock: Clock | None = None,
) -> CloseReport:
    """Comment what happened (`message`: who decided, the size applied) and close the issue.

    If the issue cannot be reached any more, the outcome stands: the failure is returned
    (and logged) instead of raised. A comment refused (a locked issue) still closes it.
    """
    comment_url: str | None = None
    errors: list[str] = []
    reason = "completed" if outcome.status is ApprovalStatus.APPROVED else "not_planned"
    with settings.client(clock) as client:
        try:
            comment_url = client.create_comment(ref, closing_text(outcome, message))
        except GitHubError as exc:
            errors.append(str(exc))  # e.g. locked: closing may still work
        try:
            client.close_issue(ref, reason)
            closed = True
        except GitHubError as exc:
            errors.append(str(exc))
            closed = False
    if errors:
        _LOG.warning("could not close approval issue %s: %s", ref.html_url, "; ".join(errors))
    return CloseReport(closed=closed, comment_url=comment_url, error="; ".join(errors) or None)


def closing_text(outcome: GateOutcome, message: str) -> str:
    """The closing comment: the outcome, who decided (with links), and `message`."""
    lines = [f"**powertune: {outcome.status.value.replace('_', ' ')}**", ""]
    for vote in outcome.approved_by:
        why = f": {vote.reason}" if vote.reason else ""
        lines.append(f"- approved by @{vote.login} ({vote.comment_url}){why}")
    if outcome.denied_by is not None:
        vote = outcome.denied_by
        why = f": {vote.reason}" if vote.reason else " (no reason given)"
        lines.append(f"- denied by @{vote.login} ({vote.comment_url}){why}")
    if outcome.status is ApprovalStatus.TIMED_OUT:
        lines.append(f"- no decision within {_duration(outcome.waited_s)}")
    lines += ["", message]
    return "\n".join(lines)


def _is_approver(
    client: GitHubClient, approvers: Approvers, membership: dict[str, bool], login: str
) -> bool:
    key = login.lower()
    if key in (user.lower() for user in approvers.users):
        return True
    if key not in membership:
        membership[key] = any(client.is_team_member(team, login) for team in approvers.teams)
    return membership[key]


def _instructions(settings: GateSettings, approvers: Approvers) -> str:
    named = ", ".join(f"@{name}" for name in (*approvers.users, *approvers.teams))
    needed = settings.min_approvals
    excluded = (
        f" Comments by @{settings.initiator} (who started this run) do not count."
        if settings.exclude_initiator and settings.initiator
        else ""
    )
    return (
        f"\n\n---\nApprovers: {named}. Comment `approve` (or `lgtm`, `yes`, `/approve`) "
        f"to approve, `deny` (or `no`, `reject`, `/deny`) and a reason to deny; "
        f"{needed} approval{'s' if needed != 1 else ''} needed, one deny ends it.{excluded} "
        f"Without a decision within {_duration(settings.timeout_s)} the change is not "
        "applied.\n"
    )


def _duration(seconds: float) -> str:
    """`24h`, `1h30m`, `5m`, `45s`: as the options are written."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"
