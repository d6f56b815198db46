"""The stand-in's control endpoints (not GitHub's API): act as a reviewer, manage teams,
inject faults, read what the stand-in was sent.

Under ADMIN_PREFIX, JSON in and out:
- `POST /comment` `{"repo", "issue", "login", "body"}`: a comment by that user (`issue`
  may be `latest`: the newest open issue);
- `POST /team` `{"team": "org/team", "add": [logins]}`; `POST /users` `{"logins": [...]}`
  (known users can be assigned);
- `POST /fault` `{"status", "headers", "body", "method", "path_contains", "count"}`;
- `POST /issue-state` `{"repo", "issue", "deleted": bool, "locked": bool}`;
- `GET /requests`: every request recorded (without tokens); `GET /issues?repo=o/r`;
- `POST /reset`: forget everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse, json_response
from powertune.localcloud.github import ADMIN_PREFIX, shapes
from powertune.localcloud.github.shapes import StoredIssue
from powertune.localcloud.github.store import Fault, GitHubStore


class GitHubAdmin:
    """Answers requests whose path starts with ADMIN_PREFIX."""

    def __init__(self, store: GitHubStore) -> None:
        self.store = store

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.path.removeprefix(ADMIN_PREFIX)
        routes: dict[tuple[str, str], Callable[[HttpRequest], HttpResponse]] = {
            ("POST", "/comment"): self._comment,
            ("POST", "/team"): self._team,
            ("POST", "/users"): self._users,
            ("POST", "/fault"): self._fault,
            ("POST", "/issue-state"): self._issue_state,
            ("GET", "/requests"): self._requests,
            ("GET", "/issues"): self._issues,
            ("POST", "/reset"): self._reset,
        }
        answer = routes.get((request.method, path))
        if answer is None:
            return json_response(404, {"message": f"no such stand-in control endpoint: {path}"})
        try:
            return answer(request)
        except (ValueError, KeyError, TypeError) as exc:
            return json_response(400, {"message": f"bad control request: {exc!r}"})

    def _comment(self, request: HttpRequest) -> HttpResponse:
        document = _body(request)
        login, body = str(document["login"]), str(document["body"])
        with self.store.lock:
            found = self._find_issue(document.get("repo"), str(document["issue"]))
            if isinstance(found, HttpResponse):
                return found
            repo, stored = found
            comment = self.store.add_comment(stored, login, body)
            api = f"http://{request.header('Host') or '127.0.0.1'}/_powertune/github"
            return json_response(201, shapes.comment(api, repo, stored.number, comment))

    def _find_issue(self, repo: object, issue: str) -> tuple[str, StoredIssue] | HttpResponse:
        """`repo`'s issue number `issue`, or with `latest` the newest open one.

        Without a repository: the one repository holding that issue.
        """
        chosen = [
            (name, stored)
            for name, repository in self.store.repos.items()
            if not repo or name == str(repo).lower()
            for stored in repository.issues.values()
            if not stored.deleted
            and (issue == str(stored.number) or (issue == "latest" and stored.state == "open"))
        ]
        where = f"{repo}#{issue}" if repo else f"#{issue}"
        if not chosen:
            return json_response(404, {"message": f"no issue {where} (open, for latest)"})
        if issue == "latest":
            return max(chosen, key=lambda pair: (pair[1].created_s, pair[1].number))
        if len(chosen) > 1:
            names = ", ".join(name for name, _ in chosen)
            return json_response(400, {"message": f"issue {where} is in {names}: pass --repo"})
        return chosen[0]

    def _team(self, request: HttpRequest) -> HttpResponse:
        document = _body(request)
        team = str(document["team"]).removeprefix("@")
        if team.count("/") != 1:
            raise ValueError(f"team {team!r} is not ORG/TEAM")
        self.store.add_team_members(team, [str(x) for x in document.get("add") or []])
        with self.store.lock:
            members = sorted(self.store.teams.get(team.lower(), set()))
        return json_response(200, {"team": team, "members": members})

    def _users(self, request: HttpRequest) -> HttpResponse:
        self.store.add_users([str(x) for x in _body(request)["logins"]])
        with self.store.lock:
            return json_response(200, {"users": sorted(self.store.users)})

    def _fault(self, request: HttpRequest) -> HttpResponse:
        document = _body(request)
        fault = Fault(
            status=int(document["status"]),
            headers={str(k): str(v) for k, v in dict(document.get("headers") or {}).items()},
            body=dict(document.get("body") or {}),
            method=str(document["method"]) if document.get("method") else None,
            path_contains=str(document.get("path_contains") or ""),
            count=int(document.get("count", 1)),
        )
        with self.store.lock:
            self.store.faults.append(fault)
        return json_response(201, {"queued": len(self.store.faults)})

    def _issue_state(self, request: HttpRequest) -> HttpResponse:
        document = _body(request)
        repo, number = str(document["repo"]), int(document["issue"])
        with self.store.lock:
            stored = self.store.repo(repo).issues.get(number)
            if stored is None:
                return json_response(404, {"message": f"no issue {repo}#{number}"})
            stored.deleted = bool(document.get("deleted", stored.deleted))
            stored.locked = bool(document.get("locked", stored.locked))
            return json_response(200, {"deleted": stored.deleted, "locked": stored.locked})

    def _reset(self, _request: HttpRequest) -> HttpResponse:
        with self.store.lock:
            self.store.reset()
        return json_response(200, {"reset": True})

    def _requests(self, _request: HttpRequest) -> HttpResponse:
        with self.store.lock:
            return json_response(200, list(self.store.records))

    def _issues(self, request: HttpRequest) -> HttpResponse:
        repo = request.query("repo") or ""
        with self.store.lock:
            issues = self.store.repo(repo).issues.values()
            document = [
                {
                    "number": i.number,
                    "title": i.title,
                    "body": i.body,
                    "state": i.state,
                    "labels": i.labels,
                    "assignees": i.assignees,
                    "comments": [{"login": c.login, "body": c.body} for c in i.comments],
                }
                for i in issues
            ]
        return json_response(200, document)


def _body(request: HttpRequest) -> dict[str, Any]:
    document = json.loads(request.body or b"{}")
    if not isinstance(document, dict):
        raise TypeError("the body must be a JSON object")
    return document
