"""`decide --mode manual`: the change waits for approval on a GitHub issue, then applies.

The issue's body is the change summary plus the run's Markdown report. Outcomes:
approved → the same apply as auto mode (exit 0, the approvers recorded); denied or
timed out → nothing applied (exit 3, who and why recorded); an error (API failure,
issue deleted or locked, token missing) raises GitHubError (exit 1), never a denial.
Every outcome ends with a closing comment and the issue closed, when it can be reached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from powertune.decision.approval import GateSettings, close_gate, open_gate, wait_for_decision
from powertune.decision.approval_rules import (
    ApprovalStatus,
    GateOutcome,
    outcome_json,
    refusal_message,
)
from powertune.decision.records import DecisionRecord, Outcome
from powertune.decision.summary import render_summary, title
from powertune.errors import PowertuneError
from powertune.reports.markdown import render_markdown
from powertune.reports.model import build_report
from powertune.reports.naming import stamp_of
from powertune.results.model import TuningResult

Apply = Callable[[DecisionRecord], DecisionRecord]


def issue_body(
    record: DecisionRecord,
    result: TuningResult,
    result_file: Path,
    links: Sequence[tuple[str, str]],
) -> str:
    """The change summary, then the run's own Markdown report."""
    pending = replace(record, outcome=Outcome.PENDING)
    report = render_markdown(build_report(result, stamp_of(result_file, result)))
    return f"{render_summary(pending, links)}\n---\n\n{report}"


def run_manual_gate(
    settings: GateSettings, record: DecisionRecord, body: str, apply: Apply
) -> tuple[DecisionRecord, str | None]:
    """(the record of the outcome, why nothing was applied or None when it was)."""
    ref = open_gate(settings, title(record), body)
    click.echo(f"waiting for approval on {ref.html_url}", err=True)
    outcome = wait_for_decision(settings, ref)
    decided = replace(
        record,
        decided_at=datetime.now(UTC),
        decided_by=_who(outcome),
        approval=outcome_json(outcome),
    )
    d = record.decision
    if outcome.status is ApprovalStatus.APPROVED:
        try:
            decided = apply(decided)
        except PowertuneError as exc:
            _close(settings, ref, outcome, f"Approved, but the apply failed and was undone: {exc}")
            raise
        _close(
            settings,
            ref,
            outcome,
            f"Applied {d.recommended_memory_mb} MB to `{d.function_name}` "
            f"(was {d.current_memory_mb} MB).",
        )
        return decided, None
    status = Outcome.DENIED if outcome.status is ApprovalStatus.DENIED else Outcome.TIMED_OUT
    _close(
        settings,
        ref,
        outcome,
        f"Nothing was applied: `{d.function_name}` stays at {d.current_memory_mb} MB.",
    )
    return replace(decided, outcome=status), refusal_message(outcome, settings.min_approvals)


def _who(outcome: GateOutcome) -> str:
    where = f"on issue #{outcome.issue_number}"
    if outcome.status is ApprovalStatus.APPROVED:
        names = ", ".join(f"@{v.login}" for v in outcome.approved_by)
        return f"approved by {names} {where}"
    if outcome.denied_by is not None:
        return f"denied by @{outcome.denied_by.login} {where}"
    return f"nobody: timed out after {outcome.waited_s:.0f} s {where}"


def _close(settings: GateSettings, ref: object, outcome: GateOutcome, message: str) -> None:
    report = close_gate(settings, ref, outcome, message)  # type: ignore[arg-type]
    if report.error:
        click.echo(f"warning: the approval issue was not closed: {report.error}", err=True)
