"""The Python that runs functions: found once, checked once, its version recorded.

Lambda's Python runtimes provide `awslambdaric` (the runtime interface client) and `boto3`;
so must the interpreter we run functions on. It is, in order: the engine's `runtime_python`
argument, `POWERTUNE_LAMBDA_PYTHON`, or the Python running powertune.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from powertune.errors import ConfigError

ENV_VAR = "POWERTUNE_LAMBDA_PYTHON"
_PROBE = (
    "import os, sys, awslambdaric, boto3; "
    "print('%d.%d.%d' % sys.version_info[:3]); print(os.path.dirname(awslambdaric.__file__))"
)


@dataclass(frozen=True, slots=True)
class RuntimePython:
    executable: str
    version: str  # "3.11.7"
    runtime_dir: Path  # where awslambdaric lives (LAMBDA_RUNTIME_DIR)

    @property
    def minor(self) -> str:
        """ "3.11", to compare with a function's `python3.11` runtime."""
        return ".".join(self.version.split(".")[:2])


def find_runtime_python(explicit: str | None) -> RuntimePython:
    executable = explicit or os.environ.get(ENV_VAR) or sys.executable
    try:
        probe = subprocess.run(
            [executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=False
        )
    except OSError as error:
        raise ConfigError(
            f"cannot run the Lambda runtime Python {executable!r}: {error}. Set {ENV_VAR} "
            "(or runtime_python) to a Python 3 that has awslambdaric and boto3 installed."
        ) from error
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        raise ConfigError(
            f"the Lambda runtime Python {executable!r} cannot import awslambdaric and boto3 "
            f"({reason}). Install them into it (`{executable} -m pip install awslambdaric "
            f"boto3`), or set {ENV_VAR} to a Python that has them."
        )
    version, runtime_dir = probe.stdout.split()[:2]
    return RuntimePython(executable, version, Path(runtime_dir))
