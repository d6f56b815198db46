"""The error raised where upstream throws, carrying upstream's exact message.

Compatibility mode promises upstream's messages verbatim (the vectors check them),
so these messages are upstream's words, not ours. Where we *reject* a value that
upstream would silently clamp or crash on, we raise `powertune.errors.ConfigError`
with our own message instead.
"""

from __future__ import annotations

from powertune.errors import PowertuneError


class UpstreamError(PowertuneError):
    """An error AWS Lambda Power Tuning raises for the same input, with its message.

    `js_type` is the JavaScript error class upstream throws (`Error`, `RangeError`).
    """

    def __init__(self, message: str, js_type: str = "Error") -> None:
        self.js_type = js_type
        super().__init__(message)
