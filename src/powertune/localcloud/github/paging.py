"""Pagination, `since` and conditional requests as GitHub does them (pure helpers).

GitHub pages with `per_page` (default 30, at most 100) and `page`, naming the other
pages in a `Link` header (rel next/prev/first/last). A response carries an `ETag`; a
request whose `If-None-Match` names it gets 304 Not Modified with no body (and, on
GitHub, costs no rate limit).
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from urllib.parse import urlencode

from powertune.localcloud.frontdoor.messages import HttpRequest

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


class BadQuery(ValueError):
    """A query parameter GitHub would reject (422 for `since`, 400 otherwise)."""


def page_window(request: HttpRequest, total: int) -> tuple[int, int, int]:
    """(page, per_page, last page) for `total` items."""
    try:
        per_page = min(max(int(request.query("per_page") or DEFAULT_PER_PAGE), 1), MAX_PER_PAGE)
        page = max(int(request.query("page") or 1), 1)
    except ValueError as exc:
        raise BadQuery(f"page and per_page must be integers: {exc}") from exc
    return page, per_page, max(math.ceil(total / per_page), 1)


def link_header(request: HttpRequest, base_url: str, page: int, last: int) -> str | None:
    """The `Link` header naming the next, previous, first and last pages."""
    others = [(k, v) for k, v in request.query_pairs() if k != "page"]

    def url(number: int) -> str:
        return f"{base_url}{request.path}?{urlencode([*others, ('page', str(number))])}"

    links: list[str] = []
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links += [f'<{url(1)}>; rel="first"', f'<{url(min(page - 1, last))}>; rel="prev"']
    return ", ".join(links) or None


def parse_since(text: str | None) -> float | None:
    """`since` (ISO 8601) as epoch seconds; None when absent."""
    if not text:
        return None
    if "T" not in text:  # GitHub wants YYYY-MM-DDTHH:MM:SSZ; Python would also take a space
        raise BadQuery(f"since {text!r} is not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM:SSZ)")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise BadQuery(f"since {text!r} is not an ISO 8601 timestamp") from exc


def etag(document: object) -> str:
    """A weak validator over the JSON answer, as GitHub sends (`W/"..."`)."""
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    return f'W/"{digest[:40]}"'


def not_modified(request: HttpRequest, tag: str) -> bool:
    wanted = request.header("If-None-Match")
    if not wanted:
        return False
    return any(part.strip() in (tag, tag.removeprefix("W/"), "*") for part in wanted.split(","))
