"""A scripted, in-memory Backend for tests and for users' own pipeline tests.

`FakeBackend` keeps Lambda's control-plane state (a `$LATEST` configuration,
published versions that keep the memory they were published with, aliases)
and answers `invoke` from a script: a function of (memory, architecture,
payload index, call number) returning an `InvokeOutcome`. It records every
call so tests can assert what the engine did. Faults can be injected per
operation (`fail_on`: the next call only; `fail_always`: every call with given arguments).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from powertune.errors import BackendError, UnsupportedArchitecture
from powertune.lambda_model import cpu_share
from powertune.tuning.models import Architecture
from powertune.tuning.ports import FunctionConfig, InvokeOutcome

Script = Callable[[int, Architecture, bytes, int], InvokeOutcome]


@dataclass
class _Function:
    latest: FunctionConfig
    versions: dict[str, FunctionConfig]
    aliases: dict[str, str]
    next_version: int = 1


def cpu_bound_script(work_ms_at_one_vcpu: float = 100.0, io_ms: float = 5.0) -> Script:
    """A deterministic CPU-bound workload: duration = io + work / single-thread CPU share."""

    def script(memory_mb: int, arch: Architecture, payload: bytes, call: int) -> InvokeOutcome:
        share = cpu_share(memory_mb, threads=1.0)
        duration = io_ms + work_ms_at_one_vcpu / share + (call % 3) * 0.01
        return InvokeOutcome(b'{"ok": true}', round(duration, 2), int(-(-duration // 1)))

    return script


class FakeBackend:
    """In-memory Lambda with scripted invocations."""

    def __init__(
        self,
        script: Script | None = None,
        *,
        region: str = "us-east-1",
        architectures: frozenset[Architecture] = frozenset(Architecture),
        account_id: str = "123456789012",
    ) -> None:
        self._script = script or cpu_bound_script()
        self._region = region
        self._architectures = architectures
        self._account = account_id
        self._functions: dict[str, _Function] = {}
        self._revision = 0
        self.calls: list[tuple[str, ...]] = []
        #: operation name -> error code to raise on its next call (then cleared)
        self.fail_on: dict[str, str] = {}
        #: (operation, *leading args) -> error code raised on every matching call, e.g.
        #: {("DeleteAlias", "fn", "pt-x"): "AccessDeniedException"}
        self.fail_always: dict[tuple[str, ...], str] = {}
        #: called after each operation (tests use it to interrupt a run midway)
        self.after_call: Callable[[str], None] | None = None
        self._invocations = 0

    # --- set-up helpers for tests -------------------------------------------
    def add_function(
        self,
        name: str,
        *,
        memory_mb: int = 128,
        timeout_s: int = 30,
        architecture: Architecture = Architecture.X86_64,
        code: bytes = b"code",
    ) -> FunctionConfig:
        cfg = FunctionConfig(
            function_name=name,
            function_arn=self._arn(name),
            version="$LATEST",
            memory_mb=memory_mb,
            architecture=architecture,
            timeout_s=timeout_s,
            runtime="python3.11",
            code_sha256=hashlib.sha256(code).hexdigest(),
            revision_id=self._next_revision(),
        )
        self._functions[name] = _Function(cfg, {}, {})
        return cfg

    def external_update(self, name: str, memory_mb: int, *, code: bytes | None = None) -> None:
        """Simulate someone else deploying mid-run (changes the RevisionId, maybe the code)."""
        fn = self._get(name)
        sha = fn.latest.code_sha256 if code is None else hashlib.sha256(code).hexdigest()
        fn.latest = replace(
            fn.latest, memory_mb=memory_mb, code_sha256=sha, revision_id=self._next_revision()
        )

    def state(self, name: str) -> tuple[FunctionConfig, dict[str, FunctionConfig], dict[str, str]]:
        fn = self._get(name)
        return fn.latest, dict(fn.versions), dict(fn.aliases)

    @property
    def function_names(self) -> list[str]:
        return sorted(self._functions)

    # --- Backend ------------------------------------------------------------
    @property
    def region(self) -> str:
        return self._region

    def describe(self) -> dict[str, str]:
        return {"kind": "fake", "cpu_control": "none"}

    def supported_architectures(self) -> frozenset[Architecture]:
        return self._architectures

    def get_configuration(self, function_name: str, qualifier: str | None = None) -> FunctionConfig:
        self._op("GetFunctionConfiguration", function_name, qualifier or "")
        fn = self._get(function_name)
        if qualifier in (None, "$LATEST"):
            return fn.latest
        version = fn.aliases.get(qualifier or "", qualifier)
        if version not in fn.versions:
            raise BackendError(
                "GetFunctionConfiguration",
                "ResourceNotFoundException",
                f"Function not found: {self._arn(function_name)}:{qualifier}",
            )
        return fn.versions[version]

    def update_configuration(
        self,
        function_name: str,
        *,
        memory_mb: int,
        architecture: Architecture,
        revision_id: str | None,
    ) -> FunctionConfig:
        self._op("UpdateFunctionConfiguration", function_name, str(memory_mb), architecture.value)
        fn = self._get(function_name)
        if revision_id is not None and revision_id != fn.latest.revision_id:
            raise BackendError(
                "UpdateFunctionConfiguration",
                "PreconditionFailedException",
                "The Revision Id provided does not match the latest Revision Id.",
            )
        fn.latest = replace(
            fn.latest,
            memory_mb=memory_mb,
            architecture=architecture,
            revision_id=self._next_revision(),
        )
        return fn.latest

    def publish_version(
        self,
        function_name: str,
        *,
        description: str,
        code_sha256: str,
        revision_id: str | None = None,
    ) -> FunctionConfig:
        self._op("PublishVersion", function_name, description)
        fn = self._get(function_name)
        if revision_id is not None and revision_id != fn.latest.revision_id:
            raise BackendError(
                "PublishVersion",
                "PreconditionFailedException",
                "The Revision Id provided does not match the latest Revision Id.",
            )
        # Lambda does not publish when nothing changed since the last version
        # (https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html).
        for cfg in fn.versions.values():
            if (cfg.memory_mb, cfg.architecture, cfg.code_sha256) == (
                fn.latest.memory_mb,
                fn.latest.architecture,
                fn.latest.code_sha256,
            ) and int(cfg.version) == fn.next_version - 1:
                return cfg
        version = str(fn.next_version)
        fn.next_version += 1
        cfg = replace(fn.latest, version=version, description=description)
        fn.versions[version] = cfg
        # As on AWS, publishing gives $LATEST a new RevisionId.
        fn.latest = replace(fn.latest, revision_id=self._next_revision())
        return cfg

    def create_alias(self, function_name: str, alias: str, version: str) -> None:
        self._op("CreateAlias", function_name, alias, version)
        self._get(function_name).aliases[alias] = version

    def delete_alias(self, function_name: str, alias: str) -> None:
        self._op("DeleteAlias", function_name, alias)
        self._get(function_name).aliases.pop(alias, None)

    def delete_version(self, function_name: str, version: str) -> None:
        self._op("DeleteFunction", function_name, version)
        fn = self._get(function_name)
        if version in fn.aliases.values():
            raise BackendError(
                "DeleteFunction",
                "ResourceConflictException",
                f"Unable to delete version because the following aliases reference it: {version}",
            )
        fn.versions.pop(version, None)

    def list_versions(self, function_name: str) -> list[FunctionConfig]:
        self._op("ListVersionsByFunction", function_name)
        fn = self._get(function_name)
        return [fn.versions[v] for v in sorted(fn.versions, key=int)]

    def invoke(self, function_name: str, qualifier: str, payload: bytes) -> InvokeOutcome:
        self._op("Invoke", function_name, qualifier)
        cfg = self.get_configuration(function_name, qualifier)
        if cfg.architecture not in self._architectures:
            raise UnsupportedArchitecture(
                f"the fake backend was not given {cfg.architecture.value}; "
                "it will not invent timings"
            )
        self._invocations += 1
        return self._script(cfg.memory_mb, cfg.architecture, payload, self._invocations)

    def create_scratch_copy(self, source: FunctionConfig, copy_name: str) -> FunctionConfig:
        self._op("CreateFunction", copy_name)
        cfg = replace(
            source,
            function_name=copy_name,
            function_arn=self._arn(copy_name),
            version="$LATEST",
            revision_id=self._next_revision(),
        )
        self._functions[copy_name] = _Function(cfg, {}, {})
        return cfg

    def delete_function(self, function_name: str) -> None:
        self._op("DeleteFunction", function_name)
        self._functions.pop(function_name, None)

    # --- internals ------------------------------------------------------------
    def _arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self._region}:{self._account}:function:{name}"

    def _next_revision(self) -> str:
        self._revision += 1
        return f"rev-{self._revision}"

    def _get(self, name: str) -> _Function:
        fn = self._functions.get(name)
        if fn is None:
            raise BackendError(
                "GetFunction", "ResourceNotFoundException", f"Function not found: {self._arn(name)}"
            )
        return fn

    def _op(self, operation: str, *args: str) -> None:
        self.calls.append((operation, *args))
        code = self.fail_on.pop(operation, None)
        call = (operation, *args)
        code = code or next((c for k, c in self.fail_always.items() if call[: len(k)] == k), None)
        if code is not None:
            raise BackendError(operation, code, f"injected failure of {operation}")
        if self.after_call is not None:
            self.after_call(operation)
