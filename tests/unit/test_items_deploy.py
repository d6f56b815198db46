"""Pure pieces of `powertune local deploy`: overrides, output rewriting, variables, environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from powertune.cli.local_deploy import parse_vars
from powertune.errors import ConfigError
from powertune.reference.deploy import (
    SERVICES,
    LocalTarget,
    local_outputs,
    local_variables,
    provider_override,
)
from powertune.reference.terraform import TerraformError, terraform_environment

ENDPOINT = "http://127.0.0.1:4566"


def test_provider_override_sends_every_service_to_the_local_cloud() -> None:
    hcl = provider_override(ENDPOINT, "eu-west-1")
    for service in SERVICES:
        assert f'    {service} = "{ENDPOINT}"' in hcl
    assert 'region                      = "eu-west-1"' in hcl
    for flag in (
        "skip_credentials_validation",
        "skip_metadata_api_check",
        "skip_region_validation",
    ):
        assert f"{flag}" in hcl
    assert "s3_use_path_style           = true" in hcl


def test_invoke_url_is_rewritten_and_the_aws_one_kept() -> None:
    raw = {
        "invoke_url": "https://abc123.execute-api.us-east-1.amazonaws.com/v1",
        "api_id": "abc123",
        "stage_name": "v1",
        "function_name": "f",
    }
    out = local_outputs(raw, ENDPOINT + "/")
    assert out["invoke_url"] == f"{ENDPOINT}/restapis/abc123/v1/_user_request_"
    assert out["aws_invoke_url"] == raw["invoke_url"]
    assert out["function_name"] == "f"


def test_outputs_without_an_api_are_left_alone() -> None:
    assert local_outputs({"function_name": "f"}, ENDPOINT) == {"function_name": "f"}


def test_user_variables_win_over_the_defaults() -> None:
    target = LocalTarget(ENDPOINT, "us-east-1", Path("/state"))
    variables = local_variables(target, Path("/state/x.zip"), {"memory_size": "512"})
    assert variables == {
        "lambda_zip_path": "/state/x.zip",
        "aws_region": "us-east-1",
        "memory_size": "512",
    }
    assert target.workdir == Path("/state/stacks/items")


def test_parse_vars() -> None:
    assert parse_vars(("memory_size=512", "a=b=c")) == {"memory_size": "512", "a": "b=c"}
    with pytest.raises(ConfigError, match="is not KEY=VALUE"):
        parse_vars(("memory_size",))


def test_cli_config_is_passed_only_when_powertune_names_one(tmp_path: Path) -> None:
    config = tmp_path / "terraformrc"
    config.write_text("")
    env = terraform_environment({"POWERTUNE_TF_CLI_CONFIG": str(config), "PATH": "/bin"})
    assert env["TF_CLI_CONFIG_FILE"] == str(config)
    assert env["TF_INPUT"] == "0"
    untouched = terraform_environment({"TF_CLI_CONFIG_FILE": "/users/own.rc"})
    assert untouched["TF_CLI_CONFIG_FILE"] == "/users/own.rc"
    assert "TF_CLI_CONFIG_FILE" not in terraform_environment({})


def test_a_missing_cli_config_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(TerraformError, match="make terraform-config"):
        terraform_environment({"POWERTUNE_TF_CLI_CONFIG": str(tmp_path / "missing")})
