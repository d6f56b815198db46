"""The HTML report of a Newman run, from its JSON reporter output, self-contained.

Newman's htmlextra reporter links Bootstrap, DataTables, Font Awesome and
highlight.js from CDNs, so its page is unstyled offline (a CI artifact) and weighs
~1.8 MB for 23 requests. This page inlines its few styles, needs no script, and
cuts response bodies to their first BODY_LIMIT characters (the JSON file keeps them whole).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from powertune.reports.html import environment
from powertune.reports.newman import STAT_ROWS, environment_value, utc

BODY_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class RequestView:
    name: str
    method: str
    url: str
    status: str
    time: object
    size: str
    passed: int
    total: int
    bad: bool
    assertions: tuple[tuple[str, str | None], ...]
    request_body: str
    response_headers: str
    response_body: str
    body_length: int
    truncated: bool


def _url(url: Any) -> str:
    if isinstance(url, str):
        return url
    if not isinstance(url, Mapping):
        return "?"
    host = ".".join(url.get("host") or [])
    port = f":{url['port']}" if url.get("port") else ""
    path = "/".join(url.get("path") or [])
    query = "&".join(f"{q.get('key')}={q.get('value')}" for q in url.get("query") or [])
    return f"{url.get('protocol', 'http')}://{host}{port}/{path}" + (f"?{query}" if query else "")


def _body(response: Mapping[str, Any]) -> str:
    """The response body: Newman serialises it as a Node Buffer, {type, data: [bytes]}."""
    stream = response.get("stream")
    if isinstance(stream, Mapping) and isinstance(stream.get("data"), list):
        raw = bytes(stream["data"])
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            # gzip and other binary bodies: their bytes mean nothing on a page
            return f"({len(raw):,} bytes of binary content, not shown)"
    return stream if isinstance(stream, str) else ""


def _error(assertion: Mapping[str, Any]) -> str | None:
    error = assertion.get("error")
    if not error:
        return None
    return str(error.get("message", "failed")) if isinstance(error, Mapping) else str(error)


def _request(execution: Mapping[str, Any]) -> RequestView:
    request = execution.get("request") or {}
    response = execution.get("response") or {}
    assertions = tuple(
        (str(a.get("assertion", "?")), _error(a))
        for a in execution.get("assertions") or []
        if not a.get("skipped")
    )
    passed = sum(1 for _, error in assertions if error is None)
    body = _body(response)
    raw = (request.get("body") or {}).get("raw", "")
    size = response.get("responseSize")
    return RequestView(
        name=str((execution.get("item") or {}).get("name", "?")),
        method=str(request.get("method", "?")),
        url=_url(request.get("url")),
        status=f"{response.get('code', 'no response')} {response.get('status', '')}".strip(),
        time=response.get("responseTime", "—"),
        size="—" if size is None else f"{size:,} B",
        passed=passed,
        total=len(assertions),
        bad=passed < len(assertions) or not response,
        assertions=assertions,
        request_body=str(raw)[:BODY_LIMIT],
        response_headers="\n".join(
            f"{h.get('key')}: {h.get('value')}" for h in response.get("header") or []
        ),
        response_body=body[:BODY_LIMIT],
        body_length=len(body),
        truncated=len(body) > BODY_LIMIT,
    )


def render_newman_html(summary: Mapping[str, Any], title: str = "Newman run") -> str:
    """The whole page of one Newman run summary (the JSON reporter's document)."""
    run: Mapping[str, Any] = summary.get("run") or {}
    stats: Mapping[str, Any] = run.get("stats") or {}
    timings: Mapping[str, Any] = run.get("timings") or {}
    failures: Sequence[Mapping[str, Any]] = run.get("failures") or []
    rows = [
        (label, (stats.get(key) or {}).get("total", 0), (stats.get(key) or {}).get("failed", 0))
        for key, label in STAT_ROWS
    ]
    started, completed = timings.get("started"), timings.get("completed")
    timing = ""
    if "responseAverage" in timings:
        timing = (
            f"average {timings['responseAverage']:.1f} ms, min {timings.get('responseMin', 0)} ms, "
            f"max {timings.get('responseMax', 0)} ms, s.d. {timings.get('responseSd', 0):.1f} ms"
        )
    return (
        environment()
        .get_template("newman.html.j2")
        .render(
            title=title,
            passed=not failures and all(int(failed) == 0 for _, _, failed in rows),
            collection=((summary.get("collection") or {}).get("info") or {}).get("name"),
            base_url=environment_value(summary, "baseUrl"),
            started=utc(started) if isinstance(started, int | float) else "",
            duration_ms=int(completed - started)
            if isinstance(started, int | float) and isinstance(completed, int | float)
            else None,
            stats=rows,
            timing=timing,
            failures=[
                (
                    (f.get("source") or {}).get("name", "?"),
                    (f.get("error") or {}).get("test") or (f.get("error") or {}).get("name", ""),
                    (f.get("error") or {}).get("message", ""),
                )
                for f in failures
            ],
            requests=[_request(e) for e in run.get("executions") or []],
            body_limit=BODY_LIMIT,
        )
    )
