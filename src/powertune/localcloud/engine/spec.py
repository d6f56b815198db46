"""What the engine is asked to run (`FunctionSpec`) and what it answers (`InvocationResult`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """Everything needed to run one version of one function."""

    function_name: str
    function_arn: str
    version: str  # "$LATEST" or "1", "2", ...
    runtime: str
    handler: str
    memory_mb: int
    timeout_s: int
    architecture: str  # "x86_64" or "arm64"
    environment: Mapping[str, str]
    code_dir: Path  # unzipped code; the engine only reads it
    code_sha256: str
    log_format: str = "Text"  # LoggingConfig.LogFormat: "Text" or "JSON"
    log_group: str = ""  # /aws/lambda/<name> unless configured
    reserved_concurrency: int | None = None

    @property
    def log_group_name(self) -> str:
        return self.log_group or f"/aws/lambda/{self.function_name}"

    def fingerprint(self) -> str:
        """Identity of the configuration an environment was built for.

        Lambda starts fresh environments after any configuration or code change, so warm
        environments are only reused for an identical fingerprint.
        """
        fields = [
            self.function_arn,
            self.version,
            self.runtime,
            self.handler,
            self.memory_mb,
            self.timeout_s,
            self.architecture,
            sorted(self.environment.items()),
            str(self.code_dir),
            self.code_sha256,
            self.log_format,
            self.log_group_name,
        ]
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class InvocationResult:
    """One finished invocation, as Lambda's Invoke response and REPORT line describe it."""

    request_id: str
    payload: bytes
    function_error: str | None  # "Unhandled" on errors, timeouts, out-of-memory
    error_type: str | None
    log_text: str  # full log of this invocation, START/END/REPORT included
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None
    max_memory_used_mb: int
    executed_version: str
    cpu_control: str
    log_stream: str = ""  # the environment's CloudWatch log stream name
