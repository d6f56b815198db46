"""A headless Chromium driven over the Chrome DevTools Protocol, for the report pages' test.

Why the protocol itself (over a websocket, `websocket-client` from the pinned
requirements) and not `--dump-dom` / `--screenshot` with `--enable-logging`: the
protocol reports console messages, exceptions and every network request as typed
events, where the logging flags print version-dependent text on stderr mixed with
D-Bus noise. No Selenium or Playwright: neither is installed, and both would only
wrap these same calls.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_browser() -> str | None:
    """`CHROME_BIN`, else the first Chromium or Chrome on PATH (GitHub's runners have Chrome)."""
    given = os.environ.get("CHROME_BIN")
    if given:
        return given if Path(given).exists() or shutil.which(given) else None
    return next((p for p in map(shutil.which, NAMES) if p), None)


@dataclass
class PageLoad:
    """What a page did while it loaded."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    screenshot_png: bytes = b""


class Tab:
    """One page target, spoken to over its own websocket."""

    def __init__(self, url: str) -> None:
        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and wait for its answer; events received meanwhile are kept in order."""
        n = next(self.ids)
        self.ws.send(json.dumps({"id": n, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == n:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(json.loads(self.ws.recv()))

    def close(self) -> None:
        self.ws.close()


@contextmanager
def browser(binary: str, profile: Path) -> Iterator[str]:
    """Start headless Chromium on a free port; yield its DevTools http://127.0.0.1:port."""
    proc = subprocess.Popen(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--window-size=1200,900",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(600):  # Chromium writes the port it bound once it listens
            if port_file.exists() and port_file.read_text().strip():
                break
            if proc.poll() is not None:
                raise RuntimeError(f"{binary} exited with {proc.returncode} before listening")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


CHARTS = """JSON.stringify([...document.querySelectorAll('svg.chart')].map(s => {
  const b = s.getBoundingClientRect();
  return {width: b.width, height: b.height,
          marks: s.querySelectorAll('path.line, circle.point, circle.sample, rect.box').length};
}))"""


def load(host: str, page: Path) -> PageLoad:
    """Open `page` from file:// in a new tab; what it logged, requested and drew; a screenshot."""
    browser_ws = websocket.create_connection(_browser_ws(host), timeout=60, suppress_origin=True)
    browser_ws.send(
        json.dumps({"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}})
    )
    target = next(m for m in iter(lambda: json.loads(browser_ws.recv()), None) if m.get("id") == 1)
    tab = Tab(f"ws://{host}/devtools/page/{target['result']['targetId']}")
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            tab.call(f"{domain}.enable")
        tab.call("Page.navigate", url=page.resolve().as_uri())
        tab.wait_for("Page.loadEventFired")
        charts = json.loads(tab.call("Runtime.evaluate", expression=CHARTS)["result"]["value"])
        height = tab.call("Page.getLayoutMetrics")["cssContentSize"]["height"]
        shot = tab.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": 1200, "height": height, "scale": 1},
        )
        out = PageLoad(charts=charts, screenshot_png=base64.b64decode(shot["data"]))
        for e in tab.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.errors.append(str(params["exceptionDetails"].get("text")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.errors.append(json.dumps(params.get("args")))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                out.errors.append(params["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(("file:", "data:", "about:")):
                    out.requests.append(url)
        return out
    finally:
        tab.close()
        browser_ws.close()


def _browser_ws(host: str) -> str:
    import httpx

    version = httpx.get(f"http://{host}/json/version", timeout=30).json()
    return str(version["webSocketDebuggerUrl"])
