"""How the gate's GitHub client reads failures: rate limits, retries, and error messages.

githubkit classifies 403/429 with `Retry-After` or `X-RateLimit-Remaining: 0` as
`RateLimitExceeded`; a 429 without them is a rate limit too (GitHub's "too many
requests"), waited out for a minute as githubkit and octokit do. Every other failure
becomes one GitHubRequestFailed naming the call, the status and the fix; the token never
appears in it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from githubkit.exception import GitHubException, RateLimitExceeded, RequestError, RequestFailed

from powertune.errors import GitHubError


class IssueRefLike(Protocol):
    """What an error message says about the issue (github_api.IssueRef)."""

    @property
    def repo(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def html_url(self) -> str: ...


NO_HEADER_WAIT_S = 60.0  # githubkit's (and octokit's) wait when a rate limit names no time


class GitHubRequestFailed(GitHubError):
    """A request GitHub answered with an error (or never answered: `status` None)."""

    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.status = status


class AssigneesRefused(GitHubError):
    """GitHub refused an assignee (422): the caller opens the issue without assignees."""


def rate_limit_wait_s(exc: GitHubException, now_s: float) -> float:
    """As `Retry-After` says, else until `X-RateLimit-Reset` (epoch s) from `now_s`, else 60 s.

    githubkit computes the same, but against the real wall clock; ours is injected.
    """
    headers = exc.response.headers if isinstance(exc, RequestFailed) else {}
    if "retry-after" in headers:
        return max(float(headers["retry-after"]), 0.0)
    if "x-ratelimit-reset" in headers:
        return max(float(headers["x-ratelimit-reset"]) - now_s, 0.0) + 1.0
    return NO_HEADER_WAIT_S


def status_of(exc: GitHubException) -> int | None:
    return exc.response.status_code if isinstance(exc, RequestFailed) else None


def is_rate_limit(exc: GitHubException) -> bool:
    """githubkit's classification, plus any 429 (GitHub's "too many requests" always is)."""
    return isinstance(exc, RateLimitExceeded) or status_of(exc) == 429


def as_rate_limit(exc: GitHubException) -> GitHubException:
    if isinstance(exc, RateLimitExceeded) or not isinstance(exc, RequestFailed):
        return exc
    return RateLimitExceeded(exc.response, timedelta(seconds=NO_HEADER_WAIT_S))


def refuses_assignees(cause: BaseException) -> bool:
    if not isinstance(cause, RequestFailed) or cause.response.status_code != 422:
        return False
    try:
        errors = cause.response.json().get("errors") or []
    except ValueError:
        return False
    return any(isinstance(e, dict) and e.get("field") == "assignees" for e in errors)


def request_error(
    what: str, exc: GitHubException, ref: IssueRefLike | None, server_tries: int, rate_tries: int
) -> GitHubRequestFailed:
    """One clear GitHubError: never a denial, never the token."""
    status = status_of(exc)
    if status is None:
        detail = f"could not reach GitHub ({type(exc).__name__}: {_cause(exc)})"
        return GitHubRequestFailed(
            f"{what} failed: {detail}. Check GITHUB_API_URL and the network.", None
        )
    message = _message(exc)
    tries = f" after {server_tries + rate_tries + 1} attempts" if server_tries or rate_tries else ""
    if ref is not None and status in (404, 410):
        return GitHubRequestFailed(
            f"{what} failed{tries}: {status} {message}: issue #{ref.number} of {ref.repo} was "
            f"deleted or cannot be seen any more ({ref.html_url}); the gate cannot decide.",
            status,
        )
    if is_rate_limit(exc):
        return GitHubRequestFailed(
            f"{what} failed{tries}: {status} {message}; still rate-limited after waiting "
            f"{rate_tries} times: run the gate again later, or give it a token of its own "
            "(a GitHub App token has a higher limit)",
            status,
        )
    hint = {
        401: "the token was refused: check GITHUB_TOKEN",
        403: "the token may not do this: give it issues: write (and read:org for teams)",
        404: "check --repo and that the token can see the repository",
    }.get(status, "see GitHub's status page, then run the gate again")
    return GitHubRequestFailed(f"{what} failed{tries}: {status} {message}; {hint}", status)


def _message(exc: GitHubException) -> str:
    assert isinstance(exc, RequestFailed)
    try:
        document = exc.response.json()
    except ValueError:
        return exc.response.raw_response.reason_phrase
    if isinstance(document, dict) and isinstance(document.get("message"), str):
        return str(document["message"])
    return exc.response.raw_response.reason_phrase


def _cause(exc: GitHubException) -> str:
    inner = exc.exc if isinstance(exc, RequestError) else exc
    return str(inner) or type(inner).__name__
