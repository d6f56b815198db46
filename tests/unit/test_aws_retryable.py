"""Which AWS errors the adapter waits out, and which fail at once."""

from __future__ import annotations

import pytest

from powertune.backends.aws import is_retryable


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("TooManyRequestsException", "Rate exceeded", True),
        ("ThrottlingException", "Rate exceeded", True),
        (
            "ResourceConflictException",
            "The operation cannot be performed at this time. An update is in progress for "
            "resource: arn:aws:lambda:us-east-1:123456789012:function:f",
            True,
        ),
        ("ResourceConflictException", "Alias already exists: arn:...:function:f:pt-1", False),
        (
            "ResourceConflictException",
            "Unable to delete version because the following aliases reference it: [pt-1]",
            False,
        ),
        ("ResourceNotFoundException", "Function not found", False),
        ("PreconditionFailedException", "The Revision Id provided does not match", False),
    ],
)
def test_only_throttling_and_in_progress_conflicts_are_retried(
    code: str, message: str, expected: bool
) -> None:
    assert is_retryable(code, message) is expected
