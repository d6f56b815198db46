"""The gate's pure rules: which comment is a vote, and when the votes decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from powertune.decision.approval_rules import (
    ApprovalStatus,
    Approvers,
    Comment,
    GateOutcome,
    Keyword,
    Vote,
    outcome_json,
    parse_keyword,
    refusal_message,
    tally,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("approve", Keyword(True, "")),
        ("Approved: numbers look right", Keyword(True, "numbers look right")),
        ("LGTM!", Keyword(True, "")),
        ("yes, ship it", Keyword(True, "ship it")),
        ("/approve", Keyword(True, "")),
        ("  lgtm.  \nsecond line", Keyword(True, "second line")),
        ("deny", Keyword(False, "")),
        ("Denied: p99 doubles", Keyword(False, "p99 doubles")),
        ("no", Keyword(False, "")),
        ("REJECT! too risky\nsee the graph", Keyword(False, "too risky\nsee the graph")),
        ("/deny budget", Keyword(False, "budget")),
    ],
)
def test_keywords_are_the_first_word_case_insensitive(body: str, expected: Keyword) -> None:
    assert parse_keyword(body) == expected


@pytest.mark.parametrize(
    "body",
    ["", "   ", "I approve", "approves", "nope", "noted", "lgtm?", "> approve", "thanks\napprove"],
)
def test_other_comments_are_no_vote(body: str) -> None:
    assert parse_keyword(body) is None


def _comments(*entries: tuple[str, str]) -> list[Comment]:
    return [
        Comment(n, login, body, f"https://x/c/{n}", T0 + timedelta(seconds=n), T0)
        for n, (login, body) in enumerate(entries, start=1)
    ]


def _tally(comments: list[Comment], users: set[str], n: int = 1, **kwargs: object):  # type: ignore[no-untyped-def]
    return tally(
        comments,
        is_approver=lambda login: login in users,
        min_approvals=n,
        initiator=kwargs.get("initiator"),  # type: ignore[arg-type]
        exclude_initiator=bool(kwargs.get("exclude_initiator", False)),
    )


def test_one_approver_approves() -> None:
    result = _tally(_comments(("alice", "approve")), {"alice"})
    assert result.status is ApprovalStatus.APPROVED
    assert [v.login for v in result.approved_by] == ["alice"]


def test_non_approvers_are_ignored() -> None:
    result = _tally(_comments(("mallory", "approve"), ("eve", "deny")), {"alice"})
    assert result.status is None
    assert result.approved_by == () and result.denied_by is None


def test_one_deny_ends_it_even_after_approvals() -> None:
    result = _tally(_comments(("alice", "approve"), ("bob", "no: later")), {"alice", "bob"}, n=2)
    assert result.status is ApprovalStatus.DENIED
    assert result.denied_by is not None and result.denied_by.reason == "later"
    assert [v.login for v in result.approved_by] == ["alice"]


def test_n_approvals_need_n_distinct_approvers() -> None:
    comments = _comments(("alice", "approve"), ("Alice", "lgtm"), ("alice", "yes"))
    assert _tally(comments, {"alice", "Alice", "bob"}, n=2).status is None
    more = _comments(("alice", "approve"), ("alice", "lgtm"), ("bob", "yes"))
    result = _tally(more, {"alice", "bob"}, n=2)
    assert result.status is ApprovalStatus.APPROVED
    assert [v.login for v in result.approved_by] == ["alice", "bob"]


def test_the_initiator_never_counts_when_excluded() -> None:
    comments = _comments(("alice", "approve"), ("alice", "deny"))
    excluded = _tally(comments, {"alice"}, initiator="ALICE", exclude_initiator=True)
    assert excluded.status is None
    counted = _tally(comments, {"alice"}, initiator="alice", exclude_initiator=False)
    assert counted.status is ApprovalStatus.APPROVED


def test_votes_are_counted_in_time_order_not_list_order() -> None:
    early, late = _comments(("bob", "deny"), ("alice", "approve"))
    result = _tally([late, early], {"alice", "bob"})
    assert result.status is ApprovalStatus.DENIED


def test_approvers_split_users_and_teams() -> None:
    approvers = Approvers.parse(["alice", "@bob", "@acme/sre", "acme/dba", "alice", " "])
    assert approvers.users == ("alice", "bob")
    assert approvers.teams == ("acme/sre", "acme/dba")


def _outcome(status: ApprovalStatus, approved: int = 0, denied: bool = False) -> GateOutcome:
    votes = tuple(Vote(f"user{n}", True, "", f"https://x/c/{n}", T0) for n in range(approved))
    deny = Vote("bob", False, "too risky", "https://x/c/9", T0) if denied else None
    return GateOutcome(status, 7, "https://x/issues/7", votes, deny, 3600.0)


def test_the_outcome_record_names_who_decided() -> None:
    record = outcome_json(_outcome(ApprovalStatus.DENIED, approved=1, denied=True))
    assert record["status"] == "denied"
    assert record["denied_by"] == {
        "login": "bob",
        "approve": False,
        "reason": "too risky",
        "comment_url": "https://x/c/9",
        "at": T0.isoformat(),
    }
    assert [v["login"] for v in record["approved_by"]] == ["user0"]  # type: ignore[attr-defined]


def test_refusal_messages_say_who_or_how_long() -> None:
    assert refusal_message(_outcome(ApprovalStatus.APPROVED, approved=1), 1) is None
    denied = refusal_message(_outcome(ApprovalStatus.DENIED, denied=True), 1)
    assert denied is not None and denied.startswith("denied by @bob: too risky")
    timed_out = refusal_message(_outcome(ApprovalStatus.TIMED_OUT, approved=1), 2)
    assert timed_out is not None and "(1 of 2 approvals)" in timed_out
