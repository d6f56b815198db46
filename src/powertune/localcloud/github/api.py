"""The REST subset the gate uses, answered as GitHub answers it.

- `POST /repos/{o}/{r}/issues`: 422 when an assignee is not a known user;
- `GET`, `PATCH /repos/{o}/{r}/issues/{n}`: 410 once the issue is deleted;
- `GET`, `POST /repos/{o}/{r}/issues/{n}/comments`: `since`, pages with `Link`,
  ETag/304; 403 on a locked issue;
- `GET /orgs/{org}/teams/{team}/memberships/{user}`: 200 or 404.

Any non-empty Bearer token is accepted (401 without one). Each request is recorded
with its Authorization header reduced to its scheme: the token itself is never kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse, json_response
from powertune.localcloud.github import API_PREFIX, shapes
from powertune.localcloud.github.paging import (
    BadQuery,
    etag,
    link_header,
    not_modified,
    page_window,
    parse_since,
)
from powertune.localcloud.github.shapes import StoredIssue
from powertune.localcloud.github.store import BOT_LOGIN, GitHubStore

_ISSUES = re.compile(r"^/repos/([^/]+/[^/]+)/issues$")
_ISSUE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)$")
_COMMENTS = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_MEMBERSHIP = re.compile(r"^/orgs/([^/]+)/teams/([^/]+)/memberships/([^/]+)$")
_RATE_LIMIT_LIMIT = 5000


class GitHubApi:
    """Answers requests whose path starts with API_PREFIX."""

    def __init__(self, store: GitHubStore) -> None:
        self.store = store

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.path.removeprefix(API_PREFIX) or "/"
        response = self._answer(request, path)
        self.store.record(_record(request, path, response))
        return response

    def _answer(self, request: HttpRequest, path: str) -> HttpResponse:
        if not _bearer_token(request):
            return _reply(401, shapes.error("Requires authentication"))
        fault = self.store.take_fault(request.method, path)
        if fault is not None:
            return _reply(fault.status, fault.body or shapes.error("injected fault"), fault.headers)
        api = _api_url(request)
        try:
            return self._route(request, path, api)
        except BadQuery as exc:
            return _reply(422, shapes.error(f"Validation Failed: {exc}"))
        except (ValueError, KeyError, TypeError) as exc:
            return _reply(400, shapes.error(f"Problems parsing JSON: {exc}"))

    def _route(self, request: HttpRequest, path: str, api: str) -> HttpResponse:
        method = request.method
        routes: list[tuple[str, re.Pattern[str], Callable[..., HttpResponse]]] = [
            ("POST", _ISSUES, self._create_issue),
            ("GET", _ISSUE, self._get_issue),
            ("PATCH", _ISSUE, self._update_issue),
            ("GET", _COMMENTS, self._list_comments),
            ("POST", _COMMENTS, self._create_comment),
            ("GET", _MEMBERSHIP, self._membership),
        ]
        for verb, pattern, answer in routes:
            match = pattern.match(path)
            if match is not None and verb == method:
                return answer(request, api, *match.groups())
        return _reply(404, shapes.error("Not Found"))

    def _create_issue(self, request: HttpRequest, api: str, repo: str) -> HttpResponse:
        document = _json_body(request)
        title = document["title"]
        if not isinstance(title, str) or not title:
            raise BadQuery("title must be a non-empty string")
        assignees = [str(x) for x in document.get("assignees") or []]
        unknown = [x for x in assignees if x.lower() not in self.store.users]
        if unknown:
            errors = [
                {"value": x, "resource": "Issue", "field": "assignees", "code": "invalid"}
                for x in unknown
            ]
            return _reply(422, shapes.error("Validation Failed", errors=errors))
        labels = [str(x) for x in document.get("labels") or []]
        stored = self.store.create_issue(
            repo, title, str(document.get("body") or ""), labels, assignees
        )
        location = f"{api}/repos/{repo}/issues/{stored.number}"
        return _reply(201, shapes.issue(api, repo, stored), {"Location": location})

    def _issue(self, repo: str, number: str) -> StoredIssue | HttpResponse:
        stored = self.store.repo(repo).issues.get(int(number))
        if stored is None:
            return _reply(404, shapes.error("Not Found"))
        if stored.deleted:
            return _reply(410, shapes.error("This issue was deleted"))
        return stored

    def _get_issue(self, request: HttpRequest, api: str, repo: str, number: str) -> HttpResponse:
        with self.store.lock:
            stored = self._issue(repo, number)
            if isinstance(stored, HttpResponse):
                return stored
            return _conditional(request, shapes.issue(api, repo, stored))

    def _update_issue(self, request: HttpRequest, api: str, repo: str, number: str) -> HttpResponse:
        document = _json_body(request)
        with self.store.lock:
            stored = self._issue(repo, number)
            if isinstance(stored, HttpResponse):
                return stored
            state = document.get("state")
            if state not in (None, "open", "closed"):
                raise BadQuery(f"state {state!r} is not open or closed")
            if state is not None and state != stored.state:
                stored.state = str(state)
                stored.closed_s = self.store.clock() if state == "closed" else None
                stored.state_reason = document.get("state_reason") or (
                    "completed" if state == "closed" else "reopened"
                )
            for key in ("title", "body"):
                if isinstance(document.get(key), str):
                    setattr(stored, key, document[key])
            stored.updated_s = self.store.clock()
            return _reply(200, shapes.issue(api, repo, stored))

    def _list_comments(
        self, request: HttpRequest, api: str, repo: str, number: str
    ) -> HttpResponse:
        since = parse_since(request.query("since"))
        with self.store.lock:
            stored = self._issue(repo, number)
            if isinstance(stored, HttpResponse):
                return stored
            # `since` compares with updated_at, to the second, inclusive (as GitHub does).
            chosen = [c for c in stored.comments if since is None or int(c.updated_s) >= since]
            page, per_page, last = page_window(request, len(chosen))
            window = chosen[(page - 1) * per_page : page * per_page]
            document = [shapes.comment(api, repo, stored.number, c) for c in window]
        link = link_header(request, api.removesuffix(API_PREFIX), page, last)
        return _conditional(request, document, {"Link": link} if link else {})

    def _create_comment(
        self, request: HttpRequest, api: str, repo: str, number: str
    ) -> HttpResponse:
        body = _json_body(request)["body"]
        if not isinstance(body, str) or not body:
            raise BadQuery("body must be a non-empty string")
        with self.store.lock:
            stored = self._issue(repo, number)
            if isinstance(stored, HttpResponse):
                return stored
            if stored.locked:
                return _reply(
                    403, shapes.error("Unable to create comment because issue is locked.")
                )
            comment = self.store.add_comment(stored, BOT_LOGIN, body)
            return _reply(201, shapes.comment(api, repo, stored.number, comment))

    def _membership(
        self, request: HttpRequest, api: str, org: str, team: str, login: str
    ) -> HttpResponse:
        if not self.store.is_member(f"{org}/{team}", login):
            return _reply(404, shapes.error("Not Found"))
        return _conditional(request, shapes.membership(api, org, team, login))


def _bearer_token(request: HttpRequest) -> bool:
    scheme, _, token = (request.header("Authorization") or "").partition(" ")
    return scheme.lower() in ("bearer", "token") and bool(token.strip())


def _api_url(request: HttpRequest) -> str:
    return f"http://{request.header('Host') or '127.0.0.1'}{API_PREFIX}"


def _json_body(request: HttpRequest) -> dict[str, Any]:
    document = json.loads(request.body or b"{}")
    if not isinstance(document, dict):
        raise TypeError("the body must be a JSON object")
    return document


def _rate_headers() -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(_RATE_LIMIT_LIMIT),
        "X-RateLimit-Remaining": str(_RATE_LIMIT_LIMIT - 1),
        "X-RateLimit-Resource": "core",
        "X-GitHub-Media-Type": "github.v3; format=json",
    }


def _reply(status: int, document: object, headers: dict[str, str] | None = None) -> HttpResponse:
    return json_response(status, document, {**_rate_headers(), **(headers or {})})


def _conditional(
    request: HttpRequest, document: object, headers: dict[str, str] | None = None
) -> HttpResponse:
    tag = etag(document)
    extra = {**(headers or {}), "ETag": tag, "Cache-Control": "private, max-age=60, s-maxage=60"}
    if not_modified(request, tag):
        return HttpResponse(304, b"", tuple({**_rate_headers(), **extra}.items()))
    return _reply(200, document, extra)


def _record(request: HttpRequest, path: str, response: HttpResponse) -> dict[str, object]:
    """What was sent and answered; Authorization is kept as its scheme only."""
    headers = {
        name.lower(): (value.partition(" ")[0] + " <redacted>")
        if name.lower() == "authorization"
        else value
        for name, value in request.headers
    }
    return {
        "method": request.method,
        "path": path,
        "query": request.query_string,
        "headers": headers,
        "body": request.body.decode(errors="replace"),
        "status": response.status,
        "response_headers": dict(response.headers),
        "response_body": response.body.decode(errors="replace"),
    }
