"""powertune: measure AWS Lambda functions at several memory sizes and pick the right one.

The public API is re-exported here; everything else is an implementation detail.
"""

from __future__ import annotations

from powertune.errors import PowertuneError

__all__ = ["PowertuneError", "__version__"]
__version__ = "0.1.0"
