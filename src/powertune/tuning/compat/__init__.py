"""Compatibility mode: AWS Lambda Power Tuning's exact numbers from our samples.

`--compat aws-lambda-power-tuning` reproduces upstream (alexcasalboni/aws-lambda-
power-tuning) bit for bit where its behaviour is sound, so users can compare 1:1:
trimmed means with `discardTopBottom`, the ceil of the average billed duration,
upstream's own price table, its strategy tie-breaks and its visualization URL.
The modules mirror upstream's functions one by one and are checked against the
421 vectors in tests/data/power-tuning-vectors.json; docs/compat.md lists what we
deliberately do differently. Pure: no I/O, no clock, no environment.
"""

from __future__ import annotations

from powertune.tuning.compat.analysis import analyze_compat, failed_sizes
from powertune.tuning.compat.errors import UpstreamError
from powertune.tuning.compat.visualization import (
    DEFAULT_VISUALIZATION_URL,
    build_visualization_url,
)

__all__ = [
    "DEFAULT_VISUALIZATION_URL",
    "UpstreamError",
    "analyze_compat",
    "build_visualization_url",
    "failed_sizes",
]
