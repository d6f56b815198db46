"""What the GitHub stand-in holds: repositories' issues and comments, teams, known users,
injected faults and the record of every request it was sent (without the token).

One lock guards it all: the front door serves requests on many threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from powertune.localcloud.github.shapes import StoredComment, StoredIssue

BOT_LOGIN = "github-actions[bot]"  # who a token acts as, like the workflow's GITHUB_TOKEN


@dataclass
class Fault:
    """An answer to give instead of the real one, `count` times, to matching requests."""

    status: int
    headers: dict[str, str]
    body: dict[str, object]
    method: str | None = None  # None: any method
    path_contains: str = ""  # a substring of the path after the API prefix
    count: int = 1

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and self.path_contains in path


@dataclass
class Repository:
    issues: dict[int, StoredIssue] = field(default_factory=dict)
    next_number: int = 1


class GitHubStore:
    """The stand-in's state; every method takes the lock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget everything (tests share one stand-in and start each from nothing)."""
        self.repos: dict[str, Repository] = {}
        self.teams: dict[str, set[str]] = {}
        self.users: set[str] = {BOT_LOGIN.lower()}
        self.faults: list[Fault] = []
        self.records: list[dict[str, object]] = []
        self._next_comment_id = 1000

    def repo(self, name: str) -> Repository:
        with self.lock:
            return self.repos.setdefault(name.lower(), Repository())

    def add_users(self, logins: list[str]) -> None:
        with self.lock:
            self.users.update(login.lower() for login in logins)

    def add_team_members(self, team: str, logins: list[str]) -> None:
        with self.lock:
            self.teams.setdefault(team.lower(), set()).update(x.lower() for x in logins)
            self.users.update(login.lower() for login in logins)

    def is_member(self, team: str, login: str) -> bool:
        with self.lock:
            return login.lower() in self.teams.get(team.lower(), set())

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.count > 0 and fault.matches(method, path):
                    fault.count -= 1
                    return fault
            return None

    def create_issue(
        self, repo: str, title: str, body: str, labels: list[str], assignees: list[str]
    ) -> StoredIssue:
        with self.lock:
            repository = self.repo(repo)
            now = self.clock()
            stored = StoredIssue(
                number=repository.next_number,
                title=title,
                body=body,
                login=BOT_LOGIN,
                labels=labels,
                assignees=assignees,
                created_s=now,
                updated_s=now,
            )
            repository.issues[stored.number] = stored
            repository.next_number += 1
            return stored

    def add_comment(self, issue: StoredIssue, login: str, body: str) -> StoredComment:
        with self.lock:
            now = self.clock()
            self._next_comment_id += 1
            stored = StoredComment(self._next_comment_id, login, body, now, now)
            issue.comments.append(stored)
            issue.updated_s = now
            self.users.add(login.lower())
            return stored

    def record(self, entry: dict[str, object]) -> None:
        with self.lock:
            self.records.append(entry)
