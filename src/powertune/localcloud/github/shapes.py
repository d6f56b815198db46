"""The JSON objects the stand-in answers with, in GitHub's shapes (`simple-user`,
`issue`, `issue-comment`, `label`, `team-membership`, errors), with every field GitHub's
OpenAPI description marks as required.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

WEB_URL = "https://github.invalid"  # html_url values: a host that never resolves
DOCS_URL = "https://docs.github.com/rest"


def timestamp(epoch_s: float) -> str:
    """GitHub's timestamp format: ISO 8601, UTC, whole seconds."""
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _node_id(kind: str, number: int) -> str:
    return f"{kind}_{hashlib.sha256(f'{kind}{number}'.encode()).hexdigest()[:16]}"


def user_id(login: str) -> int:
    """A stable numeric id per login."""
    return int(hashlib.sha256(login.lower().encode()).hexdigest()[:8], 16)


def simple_user(api: str, login: str) -> dict[str, object]:
    base = f"{api}/users/{login}"
    uid = user_id(login)
    return {
        "login": login,
        "id": uid,
        "node_id": _node_id("U", uid),
        "avatar_url": f"{WEB_URL}/avatars/{login}",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{WEB_URL}/{login}",
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": "Bot" if login.endswith("[bot]") else "User",
        "site_admin": False,
    }


@dataclass
class StoredComment:
    comment_id: int
    login: str
    body: str
    created_s: float
    updated_s: float


@dataclass
class StoredIssue:
    number: int
    title: str
    body: str
    login: str
    labels: list[str]
    assignees: list[str]
    created_s: float
    updated_s: float
    state: str = "open"
    state_reason: str | None = None
    closed_s: float | None = None
    locked: bool = False
    deleted: bool = False
    comments: list[StoredComment] = field(default_factory=list)


def label(api: str, repo: str, name: str) -> dict[str, object]:
    number = user_id(f"label:{name}")
    return {
        "id": number,
        "node_id": _node_id("LA", number),
        "url": f"{api}/repos/{repo}/labels/{name}",
        "name": name,
        "description": None,
        "color": "ededed",
        "default": False,
    }


def issue(api: str, repo: str, stored: StoredIssue) -> dict[str, object]:
    url = f"{api}/repos/{repo}/issues/{stored.number}"
    assignees = [simple_user(api, login) for login in stored.assignees]
    return {
        "id": user_id(f"{repo}#{stored.number}"),
        "node_id": _node_id("I", stored.number),
        "url": url,
        "repository_url": f"{api}/repos/{repo}",
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{WEB_URL}/{repo}/issues/{stored.number}",
        "number": stored.number,
        "state": stored.state,
        "title": stored.title,
        "body": stored.body,
        "user": simple_user(api, stored.login),
        "labels": [label(api, repo, name) for name in stored.labels],
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "milestone": None,
        "locked": stored.locked,
        "comments": len(stored.comments),
        "closed_at": timestamp(stored.closed_s) if stored.closed_s is not None else None,
        "created_at": timestamp(stored.created_s),
        "updated_at": timestamp(stored.updated_s),
        "author_association": "NONE",
        # Optional fields are left out rather than null: the description's enums have no null.
        **({"state_reason": stored.state_reason} if stored.state_reason else {}),
        **({"active_lock_reason": "resolved"} if stored.locked else {}),
    }


def comment(api: str, repo: str, number: int, stored: StoredComment) -> dict[str, object]:
    return {
        "id": stored.comment_id,
        "node_id": _node_id("IC", stored.comment_id),
        "url": f"{api}/repos/{repo}/issues/comments/{stored.comment_id}",
        "html_url": f"{WEB_URL}/{repo}/issues/{number}#issuecomment-{stored.comment_id}",
        "issue_url": f"{api}/repos/{repo}/issues/{number}",
        "body": stored.body,
        "user": simple_user(api, stored.login),
        "created_at": timestamp(stored.created_s),
        "updated_at": timestamp(stored.updated_s),
        "author_association": "NONE",
    }


def membership(api: str, org: str, team: str, login: str) -> dict[str, object]:
    return {
        "url": f"{api}/organizations/1/team/{user_id(team)}/memberships/{login}",
        "role": "member",
        "state": "active",
    }


def error(message: str, **extra: object) -> dict[str, object]:
    """GitHub's error body: a message and a documentation link."""
    return {"message": message, "documentation_url": DOCS_URL, **extra}
