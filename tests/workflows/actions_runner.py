"""Run a workflow's jobs here, step by step, as a GitHub runner would, for the local cloud.

Each job gets a fresh clone of a snapshot of the repository (its checkout),
`RUNNER_TEMP`, and per step the `GITHUB_OUTPUT`, `GITHUB_ENV` and
`GITHUB_STEP_SUMMARY` files the runner provides. `run:` steps run as written in
bash (`bash -e`, the runner's default shell); `if:`, `env:`, `with:` and job
outputs are evaluated with actions_expressions. Every `uses:` step is replaced by
the local equivalent registered in LOCAL_ACTIONS; an action with none fails the
run, so a new action in the workflow needs a stand-in here first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from actions_expressions import evaluate, interpolate, to_string, truthy
from workflow_files import job_order, needs_of


class Outcome(Enum):
    SUCCESS = "success"
    FAILURE = "failure"
    SKIPPED = "skipped"


@dataclass
class StepRecord:
    job_id: str
    index: int
    name: str
    outcome: Outcome
    returncode: int | None = None
    log: str = ""
    reason: str = ""


@dataclass
class JobState:
    job_id: str
    workspace: Path
    temp: Path
    env: dict[str, str] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    result: Outcome = Outcome.SUCCESS
    summary: str = ""


@dataclass
class RunSettings:
    """What the runner knows of the world: contexts, the repository snapshot, base env."""

    source_repo: Path
    workdir: Path
    contexts: dict[str, Any]
    base_env: dict[str, str]
    skip_steps: Mapping[tuple[str, int], str] = field(default_factory=dict)


ActionStandIn = Callable[["Runner", JobState, Mapping[str, str]], dict[str, str]]


@dataclass(frozen=True)
class LocalAction:
    """The local equivalent of one action, and what it does instead, for the test's listing."""

    instead: str
    run: ActionStandIn


class Runner:
    """Runs the jobs of one workflow in order; records every step's outcome."""

    def __init__(
        self,
        workflow: Mapping[str, Any],
        settings: RunSettings,
        actions: Mapping[str, LocalAction],
        job_outputs_hook: Callable[[str, dict[str, str]], None] | None = None,
    ) -> None:
        self.workflow = workflow
        self.settings = settings
        self.actions = actions
        self.hook = job_outputs_hook
        self.jobs: dict[str, JobState] = {}
        self.records: list[StepRecord] = []
        self.artifacts = settings.workdir / "artifacts"

    # -- contexts -------------------------------------------------------------------
    def _contexts(self, job: JobState | None, status: str) -> dict[str, Any]:
        ctx = dict(self.settings.contexts)
        ctx["needs"] = {
            j: {"outputs": s.outputs, "result": s.result.value} for j, s in self.jobs.items()
        }
        ctx["__status__"] = status
        if job is not None:
            ctx["steps"] = job.steps
            ctx["env"] = job.env
            ctx["runner"] = {"temp": str(job.temp), "os": "Linux"}
        else:
            ctx["env"] = dict(self.workflow.get("env", {}))
        return ctx

    def _values(self, mapping: Mapping[str, Any], job: JobState, status: str) -> dict[str, str]:
        ctx = self._contexts(job, status)
        return {k: interpolate(to_string(v), ctx) for k, v in mapping.items()}

    # -- jobs -----------------------------------------------------------------------
    def run(self) -> None:
        for job_id in job_order(self.workflow):
            self._run_job(job_id, self.workflow["jobs"][job_id])

    def _run_job(self, job_id: str, spec: Mapping[str, Any]) -> None:
        needs = needs_of(spec)
        failed = [n for n in needs if self.jobs[n].result is not Outcome.SUCCESS]
        status = "failure" if failed else "success"
        condition = with_status(spec.get("if"))
        runs = truthy(evaluate(str(condition), self._contexts(None, status)))
        base = self.settings.workdir / "jobs" / job_id
        state = JobState(job_id, base / "workspace", base / "temp")
        self.jobs[job_id] = state
        if not runs:
            state.result = Outcome.SKIPPED
            for index, step in enumerate(spec["steps"]):
                self._record(state, index, step, Outcome.SKIPPED, reason=f"job if: {condition}")
            return
        shutil.rmtree(base, ignore_errors=True)
        state.temp.mkdir(parents=True)
        subprocess.run(
            ["git", "clone", "--quiet", str(self.settings.source_repo), str(state.workspace)],
            check=True,
        )
        workflow_env = {
            k: interpolate(to_string(v), self._contexts(None, "success"))
            for k, v in self.workflow.get("env", {}).items()
        }
        state.env = {**workflow_env, **self._values(spec.get("env", {}), state, "success")}
        for index, step in enumerate(spec["steps"]):
            self._run_step(state, index, step)
        state.outputs = self._values(spec.get("outputs", {}), state, state.result.value)
        if self.hook is not None:
            self.hook(job_id, state.outputs)

    # -- steps ----------------------------------------------------------------------
    def _record(
        self, state: JobState, index: int, step: Mapping[str, Any], outcome: Outcome, **extra: Any
    ) -> None:
        name = str(step.get("name") or step.get("uses") or step.get("id") or index)
        self.records.append(StepRecord(state.job_id, index, name, outcome, **extra))

    def _run_step(self, state: JobState, index: int, step: Mapping[str, Any]) -> None:
        status = state.result.value
        condition = with_status(step.get("if"))
        if not truthy(evaluate(condition, self._contexts(state, status))):
            self._record(state, index, step, Outcome.SKIPPED, reason=f"step if: {condition}")
            return
        skip = self.settings.skip_steps.get((state.job_id, index))
        if skip is not None:
            self._record(state, index, step, Outcome.SKIPPED, reason=skip)
            state.result = Outcome.FAILURE  # what follows cannot pretend the step ran
            return
        env = {**state.env, **self._values(step.get("env", {}), state, status)}
        if "uses" in step:
            outcome, rc, log, outputs = self._uses(state, step, env)
        else:
            outcome, rc, log, outputs = self._bash(state, str(step["run"]), env)
        if "id" in step:
            state.steps[str(step["id"])] = {"outputs": outputs, "outcome": outcome.value}
        if outcome is Outcome.FAILURE:
            state.result = Outcome.FAILURE
        self._record(state, index, step, outcome, returncode=rc, log=log)

    def _uses(
        self, state: JobState, step: Mapping[str, Any], env: Mapping[str, str]
    ) -> tuple[Outcome, int | None, str, dict[str, str]]:
        action = str(step["uses"]).split("@")[0]
        stand_in = self.actions.get(action)
        if stand_in is None:
            return Outcome.FAILURE, None, f"no local equivalent for {action}", {}
        inputs = self._values(step.get("with", {}), state, state.result.value)
        try:
            outputs = stand_in.run(self, state, inputs)
        except (OSError, subprocess.CalledProcessError, KeyError, ValueError) as exc:
            return Outcome.FAILURE, None, f"{action}: {exc!r}", {}
        return Outcome.SUCCESS, 0, stand_in.instead, outputs

    def _bash(
        self, state: JobState, script: str, env: Mapping[str, str]
    ) -> tuple[Outcome, int | None, str, dict[str, str]]:
        files = {
            name: state.temp / f"_{name.lower()}"
            for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY", "GITHUB_PATH")
        }
        for path in files.values():
            path.write_text("")
        script_file = state.temp / "_step.sh"
        script_file.write_text(script)
        full_env = {
            **self.settings.base_env,
            **env,
            **{k: str(v) for k, v in files.items()},
            "RUNNER_TEMP": str(state.temp),
            "GITHUB_WORKSPACE": str(state.workspace),
        }
        proc = subprocess.run(
            ["bash", "-e", str(script_file)],
            cwd=state.workspace,
            env=full_env,
            capture_output=True,
            text=True,
            check=False,
        )
        state.env.update(parse_key_values(files["GITHUB_ENV"].read_text()))
        for line in files["GITHUB_PATH"].read_text().splitlines():
            state.env["PATH"] = f"{line}:{state.env.get('PATH', self.settings.base_env['PATH'])}"
        state.summary += files["GITHUB_STEP_SUMMARY"].read_text()
        outcome = Outcome.SUCCESS if proc.returncode == 0 else Outcome.FAILURE
        outputs = parse_key_values(files["GITHUB_OUTPUT"].read_text())
        return outcome, proc.returncode, proc.stdout + proc.stderr, outputs


def with_status(condition: Any) -> str:
    """An `if:` as GitHub reads it: without a status function, `success() && (...)` is implied."""
    text = str(condition or "").strip()
    inner = text.removeprefix("${{").removesuffix("}}").strip() if text.startswith("${{") else text
    if not inner:
        return "success()"
    if any(f in inner for f in ("always()", "cancelled()", "failure()", "success()")):
        return inner
    return f"success() && ({inner})"


def parse_key_values(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV syntax: `name=value` lines and `name<<DELIMITER` blocks."""
    values: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block: list[str] = []
            i += 1
            while lines[i] != delimiter:
                block.append(lines[i])
                i += 1
            values[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


# How this machine reaches the network (proxies, extra CA certificates), as a runner's own
# configuration would. Without NODE_EXTRA_CA_CERTS, on a machine whose TLS goes through a
# CA of its own, the smoke job's `npm ci` failed every download, retried and fell back to
# npm's cache: 2.5 minutes instead of 12 s, and the same packages in the end.
NETWORK_SETTINGS = (
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
    "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
)  # fmt: skip


def base_environment(extra_path: list[Path]) -> dict[str, str]:
    """A runner-like environment: this machine's PATH (stand-ins first), HOME, locale, network."""
    path = ":".join([*(str(p) for p in extra_path), os.environ.get("PATH", "/usr/bin:/bin")])
    keep = ("HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_CACHE_HOME", "POWERTUNE_TF_CLI_CONFIG")
    env = {k: os.environ[k] for k in (*keep, *NETWORK_SETTINGS) if k in os.environ}
    env.update({"PATH": path, "CI": "true", "GITHUB_ACTIONS": "true"})
    return env
