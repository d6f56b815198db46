"""`powertune loadtest` option parsing: sizes, scenarios, target; usage errors exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from powertune.cli.loadtest import parse_sizes, resolve_scenario
from powertune.cli.loadtest_target import resolve_target
from powertune.errors import ConfigError
from powertune.loadtest.runner import LoadSpec, locust_command


def test_sizes_keep_their_order() -> None:
    assert parse_sizes("1024,512") == (1024, 512)
    assert parse_sizes(" 512 , 1024 ,") == (512, 1024)


@pytest.mark.parametrize("text", ["", "512,512", "64", "512,abc", "20000"])
def test_bad_sizes_are_usage_errors(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_sizes(text)
    assert caught.value.exit_code == 2 and "--memory" in str(caught.value)


def test_scenarios_bundled_or_a_file(tmp_path: Path) -> None:
    default, label = resolve_scenario(None)
    assert default.name == "items_api.py" and default.is_file() and "bundled" in label
    export, _ = resolve_scenario("export")
    assert export.name == "export.py"
    own = tmp_path / "mine.py"
    own.write_text("")
    assert resolve_scenario(str(own)) == (own, "mine.py")
    with pytest.raises(ConfigError):
        resolve_scenario("recorder")


def test_the_locust_child_loads_the_recorder_beside_the_scenario() -> None:
    scenario, _ = resolve_scenario("export")
    command = locust_command(LoadSpec("http://127.0.0.1:9/v1", 3, 1.5, 20.0, scenario))
    files = command[command.index("-f") + 1].split(",")
    assert [Path(f).name for f in files] == ["recorder.py", "export.py"]
    assert command[command.index("--run-time") + 1] == "20s"
    assert "--headless" in command and command[command.index("--host") + 1].endswith("/v1")


@pytest.mark.parametrize(
    ("local", "function", "url"),
    [(False, None, None), (False, "f", None), (True, "f", None), (True, None, "http://x")],
)
def test_target_needs_function_and_url_or_local_alone(
    local: bool, function: str | None, url: str | None
) -> None:
    with pytest.raises(ConfigError):
        resolve_target(
            use_local=local,
            local_state_dir=None,
            function_name=function,
            url=url,
            region="us-east-1",
            endpoint_url=None,
        )


def test_function_and_url_target_aws() -> None:
    target = resolve_target(
        use_local=False,
        local_state_dir=None,
        function_name="items-api",
        url="https://abc.execute-api.eu-west-1.amazonaws.com/v1/",
        region="eu-west-1",
        endpoint_url=None,
    )
    assert (target.function_name, target.url, target.region) == (
        "items-api",
        "https://abc.execute-api.eu-west-1.amazonaws.com/v1",
        "eu-west-1",
    )
