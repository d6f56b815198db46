"""Shared pieces of the gate's functional tests: a GitHub stand-in on a free port, a
clock on which scripted events (a reviewer's comment) happen while the gate sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from powertune.clock import ManualClock
from powertune.decision.approval import GateSettings, SecretToken
from powertune.localcloud.github import ADMIN_PREFIX
from powertune.localcloud.github.server import GitHubServer

REPO = "acme/payments"
TOKEN = "ghs_gateTEST0token0value0" + "9f3c1d7e5b"  # distinctive, grep-able


@dataclass
class StandIn:
    """A running stand-in and its control endpoints."""

    api_url: str
    endpoint_url: str

    def _admin(self, method: str, path: str, document: object | None = None) -> Any:
        with httpx.Client(timeout=10) as client:
            reply = client.request(
                method, f"{self.endpoint_url}{ADMIN_PREFIX}{path}", json=document
            )
        assert reply.status_code < 400, reply.text
        return reply.json()

    def comments(self, issue: int, login: str, bodies: list[str]) -> None:
        """Many comments over one connection."""
        with httpx.Client(timeout=10) as client:
            for body in bodies:
                document = {"repo": REPO, "issue": issue, "login": login, "body": body}
                url = f"{self.endpoint_url}{ADMIN_PREFIX}/comment"
                assert client.post(url, json=document).status_code == 201

    def comment(self, issue: int, login: str, body: str) -> dict[str, Any]:
        document = {"repo": REPO, "issue": issue, "login": login, "body": body}
        result: dict[str, Any] = self._admin("POST", "/comment", document)
        return result

    def team(self, team: str, *logins: str) -> None:
        self._admin("POST", "/team", {"team": team, "add": list(logins)})

    def users(self, *logins: str) -> None:
        self._admin("POST", "/users", {"logins": list(logins)})

    def fault(self, status: int, path_contains: str, method: str | None = None,
              headers: dict[str, str] | None = None, count: int = 1,
              body: dict[str, object] | None = None) -> None:  # fmt: skip
        document = {
            "status": status,
            "path_contains": path_contains,
            "method": method,
            "headers": headers or {},
            "count": count,
            "body": body or {"message": f"injected {status}"},
        }
        self._admin("POST", "/fault", document)

    def issue_state(self, issue: int, *, deleted: bool = False, locked: bool = False) -> None:
        document = {"repo": REPO, "issue": issue, "deleted": deleted, "locked": locked}
        self._admin("POST", "/issue-state", document)

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._admin("GET", "/requests")
        return result

    def issues(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._admin("GET", f"/issues?repo={REPO}")
        return result


class ScriptedClock(ManualClock):
    """A manual clock (starting now) that runs scheduled actions as sleeps pass them."""

    def __init__(self) -> None:
        super().__init__(start=time.time())
        self._events: list[tuple[float, Callable[[], None]]] = []
        self.slept_s: list[float] = []

    def at(self, offset_s: float, action: Callable[[], None]) -> None:
        self._events.append((offset_s, action))
        self._events.sort(key=lambda event: event[0])

    def sleep(self, seconds: float) -> None:
        self.slept_s.append(seconds)
        super().sleep(seconds)
        while self._events and self._events[0][0] <= self.monotonic():
            _, action = self._events.pop(0)
            action()


@pytest.fixture(scope="session")
def github_server() -> Iterator[GitHubServer]:
    """One stand-in per test session (per xdist worker), on a free port."""
    server = GitHubServer(port=0)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stand_in(github_server: GitHubServer) -> StandIn:
    """The session's stand-in, emptied for this test."""
    handle = StandIn(github_server.api_url, github_server.endpoint_url)
    handle._admin("POST", "/reset")
    return handle


def settings_for(
    stand_in: StandIn,
    approvers: tuple[str, ...] = ("alice", "bob"),
    *,
    min_approvals: int = 1,
    initiator: str | None = "octocat",
    exclude_initiator: bool = False,
    timeout_s: float = 3600.0,
    poll_interval_s: float = 30.0,
) -> GateSettings:
    return GateSettings(
        api_url=stand_in.api_url,
        token=SecretToken(TOKEN),
        repo=REPO,
        approvers=approvers,
        min_approvals=min_approvals,
        initiator=initiator,
        exclude_initiator=exclude_initiator,
        timeout_s=timeout_s,
        poll_interval_s=poll_interval_s,
    )
