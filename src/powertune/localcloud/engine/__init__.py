"""The local cloud's Lambda execution engine: real processes, Lambda's runtime client, CPU ∝ memory.

See docs/local-cloud-engine.md. The front door uses only the names re-exported here.
"""

from __future__ import annotations

from powertune.localcloud.engine.engine import ExecutionEngine
from powertune.localcloud.engine.errors import EngineError
from powertune.localcloud.engine.spec import FunctionSpec, InvocationResult

__all__ = ["EngineError", "ExecutionEngine", "FunctionSpec", "InvocationResult"]
