"""Newman's HTML page: built from the JSON reporter's document, self-contained, small."""

from __future__ import annotations

import re
from typing import Any

from report_outline import outline

from powertune.reports.newman import main
from powertune.reports.newman_html import BODY_LIMIT, render_newman_html


def summary(failed: bool) -> dict[str, Any]:
    body = list(('{"items": [' + ",".join(['{"id": 1}'] * 2000) + "]}").encode())
    error = {"message": "expected 500 to equal 200", "test": "status is 200"}
    return {
        "collection": {"info": {"name": "powertune items API"}},
        "environment": {"values": [{"key": "baseUrl", "value": "http://127.0.0.1:1/x"}]},
        "run": {
            "stats": {
                "requests": {"total": 2, "failed": 0},
                "assertions": {"total": 3, "failed": int(failed)},
            },
            "timings": {
                "started": 1_795_850_205_000,
                "completed": 1_795_850_206_234,
                "responseAverage": 12.5,
            },
            "executions": [
                {
                    "item": {"name": "List items"},
                    "request": {
                        "method": "GET",
                        "url": {
                            "protocol": "http",
                            "host": ["127", "0", "0", "1"],
                            "port": "1",
                            "path": ["x", "items"],
                            "query": [{"key": "limit", "value": "5"}],
                        },
                    },
                    "response": {
                        "code": 200,
                        "status": "OK",
                        "responseTime": 5,
                        "responseSize": len(body),
                        "header": [{"key": "Content-Type", "value": "application/json"}],
                        "stream": {"type": "Buffer", "data": body},
                    },
                    "assertions": [
                        {"assertion": "status is 200", **({"error": error} if failed else {})},
                        {"assertion": "is JSON"},
                    ],
                },
                {
                    "item": {"name": "Export"},
                    "request": {"method": "GET", "url": "http://h/export"},
                    "response": {
                        "code": 200,
                        "stream": {"type": "Buffer", "data": [0x1F, 0x8B, 0xFF, 0x00]},
                    },
                    "assertions": [{"assertion": "gzip"}],
                },
            ],
            "failures": [{"source": {"name": "List items"}, "error": error}] if failed else [],
        },
    }


def test_the_page_loads_nothing_from_anywhere() -> None:
    page = render_newman_html(summary(failed=False))
    assert "default-src 'none'" in page
    assert not re.search(r"<(script|link)\b", page)
    assert not re.search(r"""(src|href)=["']?https?:""", page)
    assert "PASSED" in page


def test_failures_and_requests_are_shown_and_bodies_cut() -> None:
    page = render_newman_html(summary(failed=True))
    assert "FAILED" in page
    assert "expected 500 to equal 200" in page
    assert "http://127.0.0.1:1/x/items?limit=5" in page
    assert f"first {BODY_LIMIT} of" in page
    assert "bytes of binary content, not shown" in page
    assert len(page) < 30_000
    assert "details.request.bad" in outline(page)


def test_main_writes_html_with_the_flag(tmp_path: Any, capsys: Any) -> None:
    import json

    path = tmp_path / "newman-20261201T191545Z.json"
    path.write_text(json.dumps(summary(failed=False)))
    assert main(["--html", str(path)]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>")
    assert "Newman run 20261201T191545Z" in page
    assert main([str(path)]) == 0
    assert capsys.readouterr().out.startswith("# Newman run: PASSED")
