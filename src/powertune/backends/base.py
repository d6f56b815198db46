"""The Backend port, re-exported for adapters (defined in `powertune.tuning.ports`)."""

from __future__ import annotations

from powertune.tuning.ports import Backend, FunctionConfig, InvokeOutcome

__all__ = ["Backend", "FunctionConfig", "InvokeOutcome"]
