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
