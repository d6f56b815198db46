"""DynamoDB access for the items table (the only module that talks to AWS).

The table name comes from TABLE_NAME. The endpoint is boto3's own business:
it honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_DYNAMODB, which the local cloud
sets for functions, so the same code runs on AWS and locally.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from items_api.validation import ItemFields

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

Item = dict[str, str]


class DuplicateItem(Exception):
    """An item with this id already exists (the conditional put failed)."""


class ConfigurationError(Exception):
    """The function's environment is incomplete (an operator error, never shown to clients)."""


@dataclass(frozen=True)
class Page:
    """One page of a listing; `last_id` is None on the last page."""

    items: list[Item]
    last_id: str | None


class ItemStore:
    """Items in one DynamoDB table keyed by the string attribute `id`."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def create(self, item_id: str, fields: ItemFields, now_iso: str) -> Item:
        item = {"id": item_id, "name": fields.name, "createdAt": now_iso, "updatedAt": now_iso}
        if fields.description is not None:
            item["description"] = fields.description
        try:
            # Conditional write: DynamoDB rejects the put atomically if the id exists,
            # so two concurrent creates of one id cannot both succeed.
            self._client.put_item(
                TableName=self._table,
                Item=_to_ddb(item),
                ConditionExpression="attribute_not_exists(id)",
            )
        except ClientError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                raise DuplicateItem(item_id) from None
            raise
        return item

    def get(self, item_id: str) -> Item | None:
        out = self._client.get_item(
            TableName=self._table, Key={"id": {"S": item_id}}, ConsistentRead=True
        )
        raw = out.get("Item")
        return None if raw is None else _from_ddb(raw)

    def replace(self, item_id: str, fields: ItemFields, now_iso: str) -> Item | None:
        """Replace the client fields of an existing item; None when it does not exist."""
        names = {"#n": "name", "#u": "updatedAt"}
        values: dict[str, Any] = {":n": {"S": fields.name}, ":u": {"S": now_iso}}
        expression = "SET #n = :n, #u = :u"
        if fields.description is None:
            expression += " REMOVE #d"
            names["#d"] = "description"
        else:
            expression += ", #d = :d"
            names["#d"] = "description"
            values[":d"] = {"S": fields.description}
        try:
            out = self._client.update_item(
                TableName=self._table,
                Key={"id": {"S": item_id}},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return _from_ddb(out["Attributes"])

    def delete(self, item_id: str) -> None:
        # Idempotent like DynamoDB's DeleteItem: deleting a missing item succeeds.
        self._client.delete_item(TableName=self._table, Key={"id": {"S": item_id}})

    def list_page(self, limit: int, after_id: str | None) -> Page:
        kwargs: dict[str, Any] = {"TableName": self._table, "Limit": limit}
        if after_id is not None:
            kwargs["ExclusiveStartKey"] = {"id": {"S": after_id}}
        out = self._client.scan(**kwargs)
        last = out.get("LastEvaluatedKey")
        last_id = last["id"]["S"] if last else None
        return Page(items=[_from_ddb(i) for i in out.get("Items", [])], last_id=last_id)

    def scan_all(self) -> Iterator[Item]:
        """Every item, one scan page at a time (memory stays bounded by a page)."""
        paginator = self._client.get_paginator("scan")
        for page in paginator.paginate(TableName=self._table):
            for raw in page.get("Items", []):
                yield _from_ddb(raw)


_stores: dict[tuple[str, str | None, str | None], ItemStore] = {}


def store_from_environment() -> ItemStore:
    """The store for this environment, created once per execution environment (warm reuse)."""
    table = os.environ.get("TABLE_NAME", "")
    if not table:
        raise ConfigurationError("TABLE_NAME is not set in the function's environment")
    key = (table, os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"))
    if key not in _stores:
        _stores[key] = ItemStore(boto3.client("dynamodb"), table)
    return _stores[key]


def _to_ddb(item: Item) -> dict[str, Any]:
    return {k: {"S": v} for k, v in item.items()}


def _from_ddb(raw: dict[str, Any]) -> Item:
    return {k: str(v["S"]) for k, v in raw.items() if "S" in v}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
