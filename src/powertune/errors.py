"""The library's errors: one root, each message naming the bad value and the fix.

Nothing here does I/O. The CLI maps these to exit codes in one place
(`powertune.cli.main`): usage errors exit 2, operational failures exit 1.
"""

from __future__ import annotations


class PowertuneError(Exception):
    """Root of every error powertune raises on purpose."""

    exit_code = 1


class ConfigError(PowertuneError):
    """A value given by the user is invalid; the message says which and how to fix it."""

    exit_code = 2


class PricingError(ConfigError):
    """No price is known for a region/architecture; never guess one."""

    def __init__(self, region: str, architecture: str, known: list[str]) -> None:
        self.region = region
        self.architecture = architecture
        super().__init__(
            f"no Lambda price for region {region!r} on {architecture}; known regions: "
            f"{', '.join(sorted(known))}. Supply a price table with --price-table FILE "
            "(same format as powertune/tuning/prices.json) that lists this region."
        )


class BackendError(PowertuneError):
    """A call to Lambda (AWS or the local cloud) failed."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        self.operation = operation
        self.code = code
        self.aws_message = message
        super().__init__(f"{operation} failed: {code}: {message}")


class UnsupportedArchitecture(PowertuneError):
    """The backend cannot run this architecture at its real speed, so it refuses to."""


class TuningFailed(PowertuneError):
    """Every memory size failed; nothing can be recommended."""


class RestoreConflict(PowertuneError):
    """The function changed under us during a run; we left it alone instead of overwriting it."""


class ApprovalRefused(PowertuneError):
    """The manual gate ended without approval: denied, or timed out (exit 3)."""

    exit_code = 3


class GitHubError(PowertuneError):
    """GitHub (or its stand-in) could not be used: API failure, missing token, issue gone.

    Never a denial: an error is reported as an error (exit 1).
    """
