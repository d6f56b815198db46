#!/usr/bin/env python3
"""Generate docs/cli.md, the CLI reference, from the click command objects themselves.

Run after changing any command or flag:  .venv/bin/python scripts/gen_cli_reference.py
`--check` exits 1 when docs/cli.md differs from what would be generated;
tests/unit/test_cli_reference.py does the same check, so the reference cannot drift.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import click

from powertune.cli.main import cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

#: Hand-written examples for flags whose value is not obvious from type and default,
#: keyed by (command, parameter name); `tune`'s entries also serve `analyze` and
#: `cleanup`, which share those options. A value may carry the other flags the option
#: needs. Other flags get an example derived from their type, default and choices.
EXAMPLES: dict[tuple[str, str], str] = {
    ("tune", "function"): "my-function",
    ("tune", "memory_spec"): "128..3008:128",
    ("tune", "strategy"): "balanced",
    ("tune", "balanced_weight"): "0.3 --strategy balanced",
    ("tune", "latency_budget_ms"): "250 --strategy latency-budget",
    ("tune", "latency_percentile"): "99 --strategy latency-budget --latency-budget-ms 250",
    ("tune", "cost_budget_usd"): "0.00002 --strategy cost-budget",
    ("tune", "discard_top_bottom"): "0.1 --compat aws-lambda-power-tuning",
    ("tune", "price_table"): "prices-2026.json",
    ("tune", "invocations"): "50",
    ("tune", "tolerance"): "0.02",
    ("deploy", "var_pairs"): "table_name=items",
    ("tune", "budget_invocations"): "2000",
    ("tune", "budget_usd"): "0.50",
    ("tune", "payload"): "'{\"id\": 7}'",
    ("tune", "payloads_file"): "payloads.json",
    ("tune", "payload_http"): "'GET /items/export?limit=5'",
    ("tune", "http_header"): "'Accept: text/csv' --payload-http 'GET /items/export'",
    ("tune", "http_body"): "'{\"name\": \"x\"}' --payload-http 'POST /items'",
    ("tune", "http_resource"): "'/items/{id}' --payload-http 'GET /items/7'",
    ("tune", "architectures"): "x86_64,arm64",
    ("tune", "allowed_errors"): "ItemNotFound,ValidationError",
    ("tune", "region"): "eu-west-1",
    ("tune", "endpoint_url"): "http://127.0.0.1:4566",
    ("tune", "local_state_dir"): ".powertune/local",
    ("tune", "backend_spec"): "simulate:benchmarks/decision/profiles/01-cpu-single-1.yaml",
    ("tune", "output"): "reports/history",
    ("tune", "seed"): "42",
    ("analyze", "result"): "reports/history/tuning-20260101T000000Z.json",
    ("analyze", "allowed_errors"): "ItemNotFound",
    ("report", "result"): "reports/history/tuning-20260101T000000Z.json",
    ("report", "format_spec"): "html,md",
    ("report", "index_of"): "reports/history",
    ("cleanup", "function"): "my-function",
    ("cleanup", "region"): "eu-west-1",
    ("cleanup", "endpoint_url"): "http://127.0.0.1:4566",
    ("loadtest", "memory"): "512,1024 --local",
    ("loadtest", "scenario"): "export",
    ("loadtest", "thresholds"): "'p95<300ms' --threshold 'errors<1%'",
    ("loadtest", "baseline"): "reports/loadtest-20260101T000000Z.json",
    (
        "loadtest",
        "function_name",
    ): "items-api --url https://abc123.execute-api.eu-west-1.amazonaws.com/v1",
    (
        "loadtest",
        "url",
    ): "https://abc123.execute-api.eu-west-1.amazonaws.com/v1 --function items-api",
    ("loadtest", "output"): "reports",
}

#: options used instead of the command's (optional) arguments: their example has none
ALONE = {("report", "index_of")}

EXIT_CODES = (
    ("0", "success"),
    ("1", "failure: every memory size failed, a Lambda call failed, or clean-up was incomplete"),
    ("2", "usage error or bad input (one line on stderr naming the value and the fix)"),
    ("3", "the approval gate could not get a decision"),
    ("130", "interrupted (Ctrl-C or SIGTERM); the function was restored first"),
)


def _unset(value: object) -> bool:
    """None, or click 8.2+'s UNSET sentinel (what a `multiple=True` option defaults to)."""
    return value is None or type(value).__name__ == "Sentinel"


def _type_name(param: click.Parameter) -> str:
    if isinstance(param, click.Option) and param.is_flag:
        return "flag"
    kind = param.type
    if isinstance(kind, click.Choice):
        name = "one of " + ", ".join(f"`{c}`" for c in kind.choices)
    elif isinstance(kind, click.Path):
        name = "path"
    elif kind is click.INT or isinstance(kind, click.types.IntParamType):
        name = "integer"
    elif kind is click.FLOAT or isinstance(kind, click.types.FloatParamType):
        name = "number"
    else:
        name = "text"
    if param.multiple:
        name += ", repeatable"
    return name


def _default(param: click.Parameter) -> str:
    if isinstance(param, click.Option) and param.is_flag:
        return "off"
    value = param.default
    if _unset(value) or value == () or callable(value):
        return "—"
    if value == "":
        return "(empty)"
    return f"`{value}`"


def _example_value(command: str, param: click.Parameter) -> str:
    name = param.name or ""
    for key in ((command, name), ("tune", name)):
        if key in EXAMPLES:
            return EXAMPLES[key]
    kind = param.type
    if isinstance(kind, click.Choice):
        return str(kind.choices[-1])
    value = param.default
    if not _unset(value) and value not in ("", ()) and not callable(value):
        return str(value)
    if isinstance(kind, click.types.IntParamType):
        return "10"
    if isinstance(kind, click.types.FloatParamType):
        return "1.5"
    if isinstance(kind, click.Path):
        return "PATH"
    return param.human_readable_name.upper()


def example(path: list[str], command: click.Command, param: click.Parameter) -> str:
    """A whole command line using this parameter (with the command's required arguments)."""
    key = path[-1]
    words = ["powertune", *path]
    for arg in command.params:
        if isinstance(arg, click.Argument) and (key, param.name) not in ALONE:
            words.append(_example_value(key, arg))
    if isinstance(param, click.Option):
        flag = max(param.opts, key=len)
        words.append(flag if param.is_flag else f"{flag} {_example_value(key, param)}")
    return "`" + " ".join(words) + "`"


def _help(command: click.Command) -> str:
    text = inspect.cleandoc(command.help or "")
    return text.replace("\b\n", "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _command_section(path: list[str], command: click.Command) -> list[str]:
    ctx = click.Context(command, info_name=" ".join(["powertune", *path]))
    lines = [f"## `powertune {' '.join(path)}`", "", _help(command), ""]
    lines += ["```", ctx.get_usage().removeprefix("Usage: "), "```", ""]
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    if arguments:
        lines += ["| Argument | Required | Example |", "|---|---|---|"]
        for arg in arguments:
            lines.append(
                f"| `{arg.human_readable_name}` | {'yes' if arg.required else 'no'} "
                f"| `{_example_value(path[-1], arg)}` |"
            )
        lines.append("")
    options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    if options:
        lines += ["| Option | Type | Default | Description | Example |", "|---|---|---|---|---|"]
        for opt in options:
            flags = ", ".join(f"`{o}`" for o in opt.opts)
            lines.append(
                f"| {flags} | {_cell(_type_name(opt))} | {_cell(_default(opt))} "
                f"| {_cell(opt.help or '')} | {_cell(example(path, command, opt))} |"
            )
        lines.append("")
    return lines


def _walk(group: click.Group, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found: list[tuple[list[str], click.Command]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        if isinstance(command, click.Group):
            found.append(([*path, name], command))
            found += _walk(command, [*path, name])
        else:
            found.append(([*path, name], command))
    return found


def render() -> str:
    """The whole of docs/cli.md."""
    lines = [
        "# powertune CLI reference",
        "",
        "<!-- Generated by scripts/gen_cli_reference.py from the click commands: do not edit.",
        "     tests/unit/test_cli_reference.py fails when this file and the code disagree. -->",
        "",
        _help(cli),
        "",
        "Global options: `--version`, `-h`/`--help` (every command takes `--help`).",
        "",
        "## Exit codes",
        "",
        "| Code | Meaning |",
        "|---|---|",
        *(f"| {code} | {meaning} |" for code, meaning in EXIT_CODES),
        "",
        "## Commands",
        "",
        *(f"- [`powertune {' '.join(p)}`](#powertune-{'-'.join(p)})" for p, _ in _walk(cli, [])),
        "",
    ]
    for path, command in _walk(cli, []):
        if isinstance(command, click.Group):
            lines += [f"## `powertune {' '.join(path)}`", "", _help(command), ""]
            continue
        lines += _command_section(path, command)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{DOC} is out of date: run scripts/gen_cli_reference.py\n")
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
