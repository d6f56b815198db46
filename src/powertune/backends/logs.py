"""The CloudWatch Logs adapter of the load test's `LogEventSource` port (boto3).

FilterLogEvents over every page; works against AWS or any endpoint that speaks
CloudWatch Logs (the local cloud keeps Lambda's logs in its moto child). A log
group that does not exist yet (no invocation has logged) reads as empty.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from powertune.errors import BackendError


class CloudWatchLogs:
    """`messages()` over a boto3 `logs` client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    @classmethod
    def connect(
        cls,
        region: str,
        endpoint_url: str | None,
        credentials: tuple[str, str] | None = None,
    ) -> CloudWatchLogs:
        """A client for `region` (and `endpoint_url`, e.g. the local cloud's front door)."""
        access_key, secret_key = credentials or (None, None)
        client = boto3.client(
            "logs",
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
        )
        return cls(client)

    def messages(self, log_group: str, *, start_ms: int, end_ms: int, pattern: str) -> list[str]:
        found: list[str] = []
        request: dict[str, Any] = {
            "logGroupName": log_group,
            "startTime": start_ms,
            "endTime": end_ms,
            "filterPattern": pattern,
        }
        try:
            while True:
                page = self._client.filter_log_events(**request)
                found.extend(str(e.get("message", "")) for e in page.get("events", []))
                token = page.get("nextToken")
                if not token or token == request.get("nextToken"):
                    return found
                request["nextToken"] = token
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "ResourceNotFoundException":
                return found
            raise BackendError(
                "FilterLogEvents", str(error.get("Code")), str(error.get("Message"))
            ) from exc
        except BotoCoreError as exc:
            raise BackendError("FilterLogEvents", type(exc).__name__, str(exc)) from exc
