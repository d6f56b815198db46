"""The gate's GitHub client: githubkit's typed REST calls, with retries on our clock.

Only these endpoints: create an issue; get and update an issue; list and create its
comments; get a team membership. githubkit types the calls and classifies rate limits
(403/429 with `Retry-After` or `X-RateLimit-Remaining: 0`); we turn its own retry loop
off and run the same decisions (`RetryRateLimit`, `RetryServerError`) here, because its
loop sleeps with `time.sleep` and measures `X-RateLimit-Reset` against the real wall
clock, neither of which a test can move. githubkit's ETag support is its hishel HTTP
cache, which answers a 304 with the stored 200 and so hides "nothing new"; we turn it
off too and send `If-None-Match` per page ourselves. Errors are GitHubError (exit 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from githubkit import GitHub
from githubkit.exception import GitHubException
from githubkit.retry import RetryRateLimit, RetryServerError
from githubkit.utils import UNSET
from githubkit_schemas.latest.models import IssueComment

from powertune.clock import Clock
from powertune.decision.approval_rules import Comment
from powertune.decision.github_auth import BearerStrategy
from powertune.decision.github_errors import (
    AssigneesRefused,
    GitHubRequestFailed,
    as_rate_limit,
    is_rate_limit,
    rate_limit_wait_s,
    refuses_assignees,
    request_error,
    status_of,
)
from powertune.errors import GitHubError

T = TypeVar("T")
PER_PAGE = 100
SERVER_RETRIES = 3
RATE_LIMIT_RETRIES = 3


@dataclass(frozen=True)
class IssueRef:
    """An issue the gate opened."""

    repo: str
    number: int
    html_url: str


@dataclass(frozen=True)
class IssueInfo:
    state: str
    locked: bool


@dataclass
class _Page:
    etag: str
    comments: list[Comment]
    next_url: str | None


@dataclass
class GitHubClient:
    """One token against one API base; `clock` paces the retries."""

    api_url: str
    token: str = field(repr=False)
    clock: Clock
    _pages: dict[str, _Page] = field(default_factory=dict, init=False, repr=False)
    _issues: dict[str, tuple[str, IssueInfo]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.token:
            raise GitHubError(
                "no GitHub token: set GITHUB_TOKEN (in a workflow: `env: GITHUB_TOKEN: "
                "${{ secrets.GITHUB_TOKEN }}`, or a PAT/App token with read:org for teams)"
            )
        self._github = GitHub(
            BearerStrategy(self.token),
            base_url=self.api_url,
            http_cache=False,
            auto_retry=False,
            user_agent="powertune",
            timeout=30.0,
        )
        # One HTTP connection pool for the client's life (githubkit opens one per call
        # outside its context); closed by `close()` / the `with` block.
        self._github.__enter__()  # type: ignore[no-untyped-call]  # githubkit leaves it untyped

    def close(self) -> None:
        self._github.__exit__(None, None, None)

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def create_issue(
        self, repo: str, title: str, body: str, assignees: list[str], labels: list[str]
    ) -> IssueRef:
        owner, name = _split(repo)
        try:
            created = self._call(
                f"POST /repos/{repo}/issues",
                lambda: self._github.rest.issues.create(
                    owner, name, title=title, body=body, assignees=assignees, labels=labels
                ),
            )
        except GitHubError as exc:
            if assignees and exc.__cause__ is not None and refuses_assignees(exc.__cause__):
                raise AssigneesRefused(str(exc)) from exc.__cause__
            raise
        issue = created.parsed_data
        return IssueRef(repo, issue.number, issue.html_url)

    def get_issue(self, ref: IssueRef) -> IssueInfo:
        """The issue's state, asked for with the last answer's ETag (a 304 reuses it)."""
        owner, name = _split(ref.repo)
        key = f"{ref.repo}#{ref.number}"
        cached = self._issues.get(key)
        headers = {"If-None-Match": cached[0]} if cached else {}
        reply = self._call(
            f"GET /repos/{ref.repo}/issues/{ref.number}",
            lambda: self._github.rest.issues.get(owner, name, ref.number, headers=headers),
            ref=ref,
        )
        if reply.status_code == 304 and cached is not None:
            return cached[1]
        issue = reply.parsed_data
        info = IssueInfo(state=issue.state, locked=bool(issue.locked))
        self._issues[key] = (reply.headers.get("ETag", ""), info)
        return info

    def list_comments(self, ref: IssueRef, since: datetime | None) -> list[Comment]:
        """Every comment updated at or after `since`, following `Link: rel="next"`.

        Each page is asked for with the ETag of its last answer; a 304 reuses that answer.
        """
        url: str | None = None
        comments: list[Comment] = []
        while True:
            key = url or f"{ref.repo}#{ref.number}@{since.isoformat() if since else ''}"
            cached = self._pages.get(key)
            headers = {"If-None-Match": cached.etag} if cached else {}
            reply: Any = self._call(
                f"GET /repos/{ref.repo}/issues/{ref.number}/comments",
                partial(self._comments_page, ref, url, since, headers),
                ref=ref,
            )
            if reply.status_code == 304 and cached is not None:
                page = cached
            else:
                page = _Page(
                    reply.headers.get("ETag", ""),
                    [_comment(c) for c in reply.parsed_data],
                    reply.raw_response.links.get("next", {}).get("url"),
                )
                self._pages[key] = page
            comments.extend(page.comments)
            if page.next_url is None:
                return comments
            url = page.next_url

    def _comments_page(
        self, ref: IssueRef, url: str | None, since: datetime | None, headers: dict[str, str]
    ) -> Any:
        """The first page through the typed call; the next ones at the URL `Link` gave."""
        if url is not None:
            return self._github.request(
                "GET", url, headers=headers, response_model=list[IssueComment]
            )
        owner, name = _split(ref.repo)
        # githubkit types `since` as a datetime but leaves it to httpx, which sends
        # str(datetime) ("2026-12-01 19:47:16+00:00"): not the ISO 8601 GitHub documents
        # (YYYY-MM-DDTHH:MM:SSZ). So we send the text.
        since_text: Any = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if since else UNSET
        return self._github.rest.issues.list_comments(
            owner, name, ref.number, since=since_text, per_page=PER_PAGE, headers=headers
        )

    def create_comment(self, ref: IssueRef, body: str) -> str:
        owner, name = _split(ref.repo)
        reply = self._call(
            f"POST /repos/{ref.repo}/issues/{ref.number}/comments",
            lambda: self._github.rest.issues.create_comment(owner, name, ref.number, body=body),
            ref=ref,
        )
        return str(reply.parsed_data.html_url)

    def close_issue(self, ref: IssueRef, reason: str) -> None:
        owner, name = _split(ref.repo)
        state_reason: Any = reason
        self._call(
            f"PATCH /repos/{ref.repo}/issues/{ref.number}",
            lambda: self._github.rest.issues.update(
                owner, name, ref.number, state="closed", state_reason=state_reason
            ),
            ref=ref,
        )

    def is_team_member(self, team: str, login: str) -> bool:
        """Whether `login` is an active member of `org/team` (404: not a member)."""
        org, slug = _split(team)
        what = f"GET /orgs/{org}/teams/{slug}/memberships/{login}"
        try:
            reply = self._call(
                what,
                lambda: self._github.rest.teams.get_membership_for_user_in_org(org, slug, login),
                statuses_ok=(404,),
            )
        except GitHubRequestFailed as exc:
            if exc.status in (401, 403):
                raise GitHubError(
                    f"{exc}. Reading the members of team @{team} needs a token with the "
                    "read:org scope (a GitHub App installation token or a PAT): the "
                    "workflow's default GITHUB_TOKEN cannot. Pass such a token as "
                    "GITHUB_TOKEN, or name the approvers as users."
                ) from exc
            raise
        return reply is not None and reply.parsed_data.state == "active"

    def _call(
        self,
        what: str,
        call: Callable[[], T],
        *,
        ref: IssueRef | None = None,
        statuses_ok: tuple[int, ...] = (),
    ) -> T:
        """`call()`, retried as githubkit decides (rate limits, 5xx); GitHubError otherwise."""
        server_decision, rate_decision = (
            RetryServerError(SERVER_RETRIES),
            RetryRateLimit(RATE_LIMIT_RETRIES),
        )
        server_tries = rate_tries = 0
        while True:
            try:
                return call()
            except GitHubException as exc:
                status = status_of(exc)
                if status in statuses_ok:
                    return None  # type: ignore[return-value]
                wait_s: float | None = None
                if is_rate_limit(exc) and rate_decision(as_rate_limit(exc), rate_tries).do_retry:
                    wait_s, rate_tries = rate_limit_wait_s(exc, self.clock.now()), rate_tries + 1
                elif status is not None and status >= 500:
                    option = server_decision(exc, server_tries)
                    if option.do_retry and option.retry_after is not None:
                        wait_s = option.retry_after.total_seconds()
                        server_tries += 1
                if wait_s is None:
                    raise request_error(what, exc, ref, server_tries, rate_tries) from exc
                self.clock.sleep(wait_s)


def _split(name: str) -> tuple[str, str]:
    owner, _, rest = name.partition("/")
    return owner, rest


def _comment(raw: IssueComment) -> Comment:
    return Comment(
        comment_id=raw.id,
        login=raw.user.login if raw.user is not None else "",
        body=raw.body or "",
        url=raw.html_url,
        at=_aware(raw.created_at),
        updated_at=_aware(raw.updated_at),
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
