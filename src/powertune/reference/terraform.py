"""Run the Terraform CLI for the reference stack: locate it, hand it its config, parse outputs.

Terraform and its AWS provider are prerequisites of the machine, not something
powertune installs. When POWERTUNE_TF_CLI_CONFIG is set (the Makefile writes a
CLI config pointing at an offline provider mirror), it is passed as
TF_CLI_CONFIG_FILE to the Terraform processes started here, and only to them;
otherwise the user's own Terraform configuration is left alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from powertune.errors import PowertuneError

CLI_CONFIG_VARIABLE = "POWERTUNE_TF_CLI_CONFIG"


class TerraformError(PowertuneError):
    """Terraform is missing or one of its commands failed; the message carries its output."""


def find_terraform() -> str:
    """The terraform binary on PATH, or a loud error saying what is missing."""
    found = shutil.which("terraform")
    if found is None:
        raise TerraformError(
            "the 'terraform' CLI is not on PATH. Install Terraform >= 1.10 and make sure "
            "'terraform init' can get the hashicorp/aws provider (network access, or a "
            f"provider mirror named by a CLI config in {CLI_CONFIG_VARIABLE})."
        )
    return found


def terraform_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment for a Terraform child process, derived from `base`."""
    env = dict(base)
    env["TF_IN_AUTOMATION"] = "1"
    env["TF_INPUT"] = "0"
    env["CHECKPOINT_DISABLE"] = "1"  # no version-check call home
    cli_config = base.get(CLI_CONFIG_VARIABLE, "")
    if cli_config:
        if not Path(cli_config).is_file():
            raise TerraformError(
                f"{CLI_CONFIG_VARIABLE}={cli_config} does not exist; run "
                "'make terraform-config' (scripts/terraform-cli-config.sh) to write it"
            )
        env["TF_CLI_CONFIG_FILE"] = cli_config
    return env


@dataclass(frozen=True)
class Terraform:
    """Terraform commands in one working directory."""

    workdir: Path
    env: Mapping[str, str]
    binary: str

    @classmethod
    def in_directory(cls, workdir: Path, extra_env: Mapping[str, str] | None = None) -> Terraform:
        env = terraform_environment(os.environ)
        env.update(extra_env or {})
        return cls(workdir=workdir, env=env, binary=find_terraform())

    def run(self, *args: str, ok_codes: Sequence[int] = (0,)) -> subprocess.CompletedProcess[str]:
        """Run one command; a return code outside `ok_codes` raises with its output."""
        proc = subprocess.run(
            [self.binary, *args],
            cwd=self.workdir,
            env=dict(self.env),
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode not in ok_codes:
            raise TerraformError(
                f"'terraform {' '.join(args)}' in {self.workdir} exited {proc.returncode}:\n"
                f"{_tail(proc.stderr or proc.stdout)}"
            )
        return proc

    def init(self, *, backend: bool = True) -> None:
        args = ["init", "-input=false", "-no-color"]
        if not backend:
            args.append("-backend=false")
        try:
            self.run(*args)
        except TerraformError as exc:
            if CLI_CONFIG_VARIABLE in self.env:
                raise
            raise TerraformError(
                f"{exc}\n(no {CLI_CONFIG_VARIABLE} was set: without network access to the "
                "Terraform registry, run 'make terraform-config' and export "
                f"{CLI_CONFIG_VARIABLE}=$PWD/build/terraformrc to use a local provider mirror)"
            ) from None

    def validate(self) -> None:
        self.run("validate", "-no-color")

    def fmt_check(self) -> list[str]:
        """Files `terraform fmt` would change (empty when formatted)."""
        proc = self.run("fmt", "-check", "-list=true", "-recursive", "-no-color", ok_codes=(0, 3))
        return [line for line in proc.stdout.splitlines() if line.strip()]

    def apply(self, variables: Mapping[str, str]) -> None:
        self.run("apply", "-auto-approve", "-input=false", "-no-color", *_var_args(variables))

    def plan_has_changes(self, variables: Mapping[str, str]) -> tuple[bool, str]:
        """`plan -detailed-exitcode`: (True, plan text) when it would change anything."""
        proc = self.run(
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            *_var_args(variables),
            ok_codes=(0, 2),
        )
        return proc.returncode == 2, proc.stdout

    def destroy(self, variables: Mapping[str, str]) -> None:
        self.run("destroy", "-auto-approve", "-input=false", "-no-color", *_var_args(variables))

    def outputs(self) -> dict[str, Any]:
        proc = self.run("output", "-json", "-no-color")
        raw: dict[str, dict[str, Any]] = json.loads(proc.stdout or "{}")
        return {name: entry.get("value") for name, entry in raw.items()}


def _var_args(variables: Mapping[str, str]) -> list[str]:
    return [f"-var={key}={value}" for key, value in sorted(variables.items())]


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
