"""Lambda's RevisionId for functions and versions, which moto (5.2.5) does not implement.

AWS gives `$LATEST` a RevisionId (a UUID) that changes with every change to the
function, and each published version its own, fixed at publish. UpdateFunctionConfiguration,
UpdateFunctionCode and PublishVersion take an optional `RevisionId` and refuse with 412
`PreconditionFailedException` when it is not the current one
(https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html,
API_PublishVersion.html). powertune relies on it so a deploy landing mid-run is never
overwritten.

The front door keeps the ids in memory, per instance (as it keeps LoggingConfig):
- a change holds a per-function lock from the check to the new id, so of two updates
  carrying the same RevisionId exactly one passes, and nothing reaches moto after a 412;
- a read takes the id BEFORE moto answers: a concurrent change can then only make the
  id look older than the configuration (the caller's next update gets a 412 and re-reads),
  never newer (which would let a stale caller overwrite the change).
Functions first seen in a response (created behind the front door's back) get an id then.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from powertune.localcloud.aws_errors import AwsError
from powertune.localcloud.frontdoor.messages import HttpResponse
from powertune.localcloud.lambda_plane.names import parse_function_ref

LATEST = "$LATEST"
#: Calls that change `$LATEST` or create/delete versions: serialised per function.
CHANGES = frozenset(
    {
        "CreateFunction",
        "UpdateFunctionConfiguration",
        "UpdateFunctionCode",
        "PublishVersion",
        "DeleteFunction",
    }
)
#: Calls that take a `RevisionId` precondition on `$LATEST`.
GUARDED = frozenset({"UpdateFunctionConfiguration", "UpdateFunctionCode", "PublishVersion"})
_STAMPED = frozenset(
    {
        *CHANGES - {"DeleteFunction"},
        "GetFunction",
        "GetFunctionConfiguration",
        "ListVersionsByFunction",
        "ListFunctions",
    }
)

Exists = Callable[[str, str], bool]  # (region, name): does moto know this function?


def precondition_failed() -> AwsError:
    # The text Lambda answers with (LocalStack's AWS-validated snapshot tests use it too).
    return AwsError(
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
        412,
    )


class RevisionBook:
    """RevisionIds of `$LATEST` and of published versions, per (region, function)."""

    def __init__(
        self,
        *,
        publish_changes_latest: bool = False,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.publish_changes_latest = publish_changes_latest
        self._new_id = new_id
        self._lock = threading.Lock()
        self._ids: dict[tuple[str, str, str], str] = {}  # (region, name, version) -> id
        self._published: set[tuple[str, str, str]] = set()  # versions seen published
        self._function_locks: dict[tuple[str, str], threading.Lock] = {}

    def function_lock(self, region: str, name: str) -> threading.Lock:
        with self._lock:
            return self._function_locks.setdefault((region, name), threading.Lock())

    def current(self, region: str, name: str, version: str = LATEST) -> str | None:
        with self._lock:
            return self._ids.get((region, name, version))

    def of(self, region: str, name: str, version: str = LATEST) -> str:
        """The id, given one now if this function or version was never seen."""
        with self._lock:
            return self._id_locked((region, name, version))

    def _id_locked(self, key: tuple[str, str, str]) -> str:
        if key not in self._ids:
            self._ids[key] = self._new_id()
        return self._ids[key]

    def latest_ids(self, region: str) -> dict[str, str]:
        with self._lock:
            return {n: i for (r, n, v), i in self._ids.items() if r == region and v == LATEST}

    def changed(self, region: str, name: str) -> str:
        """`$LATEST` changed: its new id."""
        revision = self._new_id()
        with self._lock:
            self._ids[(region, name, LATEST)] = revision
        return revision

    def created(self, region: str, name: str) -> str:
        """A new function: versions of an earlier function of that name are gone."""
        self.deleted(region, name, None)
        return self.changed(region, name)

    def published(self, region: str, name: str, version: str) -> str:
        """A version was published (or an unchanged one returned again): its id."""
        key = (region, name, version)
        with self._lock:
            if key in self._published:
                # Lambda returned the existing version: nothing was published.
                return self._ids[key]
            self._published.add(key)
            # A read that listed the version while it was being published already gave
            # it an id: keep that one.
            revision = self._id_locked(key)
        if self.publish_changes_latest:
            self.changed(region, name)
        return revision

    def deleted(self, region: str, name: str, version: str | None) -> None:
        """The function (`version` None) or one version was deleted."""
        with self._lock:
            for key in [k for k in self._ids if k[:2] == (region, name)]:
                if version is None or key[2] == version:
                    del self._ids[key]
                    self._published.discard(key)


class RevisionTicket:
    """One control-plane call's view of the RevisionIds: check, record, then stamp."""

    def __init__(self, book: RevisionBook, operation: str, region: str, name: str) -> None:
        self.book = book
        self.operation = operation
        self.region = region
        self.name = name
        # Reads: the ids as they were before moto answered (see the module docstring).
        self._before: dict[str, str] = {}
        if operation == "ListFunctions":
            self._before = book.latest_ids(region)
        elif operation not in CHANGES and name:
            before = book.current(region, name)
            if before is not None:
                self._before[name] = before

    def check(self, given: object, exists: Exists) -> None:
        """Raise 412 if `given` is not `$LATEST`'s id (the function lock is held)."""
        if self.operation not in GUARDED or given is None or given == "":
            return
        current = self.book.current(self.region, self.name)
        if current is None:
            if not exists(self.region, self.name):
                return  # moto answers 404 for the unknown function, as Lambda does
            current = self.book.of(self.region, self.name)
        if given != current:
            raise precondition_failed()

    def settle(self, response: HttpResponse, qualifier: str | None) -> None:
        """Record what a successful change did (the function lock is held)."""
        if not 200 <= response.status < 300 or self.operation not in CHANGES:
            return
        if self.operation == "DeleteFunction":
            self.book.deleted(self.region, self.name, qualifier)
            return
        version = _version_of(response.body)
        if self.operation == "CreateFunction":
            self.book.created(self.region, self.name)
        elif self.operation in ("UpdateFunctionConfiguration", "UpdateFunctionCode"):
            self.book.changed(self.region, self.name)
        if version not in (None, LATEST):
            # PublishVersion, or CreateFunction/UpdateFunctionCode with Publish=True.
            self.book.published(self.region, self.name, version)

    def stamp(self, response: HttpResponse) -> HttpResponse:
        """Put the RevisionId into every function configuration in a success response."""
        if not 200 <= response.status < 300 or self.operation not in _STAMPED:
            return response
        try:
            document = json.loads(response.body)
        except ValueError:
            return response
        if not isinstance(document, dict):
            return response
        if self.operation == "ListVersionsByFunction":
            configs = document.get("Versions") or []
        elif self.operation == "ListFunctions":
            configs = document.get("Functions") or []
        else:
            configs = [document.get("Configuration", document)]
        for config in configs:
            if isinstance(config, dict) and "FunctionName" in config:
                config["RevisionId"] = self._revision_for(config)
        return response.with_body(json.dumps(document).encode())

    def _revision_for(self, config: Mapping[str, Any]) -> str:
        name = parse_function_ref(str(config["FunctionName"])).name
        version = str(config.get("Version", LATEST))
        if version == LATEST and name in self._before:
            return self._before[name]
        return self.book.of(self.region, name, version)


@contextmanager
def revision_guard(
    book: RevisionBook, operation: str, region: str, name: str
) -> Iterator[RevisionTicket]:
    """A ticket for this call; changes to one function run one at a time inside it."""
    function = parse_function_ref(name).name if name else ""
    ticket = RevisionTicket(book, operation, region, function)
    if operation not in CHANGES or not function:
        yield ticket
        return
    with book.function_lock(region, function):
        yield ticket


def _version_of(body: bytes) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    version = document.get("Version")
    return str(version) if version is not None else None
