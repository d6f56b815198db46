"""The manual gate end to end against the GitHub stand-in on 127.0.0.1: each scenario of
issue 11 (approve, deny, ignored comments, teams, self-approval, two approvals, timeout,
rate limits, server errors, a deleted or locked issue), on a clock that never sleeps.
"""

from __future__ import annotations

import httpx
import pytest
from gate_fixtures import REPO, ScriptedClock, StandIn, settings_for
from gate_fixtures import github_server as github_server
from gate_fixtures import stand_in as stand_in

from powertune.decision.approval import (
    GateSettings,
    close_gate,
    open_gate,
    wait_for_decision,
)
from powertune.decision.approval_rules import ApprovalStatus, GateOutcome
from powertune.decision.github_api import IssueRef
from powertune.errors import GitHubError

SUMMARY = "Change `payments-api` from 1024 MB to 512 MB (saves 31% per invocation)."


def opened(settings: GateSettings, clock: ScriptedClock) -> IssueRef:
    return open_gate(settings, "powertune: payments-api 1024 MB -> 512 MB", SUMMARY, clock=clock)


def decided(settings: GateSettings, clock: ScriptedClock, ref: IssueRef) -> GateOutcome:
    return wait_for_decision(settings, ref, clock=clock)


def comment_gets(stand_in: StandIn) -> list[dict[str, object]]:
    return [r for r in stand_in.requests() if r["method"] == "GET" and "comments" in str(r["path"])]


def test_approve_opens_an_assigned_labelled_issue_and_closes_it(stand_in: StandIn) -> None:
    stand_in.users("alice", "bob")
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "alice", "Approved: numbers look right")

    outcome = decided(settings, clock, ref)
    report = close_gate(settings, ref, outcome, "Applied 512 MB to payments-api.", clock=clock)

    assert outcome.status is ApprovalStatus.APPROVED
    assert [(v.login, v.reason) for v in outcome.approved_by] == [("alice", "numbers look right")]
    assert outcome.denied_by is None
    assert report.closed and report.error is None
    (issue,) = stand_in.issues()
    assert issue["labels"] == ["powertune"]
    assert issue["assignees"] == ["alice", "bob"]
    assert issue["state"] == "closed"
    closing = issue["comments"][-1]["body"]
    assert "approved by @alice" in closing and "512 MB" in closing


def test_deny_records_who_and_why(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "alice", "Looking at the numbers now")
    stand_in.comment(ref.number, "bob", "Deny: p99 doubles\nat peak traffic")
    stand_in.comment(ref.number, "alice", "approve")  # too late: one deny ends it

    outcome = decided(settings, clock, ref)

    assert outcome.status is ApprovalStatus.DENIED
    assert outcome.denied_by is not None
    assert (outcome.denied_by.login, outcome.denied_by.reason) == (
        "bob",
        "p99 doubles\nat peak traffic",
    )
    close_gate(settings, ref, outcome, "Nothing applied.", clock=clock)
    (issue,) = stand_in.issues()
    assert issue["state"] == "closed"
    assert "denied by @bob" in issue["comments"][-1]["body"]


def test_a_non_approvers_approve_is_ignored_while_the_gate_keeps_waiting(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in, poll_interval_s=30), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "mallory", "approve")
    clock.at(95, lambda: stand_in.comment(ref.number, "alice", "/approve"))

    outcome = decided(settings, clock, ref)

    assert outcome.status is ApprovalStatus.APPROVED
    assert [v.login for v in outcome.approved_by] == ["alice"]
    assert outcome.waited_s >= 95
    gets = comment_gets(stand_in)
    assert len(gets) >= 4  # polled at 0, 30, 60, 90 before alice spoke
    # Unchanged polls are conditional requests answered 304 (no rate limit spent on GitHub).
    assert any(r["status"] == 304 for r in gets)
    assert all(r["headers"].get("if-none-match") for r in gets[1:] if r["status"] == 304)


def test_a_team_member_is_counted_and_a_non_member_is_not(stand_in: StandIn) -> None:
    stand_in.team("acme/reviewers", "carol")
    settings, clock = settings_for(stand_in, ("@acme/reviewers",)), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "dave", "approve")
    clock.at(30, lambda: stand_in.comment(ref.number, "carol", "LGTM."))

    outcome = decided(settings, clock, ref)

    assert outcome.status is ApprovalStatus.APPROVED
    assert [v.login for v in outcome.approved_by] == ["carol"]
    asked = {r["path"] for r in stand_in.requests() if "memberships" in str(r["path"])}
    assert asked == {
        "/orgs/acme/teams/reviewers/memberships/dave",
        "/orgs/acme/teams/reviewers/memberships/carol",
    }


def test_self_approval_is_excluded(stand_in: StandIn) -> None:
    settings = settings_for(stand_in, initiator="alice", exclude_initiator=True)
    clock = ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "alice", "approve")
    clock.at(60, lambda: stand_in.comment(ref.number, "bob", "yes"))

    outcome = decided(settings, clock, ref)

    assert outcome.status is ApprovalStatus.APPROVED
    assert [v.login for v in outcome.approved_by] == ["bob"]
    assert outcome.waited_s >= 60


def test_two_approvals_need_two_distinct_approvers(stand_in: StandIn) -> None:
    settings = settings_for(stand_in, ("alice", "bob", "carol"), min_approvals=2)
    clock = ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "alice", "approve")
    stand_in.comment(ref.number, "alice", "approve, really")
    clock.at(120, lambda: stand_in.comment(ref.number, "carol", "approved"))

    outcome = decided(settings, clock, ref)

    assert outcome.status is ApprovalStatus.APPROVED
    assert [v.login for v in outcome.approved_by] == ["alice", "carol"]
    assert outcome.waited_s >= 120


def test_no_decision_times_out_and_the_issue_is_closed(stand_in: StandIn) -> None:
    settings = settings_for(stand_in, timeout_s=300, poll_interval_s=60)
    clock = ScriptedClock()
    ref = opened(settings, clock)

    outcome = decided(settings, clock, ref)
    report = close_gate(settings, ref, outcome, "Nothing applied.", clock=clock)

    assert outcome.status is ApprovalStatus.TIMED_OUT
    assert outcome.waited_s == pytest.approx(300)
    assert outcome.approved_by == () and outcome.denied_by is None
    assert report.closed
    (issue,) = stand_in.issues()
    assert issue["state"] == "closed"
    assert "timed out" in issue["comments"][-1]["body"]
    assert "no decision within 5m" in issue["comments"][-1]["body"]
    assert "within 5m the change is not applied" in issue["body"]


def test_a_403_with_no_remaining_rate_limit_waits_for_the_reset(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "alice", "approve")
    reset = int(clock.now()) + 600
    stand_in.fault(403, "/comments", "GET",
                   {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
                   body={"message": "API rate limit exceeded"})  # fmt: skip

    outcome = decided(settings, clock, ref)

    assert outcome.status is ApprovalStatus.APPROVED
    assert clock.now() >= reset  # waited on the injected clock, not for real
    statuses = [r["status"] for r in comment_gets(stand_in)]
    assert statuses == [403, 200]


def test_a_429_waits_as_retry_after_says(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "bob", "approve")
    stand_in.fault(429, "/issues/", "GET", {"Retry-After": "42"}, count=2)

    outcome = decided(settings, clock, ref)

    assert outcome.status is ApprovalStatus.APPROVED
    assert clock.slept_s[:2] == [42.0, 42.0]


def test_a_403_that_is_no_rate_limit_is_an_error_at_once(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.fault(
        403, "/comments", "GET", body={"message": "Resource not accessible by integration"}
    )

    with pytest.raises(GitHubError, match="403 Resource not accessible"):
        decided(settings, clock, ref)
    assert len(comment_gets(stand_in)) == 1
    assert clock.slept_s == []


def test_server_errors_are_retried_then_reported_as_an_error(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.fault(502, f"/issues/{ref.number}", "GET", count=10)

    with pytest.raises(GitHubError, match="502") as raised:
        decided(settings, clock, ref)
    assert "after 4 attempts" in str(raised.value)
    gets = [r for r in stand_in.requests() if r["method"] == "GET"]
    assert [r["status"] for r in gets] == [502, 502, 502, 502]
    assert clock.slept_s == [1.0, 4.0, 9.0]


def test_one_server_error_is_retried_and_the_gate_goes_on(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "alice", "approve")
    stand_in.fault(503, "/comments", "GET")

    assert decided(settings, clock, ref).status is ApprovalStatus.APPROVED


def test_a_deleted_issue_is_an_error_not_a_denial(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    clock.at(30, lambda: stand_in.issue_state(ref.number, deleted=True))

    with pytest.raises(GitHubError, match="410 This issue was deleted"):
        decided(settings, clock, ref)
    # Closing cannot reach the issue either: reported, not raised.
    outcome = GateOutcome(ApprovalStatus.TIMED_OUT, ref.number, ref.html_url, (), None, 30.0)
    report = close_gate(settings, ref, outcome, "Nothing applied.", clock=clock)
    assert not report.closed
    assert report.error is not None and "410" in report.error


def test_an_issue_closed_by_hand_is_an_error_not_a_denial(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    reply = httpx.patch(
        f"{stand_in.api_url}/repos/{REPO}/issues/{ref.number}",
        json={"state": "closed"},
        headers={"Authorization": "Bearer someone-else"},
    )
    assert reply.status_code == 200

    with pytest.raises(GitHubError, match="closed before the approvers decided"):
        decided(settings, clock, ref)


def test_an_approval_counts_even_if_the_reviewer_then_locks_the_issue(
    stand_in: StandIn,
) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "alice", "approve")
    stand_in.issue_state(ref.number, locked=True)

    outcome = decided(settings, clock, ref)
    assert outcome.status is ApprovalStatus.APPROVED
    report = close_gate(settings, ref, outcome, "Applied 512 MB.", clock=clock)
    assert report.closed and report.comment_url is None  # locked: no comment, but closed
    assert report.error is not None and "locked" in report.error
    (issue,) = stand_in.issues()
    assert issue["state"] == "closed"


def test_a_locked_issue_is_an_error(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.issue_state(ref.number, locked=True)

    with pytest.raises(GitHubError, match="locked"):
        decided(settings, clock, ref)


def test_a_refused_assignee_opens_the_issue_unassigned_naming_the_approvers(
    stand_in: StandIn,
) -> None:
    stand_in.users("alice")  # bob cannot be assigned: GitHub answers 422
    settings, clock = settings_for(stand_in, ("alice", "bob", "@acme/sre")), ScriptedClock()

    ref = opened(settings, clock)

    (issue,) = stand_in.issues()
    assert issue["number"] == ref.number
    assert issue["assignees"] == []
    assert "@alice, @bob, @acme/sre" in issue["body"]
    posts = [r["status"] for r in stand_in.requests() if r["method"] == "POST"]
    assert posts == [422, 201]


def test_team_membership_without_read_org_says_so(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in, ("@acme/reviewers",)), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "carol", "approve")
    stand_in.fault(
        403, "/memberships/", "GET", body={"message": "Resource not accessible by integration"}
    )

    with pytest.raises(GitHubError, match="read:org"):
        decided(settings, clock, ref)


def test_comments_are_read_across_pages_with_link(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comments(ref.number, "watcher", [f"+1 number {n}" for n in range(130)])
    stand_in.comment(ref.number, "bob", "approve")

    outcome = decided(settings, clock, ref)

    assert outcome.status is ApprovalStatus.APPROVED
    queries = [str(r["query"]) for r in comment_gets(stand_in)]
    assert queries[0] == "per_page=100"
    assert "page=2" in queries[1]


def test_a_new_poll_asks_only_since_the_last_comment(stand_in: StandIn) -> None:
    settings, clock = settings_for(stand_in), ScriptedClock()
    ref = opened(settings, clock)
    stand_in.comment(ref.number, "watcher", "looking")
    clock.at(30, lambda: stand_in.comment(ref.number, "alice", "approve"))

    decided(settings, clock, ref)

    queries = [str(r["query"]) for r in comment_gets(stand_in)]
    assert "since" not in queries[0]
    assert all("since=" in q for q in queries[1:])
    assert REPO  # the repository the helpers post to


def test_the_default_clock_really_waits_and_times_out(stand_in: StandIn) -> None:
    settings = settings_for(stand_in, timeout_s=0.3, poll_interval_s=0.1)
    ref = open_gate(settings, "title", "body")

    outcome = wait_for_decision(settings, ref)  # SystemClock: real, short sleeps

    assert outcome.status is ApprovalStatus.TIMED_OUT
    assert len(comment_gets(stand_in)) >= 2
