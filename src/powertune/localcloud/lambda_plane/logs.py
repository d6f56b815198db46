"""Ships every invocation's log lines to CloudWatch Logs in moto, off the hot path.

Best effort: a background thread drains a queue and writes with boto3 to moto directly;
a failure is logged once and never reaches the invoker. Log group `/aws/lambda/<name>`
(or the function's LoggingConfig.LogGroup); streams are named as on Lambda,
`YYYY/MM/DD/[<version>]<environment id>`. A cold start (an Init Duration) opens a new
stream, since on Lambda each execution environment writes its own.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from powertune.localcloud.lambda_plane.functions import moto_client

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class LogBatch:
    region: str
    log_group: str
    function_name: str
    version: str
    new_environment: bool
    text: str
    timestamp_ms: int
    log_stream: str = ""  # the environment's stream, when the engine names it


class LogShipper:
    """Queue + worker thread writing LogBatch items to moto's CloudWatch Logs."""

    def __init__(self, moto_url: str) -> None:
        self._moto_url = moto_url
        self._queue: queue.Queue[LogBatch | None] = queue.Queue(maxsize=10_000)
        self._clients: dict[str, Any] = {}
        self._groups: set[tuple[str, str]] = set()
        self._streams: dict[tuple[str, str, str], str] = {}
        self._warned = False
        self._thread = threading.Thread(target=self._run, name="log-shipper", daemon=True)
        self._thread.start()

    def ship(self, batch: LogBatch) -> None:
        # Best effort: never slow an invocation down for its logs.
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(batch)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(5.0)

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            try:
                self._write(batch)
            except (BotoCoreError, ClientError) as exc:
                if not self._warned:
                    _LOG.warning("could not write Lambda logs to CloudWatch Logs: %s", exc)
                    self._warned = True

    def _client(self, region: str) -> Any:
        if region not in self._clients:
            self._clients[region] = moto_client("logs", self._moto_url, region)
        return self._clients[region]

    def _write(self, batch: LogBatch) -> None:
        client = self._client(batch.region)
        if (batch.region, batch.log_group) not in self._groups:
            with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
                client.create_log_group(logGroupName=batch.log_group)
            self._groups.add((batch.region, batch.log_group))
        key = (batch.region, batch.log_group, batch.log_stream or batch.version)
        stream = self._streams.get(key)
        if stream is None and batch.log_stream:
            stream = batch.log_stream
            client.create_log_stream(logGroupName=batch.log_group, logStreamName=stream)
            self._streams[key] = stream
        elif stream is None or (batch.new_environment and not batch.log_stream):
            day = time.strftime("%Y/%m/%d", time.gmtime(batch.timestamp_ms / 1000))
            stream = f"{day}/[{batch.version}]{uuid.uuid4().hex}"
            client.create_log_stream(logGroupName=batch.log_group, logStreamName=stream)
            self._streams[key] = stream
        events = [
            {"timestamp": batch.timestamp_ms, "message": line}
            for line in batch.text.splitlines()
            if line
        ]
        if events:
            client.put_log_events(
                logGroupName=batch.log_group, logStreamName=stream, logEvents=events
            )
