"""Alias operations of the AWS adapter: create, read, move and delete an alias.

A mixin of `AwsBackend` (kept apart so the adapter stays one screenful per
concern). Moving an alias is what `powertune apply --alias` does and what undo
needs to put a moved alias back, so `AwsBackend` is an `AliasUpdater`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from powertune.tuning.ports import AliasTarget

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

T = TypeVar("T")


class AliasOperations:
    """Alias calls over `self._client`, through the adapter's retrying `_call` / `_must`."""

    _client: LambdaClient

    def _call(self, operation: str, fn: Callable[[], T], *, missing_ok: bool = False) -> T | None:
        raise NotImplementedError  # provided by AwsBackend

    def _must(self, operation: str, fn: Callable[[], T]) -> T:
        raise NotImplementedError  # provided by AwsBackend

    def create_alias(
        self,
        function_name: str,
        alias: str,
        version: str,
        description: str = "temporary alias of a powertune run",
    ) -> None:
        self._must(
            "CreateAlias",
            lambda: self._client.create_alias(
                FunctionName=function_name,
                Name=alias,
                FunctionVersion=version,
                Description=description,
            ),
        )

    def get_alias(self, function_name: str, alias: str) -> AliasTarget | None:
        """The version `alias` points at and its RevisionId; None when there is no such alias."""
        data = self._call(
            "GetAlias",
            lambda: self._client.get_alias(FunctionName=function_name, Name=alias),
            missing_ok=True,
        )
        if data is None:
            return None
        return AliasTarget(str(data["FunctionVersion"]), str(data.get("RevisionId") or ""))

    def update_alias(
        self, function_name: str, alias: str, version: str, *, revision_id: str | None
    ) -> str:
        kwargs: dict[str, Any] = {
            "FunctionName": function_name,
            "Name": alias,
            "FunctionVersion": version,
        }
        if revision_id:
            kwargs["RevisionId"] = revision_id
        data = self._must("UpdateAlias", lambda: self._client.update_alias(**kwargs))
        return str(data.get("RevisionId") or "")

    def delete_alias(self, function_name: str, alias: str) -> None:
        self._call(
            "DeleteAlias",
            lambda: self._client.delete_alias(FunctionName=function_name, Name=alias),
            missing_ok=True,
        )
