"""Switchable control-plane realism: updates that take time, rate limits and conflicts.

Off by default. When on, the Lambda control plane behaves as AWS documents it
(lambda-model.md §5): UpdateFunctionConfiguration/UpdateFunctionCode leave
`LastUpdateStatus` at `InProgress` for a set time, a further update (or PublishVersion)
meanwhile gets 409 ResourceConflictException, and more than a set number of control-plane
requests per second get 429 TooManyRequestsException, and a new function stays in
`State: Pending` for a set time, refusing invokes and updates with 409 (API_Invoke:
ResourceConflictException "The function is currently in the following state: Pending").
GetFunction has its own (100 rps)
bucket on AWS, so it is not counted; Invoke is not a control-plane call.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from powertune.localcloud.aws_errors import AwsError


@dataclass(frozen=True)
class RealismSettings:
    """How realistic the Lambda control plane is.

    The timing switches (InProgress, rate limit, Pending) are off by default so tests
    are fast; `publish_changes_revision` is AWS's own behaviour and on by default.
    """

    update_in_progress_s: float = 0.0
    control_plane_rps: int | None = None
    create_pending_s: float = 0.0
    #: PublishVersion also gives `$LATEST` a new RevisionId, as on AWS (lambda_plane/revisions.py)
    publish_changes_revision: bool = True

    @property
    def enabled(self) -> bool:
        return (
            self.update_in_progress_s > 0
            or self.control_plane_rps is not None
            or self.create_pending_s > 0
        )


UPDATES = frozenset({"UpdateFunctionConfiguration", "UpdateFunctionCode", "PublishVersion"})
UNCOUNTED = frozenset({"GetFunction"})


class ControlPlaneRealism:
    """Applies RealismSettings to the Lambda operations passing through the front door."""

    def __init__(
        self, settings: RealismSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._recent: collections.deque[float] = collections.deque()
        self._updating_until: dict[str, float] = {}
        self._pending_until: dict[str, float] = {}

    def admit(self, operation: str, function_name: str, function_arn: str) -> None:
        """Raise the AWS error this call would get now, or record it as admitted."""
        now = self._clock()
        with self._lock:
            limit = self.settings.control_plane_rps
            if limit is not None and operation not in UNCOUNTED:
                while self._recent and now - self._recent[0] >= 1.0:
                    self._recent.popleft()
                if len(self._recent) >= limit:
                    # Lambda quotas: 15 rps across control-plane APIs, then HTTP 429.
                    raise AwsError("TooManyRequestsException", "Rate exceeded", 429)
                self._recent.append(now)
            if operation in UPDATES and self._pending_until.get(function_name, 0.0) > now:
                raise pending_conflict()
            if operation in UPDATES and self._updating_until.get(function_name, 0.0) > now:
                # API_UpdateFunctionConfiguration: ResourceConflictException (409).
                raise AwsError(
                    "ResourceConflictException",
                    "The operation cannot be performed at this time. An update is in "
                    f"progress for resource: {function_arn}",
                    409,
                )

    def record_update(self, function_name: str) -> None:
        """An update was accepted: it stays InProgress for the configured time."""
        if self.settings.update_in_progress_s <= 0:
            return
        with self._lock:
            self._updating_until[function_name] = self._clock() + self.settings.update_in_progress_s

    def record_create(self, function_name: str) -> None:
        """A function was created: it stays Pending for the configured time."""
        with self._lock:
            self._updating_until.pop(function_name, None)
            if self.settings.create_pending_s > 0:
                self._pending_until[function_name] = self._clock() + self.settings.create_pending_s
            else:
                self._pending_until.pop(function_name, None)

    def pending(self, function_name: str) -> bool:
        with self._lock:
            return self._pending_until.get(function_name, 0.0) > self._clock()

    def check_invocable(self, function_name: str) -> None:
        """Invoke of a Pending function: 409, as Lambda answers it."""
        if self.pending(function_name):
            raise pending_conflict()

    def in_progress(self, function_name: str) -> bool:
        with self._lock:
            return self._updating_until.get(function_name, 0.0) > self._clock()


def pending_conflict() -> AwsError:
    # API_Invoke / API_UpdateFunctionConfiguration: ResourceConflictException (409).
    return AwsError(
        "ResourceConflictException",
        "The operation cannot be performed at this time. The function is currently in the "
        "following state: Pending",
        409,
    )
