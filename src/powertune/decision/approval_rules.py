"""The manual gate's rules, pure: which comment is a vote, and when the votes decide.

No I/O here: `approval.py` fetches comments and team memberships, then asks these
functions what they mean. The keyword is the first word of the first line,
case-insensitive, with trailing `:.,!` ignored; the rest of the comment is the reason.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

APPROVE_WORDS = frozenset({"approve", "approved", "lgtm", "yes", "/approve"})
DENY_WORDS = frozenset({"deny", "denied", "no", "reject", "/deny"})
_TRAILING = ":.,!"


class ApprovalStatus(enum.Enum):
    """How the gate ended (an error is not a status: it is raised as GitHubError)."""

    APPROVED = "approved"
    DENIED = "denied"
    TIMED_OUT = "timed_out"


@dataclass(frozen=True)
class Keyword:
    """What a comment says: approve or deny, and why."""

    approve: bool
    reason: str


@dataclass(frozen=True)
class Comment:
    """One issue comment, as the rules need it (raw API shapes stop in github_api)."""

    comment_id: int
    login: str
    body: str
    url: str
    at: datetime  # created
    updated_at: datetime  # what `since` compares with


@dataclass(frozen=True)
class Vote:
    """An approver's counted comment."""

    login: str
    approve: bool
    reason: str
    comment_url: str
    at: datetime


@dataclass(frozen=True)
class GateOutcome:
    """What the gate decided, who decided it, and how long it waited."""

    status: ApprovalStatus
    issue_number: int
    issue_url: str
    approved_by: tuple[Vote, ...]
    denied_by: Vote | None
    waited_s: float


def outcome_json(outcome: GateOutcome) -> dict[str, object]:
    """The outcome as the decision file records it: status, issue, who decided and why."""

    def vote(v: Vote) -> dict[str, object]:
        return {
            "login": v.login,
            "approve": v.approve,
            "reason": v.reason,
            "comment_url": v.comment_url,
            "at": v.at.isoformat(),
        }

    return {
        "status": outcome.status.value,
        "issue_number": outcome.issue_number,
        "issue_url": outcome.issue_url,
        "approved_by": [vote(v) for v in outcome.approved_by],
        "denied_by": vote(outcome.denied_by) if outcome.denied_by is not None else None,
        "waited_s": round(outcome.waited_s, 3),
    }


def refusal_message(outcome: GateOutcome, min_approvals: int) -> str | None:
    """Why nothing is applied (denied, timed out), in one line; None when approved."""
    if outcome.status is ApprovalStatus.APPROVED:
        return None
    if outcome.denied_by is not None:
        why = f": {outcome.denied_by.reason}" if outcome.denied_by.reason else ""
        return (
            f"denied by @{outcome.denied_by.login}{why} ({outcome.denied_by.comment_url}); "
            "nothing was applied"
        )
    return (
        f"no decision on {outcome.issue_url} within {outcome.waited_s:.0f} s "
        f"({len(outcome.approved_by)} of {min_approvals} approvals); nothing was applied. "
        "Run the gate again, or pass a longer --approval-timeout"
    )


@dataclass(frozen=True)
class Tally:
    """The votes so far: a decision (APPROVED or DENIED) or None while still waiting."""

    status: ApprovalStatus | None
    approved_by: tuple[Vote, ...]
    denied_by: Vote | None


@dataclass(frozen=True)
class Approvers:
    """Who may vote: named users, and teams written `org/team` (without the `@`)."""

    users: tuple[str, ...]
    teams: tuple[str, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Approvers:
        users: list[str] = []
        teams: list[str] = []
        for entry in entries:
            name = entry.strip()
            if not name:
                continue
            if "/" in name:
                teams.append(name.removeprefix("@"))
            else:
                users.append(name.removeprefix("@"))
        return cls(tuple(dict.fromkeys(users)), tuple(dict.fromkeys(teams)))


def parse_keyword(body: str) -> Keyword | None:
    """The vote in a comment's text, or None when its first word is no keyword."""
    stripped = body.strip()
    if not stripped:
        return None
    first_line, _, rest = stripped.partition("\n")
    word, _, line_rest = first_line.strip().partition(" ")
    keyword = word.rstrip(_TRAILING).lower()
    if keyword in APPROVE_WORDS:
        approve = True
    elif keyword in DENY_WORDS:
        approve = False
    else:
        return None
    reason = "\n".join(part for part in (line_rest.strip(), rest.strip()) if part)
    return Keyword(approve=approve, reason=reason)


def tally(
    comments: Iterable[Comment],
    *,
    is_approver: Callable[[str], bool],
    min_approvals: int,
    initiator: str | None,
    exclude_initiator: bool,
) -> Tally:
    """Count approvers' votes in comment order: one deny ends it; N distinct approvals pass.

    Comments by non-approvers and comments with no keyword are ignored; with
    `exclude_initiator` the initiator's votes never count, even if they are an approver.
    """
    approvals: dict[str, Vote] = {}
    for comment in sorted(comments, key=lambda c: (c.at, c.comment_id)):
        keyword = parse_keyword(comment.body)
        if keyword is None or not _may_vote(comment.login, initiator, exclude_initiator):
            continue
        if not is_approver(comment.login):
            continue
        vote = Vote(comment.login, keyword.approve, keyword.reason, comment.url, comment.at)
        if not vote.approve:
            return Tally(ApprovalStatus.DENIED, tuple(approvals.values()), vote)
        approvals.setdefault(comment.login.lower(), vote)
        if len(approvals) >= min_approvals:
            return Tally(ApprovalStatus.APPROVED, tuple(approvals.values()), None)
    return Tally(None, tuple(approvals.values()), None)


def _may_vote(login: str, initiator: str | None, exclude_initiator: bool) -> bool:
    if not exclude_initiator or not initiator:
        return True
    return login.lower() != initiator.lower()
