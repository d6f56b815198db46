"""Where `powertune loadtest` points: `--function F --url URL` (AWS or any endpoint) or `--local`.

`--local` reads the running local cloud's state (endpoint, region, CPU control)
and the outputs of the stack `powertune local deploy` applied there
(`function_name`, `invoke_url`), from the stack's Terraform state.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from powertune.cli.factory import resolve_region
from powertune.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Target:
    function_name: str
    url: str
    region: str
    endpoint_url: str | None
    credentials: tuple[str, str] | None
    #: how the PDFs describe where the function ran
    environment: str


def local_target(state_dir: Path | None) -> Target:
    """The deployed reference stack on the running local cloud."""
    from powertune.localcloud.state import read_live_state
    from powertune.reference.deploy import LocalTarget, local_outputs
    from powertune.reference.terraform import Terraform

    state = read_live_state(state_dir)
    target = LocalTarget(state.endpoint_url, state.region, Path(state.state_dir))
    if not (target.workdir / "terraform.tfstate").is_file():
        raise ConfigError(
            f"nothing is deployed on the local cloud at {state.endpoint_url}; run "
            "`powertune local deploy` first (or give --function and --url)"
        )
    outputs = local_outputs(Terraform.in_directory(target.workdir).outputs(), state.endpoint_url)
    function_name, url = outputs.get("function_name"), outputs.get("invoke_url")
    if not function_name or not url:
        raise ConfigError(
            f"the stack deployed on {state.endpoint_url} has no function_name/invoke_url "
            "outputs; redeploy it with `powertune local deploy`"
        )
    return Target(
        str(function_name),
        str(url).rstrip("/"),
        state.region,
        state.endpoint_url,
        ("powertune-local", "powertune-local"),
        f"local cloud (CPU control: {state.cpu_control})",
    )


def resolve_target(
    *,
    use_local: bool,
    local_state_dir: Path | None,
    function_name: str | None,
    url: str | None,
    region: str | None,
    endpoint_url: str | None,
) -> Target:
    """`--local`, or `--function` with `--url`; anything else is a usage error."""
    if use_local:
        if function_name or url or endpoint_url:
            raise ConfigError(
                "--local takes the function and URL of the deployed stack; drop --function, "
                "--url and --endpoint-url, or drop --local"
            )
        return local_target(local_state_dir)
    if not function_name or not url:
        raise ConfigError(
            "say what to load: --function NAME --url https://.../stage (both), or --local "
            "for the stack `powertune local deploy` applied"
        )
    resolved = resolve_region(region, None, endpoint_url=endpoint_url)
    where = f"endpoint {endpoint_url}" if endpoint_url else "AWS"
    return Target(function_name, url.rstrip("/"), resolved, endpoint_url, None, where)
