"""What an environment starts with: Lambda's variables, client context and trace header."""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from pathlib import Path

from powertune.localcloud.engine.spec import FunctionSpec

DUMMY_CREDENTIALS = {
    # Lambda hands every function temporary credentials; moto accepts any, so use obvious fakes.
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def lambda_environment(
    spec: FunctionSpec,
    *,
    runtime_api: str,
    log_stream: str,
    tmp_dir: Path,
    region: str,
    endpoint_url: str,
    runtime_dir: Path,
) -> dict[str, str]:
    """Lambda's environment variables (lambda/latest/dg/configuration-envvars.html)."""
    variables = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "AWS_ENDPOINT_URL": endpoint_url,
        **spec.environment,
        "TZ": ":UTC",
        "_HANDLER": spec.handler,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group_name,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "LAMBDA_RUNTIME_DIR": str(runtime_dir),
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "PYTHONPATH": str(spec.code_dir),
        # The code folder is read-only, as /var/task is on Lambda: no __pycache__ in it.
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": str(tmp_dir),
        **DUMMY_CREDENTIALS,
    }
    if spec.log_format.upper() == "JSON":
        variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
    return variables


def client_context_json(value: str | None) -> str | None:
    """Invoke takes the client context base64-encoded (X-Amz-Client-Context); the runtime
    gets it as JSON in Lambda-Runtime-Client-Context (awslambdaric json-loads it). Values
    that are already JSON pass through unchanged."""
    if not value:
        return None
    try:
        json.loads(value)
        return value
    except ValueError:
        pass
    try:
        decoded = base64.b64decode(value, validate=True).decode()
        json.loads(decoded)
    except (ValueError, UnicodeDecodeError):
        return value  # neither: let the runtime report it, as Lambda's would
    return decoded


def trace_id() -> str:
    """An X-Ray trace header as Lambda passes it (Root=1-<epoch hex>-<96 bits>)."""
    return (
        f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};"
        f"Parent={secrets.token_hex(8)};Sampled=0"
    )
