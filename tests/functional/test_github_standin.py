"""The stand-in's own behaviour, over HTTP: authentication, pages, since, ETag, faults."""

from __future__ import annotations

import httpx
import pytest
from gate_fixtures import REPO, StandIn
from gate_fixtures import github_server as github_server
from gate_fixtures import stand_in as stand_in

AUTH = {"Authorization": "Bearer any-token-at-all"}


@pytest.fixture
def issue(stand_in: StandIn) -> int:
    reply = httpx.post(f"{stand_in.api_url}/repos/{REPO}/issues", json={"title": "t"}, headers=AUTH)
    assert reply.status_code == 201
    number: int = reply.json()["number"]
    return number


def test_requests_without_a_bearer_token_are_401(stand_in: StandIn) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic eDp5"}):
        reply = httpx.get(f"{stand_in.api_url}/repos/{REPO}/issues/1", headers=headers)
        assert reply.status_code == 401


def test_pages_are_linked_and_since_filters(stand_in: StandIn, issue: int) -> None:
    stand_in.comments(issue, "watcher", [f"c{n}" for n in range(5)])
    url = f"{stand_in.api_url}/repos/{REPO}/issues/{issue}/comments"

    first = httpx.get(url, params={"per_page": 2}, headers=AUTH)
    second = httpx.get(first.links["next"]["url"], headers=AUTH)

    assert [c["body"] for c in first.json()] == ["c0", "c1"]
    assert [c["body"] for c in second.json()] == ["c2", "c3"]
    assert set(second.links) == {"next", "last", "first", "prev"}
    assert "page=3" in first.links["last"]["url"]
    assert httpx.get(url, params={"since": "2100-01-01T00:00:00Z"}, headers=AUTH).json() == []
    assert httpx.get(url, params={"since": "2000-01-01 00:00:00"}, headers=AUTH).status_code == 422


def test_a_matching_etag_is_304_until_something_changes(stand_in: StandIn, issue: int) -> None:
    url = f"{stand_in.api_url}/repos/{REPO}/issues/{issue}/comments"
    tag = httpx.get(url, headers=AUTH).headers["ETag"]

    assert httpx.get(url, headers={**AUTH, "If-None-Match": tag}).status_code == 304
    stand_in.comment(issue, "alice", "approve")
    assert httpx.get(url, headers={**AUTH, "If-None-Match": tag}).status_code == 200


def test_faults_are_served_count_times_then_the_real_answer(stand_in: StandIn, issue: int) -> None:
    stand_in.fault(429, "/comments", "GET", {"Retry-After": "3"}, count=2)
    url = f"{stand_in.api_url}/repos/{REPO}/issues/{issue}/comments"

    answers = [httpx.get(url, headers=AUTH) for _ in range(3)]

    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "3"


def test_locked_and_deleted_issues(stand_in: StandIn, issue: int) -> None:
    url = f"{stand_in.api_url}/repos/{REPO}/issues/{issue}"
    stand_in.issue_state(issue, locked=True)
    refused = httpx.post(f"{url}/comments", json={"body": "hi"}, headers=AUTH)
    assert refused.status_code == 403
    assert httpx.get(url, headers=AUTH).json()["locked"] is True
    stand_in.issue_state(issue, deleted=True)
    assert httpx.get(url, headers=AUTH).status_code == 410


def test_the_record_keeps_the_scheme_not_the_token(stand_in: StandIn, issue: int) -> None:
    (created,) = stand_in.requests()
    assert created["headers"]["authorization"] == "Bearer <redacted>"
    assert created["status"] == 201 and issue == 1
