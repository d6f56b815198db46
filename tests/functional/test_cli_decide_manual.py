# ruff: noqa: F811  (the fixtures imported from test_cli_decide are redefined as arguments)
"""`powertune decide --mode manual` end to end: the local cloud's GitHub stand-in holds the
approval issue, a reviewer (a thread standing in for a person) answers it, and the outcome
decides the exit code: approved 0 (applied), denied or timed out 3, an error 1.

The gate's own scenarios (rate limits, 5xx, teams, self-approval, two approvals...) are
tested against the stand-in in test_gate_scenarios.py; here it is the command's wiring.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_cli_decide import files, function, local, memory_of, result, run  # noqa: F401

from conftest import LocalCloudHandle

CliRun = Callable[..., tuple[int, str, str]]
REPO = "acme/payments"
TOKEN = "ghs_decideMANUAL0token" + "0a1b2c3d4e"  # distinctive, grep-able
ADMIN = "/_powertune/github-admin"


@pytest.fixture
def github(
    local_cloud: LocalCloudHandle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., threading.Thread]]:
    """The stand-in's environment as GitHub Actions gives it, and a scripted reviewer."""
    admin = f"{local_cloud.endpoint_url}{ADMIN}"
    httpx.post(f"{admin}/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("GITHUB_API_URL", f"{local_cloud.endpoint_url}/_powertune/github")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_ACTOR", "octocat")
    threads: list[threading.Thread] = []

    def reviewer(action: Callable[[str, int], None]) -> threading.Thread:
        """Once the approval issue is open, run `action(admin_url, issue_number)`."""

        def wait_and_act() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                issues = httpx.get(f"{admin}/issues", params={"repo": REPO}, timeout=10).json()
                if issues:
                    action(admin, issues[0]["number"])
                    return
                time.sleep(0.1)

        thread = threading.Thread(target=wait_and_act, daemon=True)
        thread.start()
        threads.append(thread)
        return thread

    yield reviewer
    for thread in threads:
        thread.join(timeout=60)


def says(login: str, body: str) -> Callable[[str, int], None]:
    def act(admin: str, number: int) -> None:
        document = {"repo": REPO, "issue": number, "login": login, "body": body}
        httpx.post(f"{admin}/comment", json=document, timeout=10).raise_for_status()

    return act


def the_issue(local_cloud: LocalCloudHandle) -> dict[str, Any]:
    url = f"{local_cloud.endpoint_url}{ADMIN}/issues"
    [issue] = httpx.get(url, params={"repo": REPO}, timeout=10).json()
    return dict(issue)


def manual(result: Path, local: list[str], out: Path, *extra: str) -> list[str]:
    return [
        "decide", str(result), "--mode", "manual", *local, "--approvers", "alice,bob",
        "--poll-interval", "0.2s", "--output", str(out), *extra,
    ]  # fmt: skip


def assert_no_token(out: str, err: str, *folders: Path) -> None:
    assert TOKEN not in out + err
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                assert TOKEN.encode() not in path.read_bytes(), path


def test_approved_applies_and_records_who_approved(
    run: CliRun, local: list[str], function: str, result: Path, tmp_path: Path,
    github: Callable[..., threading.Thread], local_cloud: LocalCloudHandle,
    boto3_client: Callable[..., Any],
) -> None:  # fmt: skip
    github(says("alice", "Approved: numbers look right"))
    history = tmp_path / "history"
    code, out, err = run(*manual(result, local, history))
    assert code == 0, err
    assert memory_of(boto3_client, function) == 128
    decision = json.loads(out)
    assert decision["outcome"] == "applied"
    assert decision["approval"]["status"] == "approved"
    assert [v["login"] for v in decision["approval"]["approved_by"]] == ["alice"]
    assert decision["approval"]["approved_by"][0]["reason"] == "numbers look right"
    assert decision["decided_by"].startswith("approved by @alice")
    issue = the_issue(local_cloud)
    assert issue["state"] == "closed"
    assert f"{function}" in issue["title"] and "1024 MB" in issue["title"]
    assert "128 MB" in issue["title"]
    assert "Cost per million invocations" in issue["body"]
    assert "powertune" in issue["labels"]
    assert "Applied 128 MB" in issue["comments"][-1]["body"]
    summary = next(history.glob("memory-summary-*.md")).read_text()
    assert "approved by @alice" in summary
    assert_no_token(out, err, history, tmp_path / "state")


def test_denied_exits_3_changes_nothing_and_records_why(
    run: CliRun, local: list[str], function: str, result: Path, tmp_path: Path,
    github: Callable[..., threading.Thread], local_cloud: LocalCloudHandle,
    boto3_client: Callable[..., Any],
) -> None:  # fmt: skip
    github(says("bob", "deny: not before the release"))
    history = tmp_path / "history"
    code, out, err = run(*manual(result, local, history))
    assert code == 3, err
    assert memory_of(boto3_client, function) == 1024
    assert "denied by @bob: not before the release" in err
    decision = json.loads(out)
    assert decision["outcome"] == "denied"
    assert decision["approval"]["denied_by"]["login"] == "bob"
    assert decision["apply_file"] is None
    assert files(history, "apply") == []
    issue = the_issue(local_cloud)
    assert issue["state"] == "closed"
    assert "Nothing was applied" in issue["comments"][-1]["body"]
    assert_no_token(out, err, history)


def test_a_non_approver_is_ignored_and_the_gate_times_out_with_exit_3(
    run: CliRun, local: list[str], function: str, result: Path, tmp_path: Path,
    github: Callable[..., threading.Thread], boto3_client: Callable[..., Any],
) -> None:  # fmt: skip
    github(says("mallory", "approve"))
    history = tmp_path / "history"
    code, out, err = run(*manual(result, local, history, "--approval-timeout", "2s"))
    assert code == 3, err
    assert json.loads(out)["outcome"] == "timed-out"
    assert memory_of(boto3_client, function) == 1024


def test_a_deleted_issue_is_an_error_not_a_denial(
    run: CliRun, local: list[str], function: str, result: Path, tmp_path: Path,
    github: Callable[..., threading.Thread], boto3_client: Callable[..., Any],
) -> None:  # fmt: skip
    def delete(admin: str, number: int) -> None:
        document = {"repo": REPO, "issue": number, "deleted": True}
        httpx.post(f"{admin}/issue-state", json=document, timeout=10).raise_for_status()

    github(delete)
    code, out, err = run(*manual(result, local, tmp_path / "history"))
    assert code == 1, err
    assert out == ""
    assert "denied" not in err
    assert memory_of(boto3_client, function) == 1024


def test_no_token_is_an_error_before_anything_happens(
    run: CliRun, local: list[str], function: str, result: Path, tmp_path: Path,
    github: Callable[..., threading.Thread], monkeypatch: pytest.MonkeyPatch,
    boto3_client: Callable[..., Any],
) -> None:  # fmt: skip
    monkeypatch.delenv("GITHUB_TOKEN")
    code, _, err = run(*manual(result, local, tmp_path / "history"))
    assert code == 1
    assert "GITHUB_TOKEN is not set" in err
    assert memory_of(boto3_client, function) == 1024
