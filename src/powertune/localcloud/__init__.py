"""The local cloud: AWS control planes in moto, Lambda execution and API Gateway ours.

Start one from Python with `LocalCloud.start()` (a context manager), or from the shell
with `powertune local up`. See docs/local-cloud.md.
"""

from __future__ import annotations

from powertune.localcloud.realism import RealismSettings
from powertune.localcloud.state import LocalEndpoint, read_endpoint

__all__ = ["LocalEndpoint", "RealismSettings", "read_endpoint"]
