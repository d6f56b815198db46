"""The repository's GitHub Actions workflows, read as data, and the reference checks on them.

`reference_errors` is the backstop for the seed's bug (an approval step gated
on a step id that did not exist, so it never ran): every `steps.X` must name an
earlier step of the same job, every `needs.X` a job the job needs, and every
`needs.X.outputs.Y` an output that job declares. actionlint checks this too;
this check runs without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from actions_expressions import embedded, paths_read

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
TUNE = WORKFLOWS / "tune.yml"
CI = WORKFLOWS / "ci.yml"


def load(path: Path) -> dict[str, Any]:
    """A workflow as a dict; YAML 1.1 reads the key `on` as True, so it is put back."""
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    if True in data:
        data["on"] = data.pop(True)
    return data


def job_order(workflow: Mapping[str, Any]) -> list[str]:
    """Job ids in an order that respects `needs` (file order among equals)."""
    jobs: Mapping[str, Any] = workflow["jobs"]
    done: list[str] = []
    while len(done) < len(jobs):
        for job_id, job in jobs.items():
            if job_id not in done and all(n in done for n in needs_of(job)):
                done.append(job_id)
                break
        else:
            raise ValueError(f"cycle in needs among {set(jobs) - set(done)}")
    return done


def needs_of(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _expressions(value: Any, *, bare: bool = False) -> Iterator[str]:
    """Expressions in a value; `if:` may be written without `${{ }}` (bare)."""
    for text in _strings(value):
        found = list(embedded(text))
        if found:
            yield from found
        elif bare and text.strip():
            yield text


def _check_paths(
    expression: str, where: str, step_ids: set[str], job: Mapping[str, Any], jobs: Mapping[str, Any]
) -> Iterator[str]:
    for path in paths_read(expression):
        if path[0] == "steps" and (len(path) < 2 or path[1] not in step_ids):
            yield f"{where}: steps.{'.'.join(path[1:2])} is not an earlier step id in this job"
        if path[0] == "needs":
            target = path[1] if len(path) > 1 else ""
            if target not in needs_of(job):
                yield f"{where}: needs.{target} is not in this job's needs"
            elif len(path) > 3 and path[2] == "outputs":
                declared = jobs[target].get("outputs", {})
                if path[3] not in declared:
                    yield f"{where}: needs.{target}.outputs.{path[3]} is not an output of {target}"


def reference_errors(workflow: Mapping[str, Any]) -> list[str]:
    """Every `steps.X` / `needs.X(.outputs.Y)` that names nothing; empty when all resolve."""
    errors: list[str] = []
    jobs: Mapping[str, Any] = workflow["jobs"]
    for job_id, job in jobs.items():
        for expression in _expressions(job.get("if", ""), bare=True):
            errors += _check_paths(expression, f"{job_id}.if", set(), job, jobs)
        for key in ("env", "environment", "strategy", "concurrency", "runs-on"):
            for expression in _expressions(job.get(key, "")):
                errors += _check_paths(expression, f"{job_id}.{key}", set(), job, jobs)
        seen: set[str] = set()
        steps = job.get("steps", [])
        for index, step in enumerate(steps):
            where = f"{job_id}.steps[{index}]"
            for expression in _expressions(step.get("if", ""), bare=True):
                errors += _check_paths(expression, where + ".if", seen, job, jobs)
            for key in ("env", "with", "run", "name", "working-directory"):
                for expression in _expressions(step.get(key, "")):
                    errors += _check_paths(expression, f"{where}.{key}", seen, job, jobs)
            if "id" in step:
                seen.add(step["id"])
        for expression in _expressions(job.get("outputs", {})):
            errors += _check_paths(expression, f"{job_id}.outputs", seen, job, jobs)
    return errors


_USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)\s*(?:#\s*(?P<comment>.*))?$")


def uses_lines(path: Path) -> list[tuple[str, str]]:
    """(reference, trailing comment) of every `uses:` line of a workflow or action file."""
    found = []
    for line in path.read_text().splitlines():
        match = _USES_LINE.match(line)
        if match:
            found.append((match.group("ref"), (match.group("comment") or "").strip()))
    return found


def path_filter_matches(patterns: list[str], changed: list[str]) -> bool:
    """Whether a push changing `changed` starts the workflow under a `paths` filter.

    GitHub's rule: a file counts when the last pattern matching it is positive; the
    workflow runs when at least one file counts.
    """
    return any(_counts(patterns, name) for name in changed)


def _counts(patterns: list[str], name: str) -> bool:
    verdict = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _glob(pattern.removeprefix("!")).fullmatch(name):
            verdict = not negated
    return verdict


def _glob(pattern: str) -> re.Pattern[str]:
    """GitHub's filter globs: `**` any characters, `*` any but `/`, `?` one character."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)
