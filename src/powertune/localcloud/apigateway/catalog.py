"""The REST APIs deployed in moto, as the data plane needs them, read through boto3.

Read with GetRestApi / GetStage / GetResources(embed=methods) and cached per API and
stage. The front door sees every API Gateway control-plane call (Terraform's too), so the
cache is dropped whenever one that changes something passes it. Also repairs one moto
gap: CreateRestApi ignores `binaryMediaTypes`, so they are applied right after with an
UpdateRestApi patch, which moto does support.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from powertune.apigw.routes import Integration, Resource
from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse
from powertune.localcloud.lambda_plane.functions import moto_client


@dataclass(frozen=True)
class DeployedStage:
    api_id: str
    stage: str
    binary_media_types: tuple[str, ...]
    variables: dict[str, str]
    resources: tuple[Resource, ...]


def _integration(method: dict[str, Any]) -> Integration | None:
    integration = method.get("methodIntegration")
    if not integration:
        return None
    return Integration(
        type=str(integration.get("type", "")),
        uri=str(integration.get("uri", "")),
        timeout_ms=int(integration.get("timeoutInMillis") or 29_000),
    )


class ApiCatalog:
    """Cached view of moto's REST APIs for one region."""

    def __init__(self, moto_url: str, region: str) -> None:
        self._client = moto_client("apigateway", moto_url, region)
        self._cache: dict[tuple[str, str], DeployedStage | None] = {}
        self._lock = threading.Lock()
        self._generation = 0  # bumped by invalidate(): a read that overlaps one is not cached

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()
            self._generation += 1

    def stage(self, api_id: str, stage: str) -> DeployedStage | None:
        """The deployed stage, or None when the API or the stage does not exist."""
        key = (api_id, stage)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            generation = self._generation
        found = self._read(api_id, stage)
        with self._lock:
            if generation == self._generation:
                self._cache[key] = found
        return found

    def _read(self, api_id: str, stage_name: str) -> DeployedStage | None:
        try:
            api = self._client.get_rest_api(restApiId=api_id)
            stage = self._client.get_stage(restApiId=api_id, stageName=stage_name)
            items: list[dict[str, Any]] = []
            paginator = self._client.get_paginator("get_resources")
            for page in paginator.paginate(restApiId=api_id, embed=["methods"]):
                items.extend(page.get("items", []))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NotFoundException", "BadRequestException"):
                return None
            raise
        resources = tuple(
            Resource(
                resource_id=str(item["id"]),
                path=str(item.get("path", "/")),
                methods={
                    name: _integration(method)
                    for name, method in (item.get("resourceMethods") or {}).items()
                },
            )
            for item in items
        )
        return DeployedStage(
            api_id=api_id,
            stage=stage_name,
            binary_media_types=tuple(api.get("binaryMediaTypes") or ()),
            variables=dict(stage.get("variables") or {}),
            resources=resources,
        )

    def observe(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """After an API Gateway control-plane call: drop the cache, repair CreateRestApi."""
        if request.method == "GET":
            return response
        self.invalidate()
        if not (
            request.method == "POST"
            and request.path.rstrip("/") == "/restapis"
            and 200 <= response.status < 300
        ):
            return response
        try:
            wanted = json.loads(request.body or b"{}").get("binaryMediaTypes") or []
            created = json.loads(response.body)
        except (ValueError, AttributeError):
            return response
        if not wanted or created.get("binaryMediaTypes"):
            return response
        operations = [
            {"op": "add", "path": "/binaryMediaTypes/" + t.replace("/", "~1"), "value": t}
            for t in wanted
        ]
        self._client.update_rest_api(restApiId=created["id"], patchOperations=operations)
        created["binaryMediaTypes"] = list(wanted)
        return response.with_body(json.dumps(created).encode())
