"""API Gateway's data plane on the local cloud: routes, proxy events, responses, errors."""

from __future__ import annotations

import base64
import io
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

HANDLER = """
import base64, json, time

def handler(event, context):
    path = event["path"]
    if path.startswith("/malformed"):
        return {"body": {"not": "a string"}}
    if path.startswith("/error"):
        raise RuntimeError("boom")
    if path.startswith("/slow"):
        time.sleep(3)
    if path.startswith("/binary"):
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(b"\\x89PNG\\x00\\xff").decode(), "isBase64Encoded": True}
    return {"statusCode": 201, "headers": {"X-Echo": "one"},
            "multiValueHeaders": {"X-Multi": ["a", "b"]}, "body": json.dumps(event)}
"""
PNG = b"\x89PNG\r\n\x1a\n\x00\xff\xfe"


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


@dataclass(frozen=True)
class DeployedApi:
    base_url: str  # .../restapis/{id}/{stage}/_user_request_
    api_id: str


def _function(lam: Any, role: str, timeout_s: int) -> str:
    name = f"api-{uuid.uuid4().hex[:8]}"
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _zip(HANDLER)},
        Timeout=timeout_s,
    )["FunctionArn"]
    return str(arn)


def _uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


@pytest.fixture(scope="module")
def api(boto3_client: Callable[..., Any], lambda_role: str, local_cloud: Any) -> DeployedApi:
    lam, apigw = boto3_client("lambda"), boto3_client("apigateway")
    arn = _function(lam, lambda_role, timeout_s=10)
    short_arn = _function(lam, lambda_role, timeout_s=1)
    api_id = apigw.create_rest_api(name="items", binaryMediaTypes=["image/png"])["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")

    def resource(parent: str, part: str) -> str:
        return str(apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"])

    def method(resource_id: str, verb: str, function_arn: str, **integration: Any) -> None:
        apigw.put_method(
            restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE"
        )
        apigw.put_integration(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=verb,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=_uri(function_arn),
            **integration,
        )

    items = resource(root, "items")
    method(items, "GET", arn)
    method(resource(items, "{id}"), "ANY", arn)
    method(resource(root, "files"), "ANY", arn)
    method(resource(root, "{proxy+}"), "ANY", arn)
    method(resource(root, "slow"), "GET", arn, timeoutInMillis=500)
    method(resource(resource(root, "slow-fn"), "{id}"), "GET", short_arn)
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"env": "test"})
    return DeployedApi(f"{local_cloud.endpoint_url}/restapis/{api_id}/prod/_user_request_", api_id)


def test_literal_resource_builds_a_payload_1_0_event(api: DeployedApi) -> None:
    reply = httpx.get(f"{api.base_url}/items?tag=a&tag=b&one=1", headers={"X-Custom": "v"})
    assert reply.status_code == 201
    assert reply.headers["X-Echo"] == "one"
    assert reply.headers.get_list("X-Multi") == ["a", "b"]
    assert reply.headers["x-amzn-RequestId"] and reply.headers["x-amz-apigw-id"]
    event = reply.json()
    assert event["resource"] == "/items" and event["path"] == "/items"
    assert event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"tag": "b", "one": "1"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "one": ["1"]}
    assert event["headers"]["X-Custom"] == "v"
    assert event["multiValueHeaders"]["X-Custom"] == ["v"]
    assert event["pathParameters"] is None
    assert event["stageVariables"] == {"env": "test"}
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["apiId"] == api.api_id and context["stage"] == "prod"
    assert context["resourcePath"] == "/items" and context["path"] == "/prod/items"
    assert context["httpMethod"] == "GET" and context["protocol"] == "HTTP/1.1"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == reply.headers["x-amzn-RequestId"]
    assert isinstance(context["requestTimeEpoch"], int)


def test_any_method_and_path_parameter(api: DeployedApi) -> None:
    reply = httpx.request("PATCH", f"{api.base_url}/items/42", content=b'{"a": 1}')
    event = reply.json()
    assert reply.status_code == 201
    assert event["resource"] == "/items/{id}" and event["httpMethod"] == "PATCH"
    assert event["pathParameters"] == {"id": "42"}
    assert event["body"] == '{"a": 1}' and event["isBase64Encoded"] is False


def test_greedy_proxy_resource_captures_the_rest_of_the_path(api: DeployedApi) -> None:
    event = httpx.delete(f"{api.base_url}/deep/er/path").json()
    assert event["resource"] == "/{proxy+}"
    assert event["pathParameters"] == {"proxy": "deep/er/path"}


def test_binary_request_body_is_base64_encoded(api: DeployedApi) -> None:
    reply = httpx.post(f"{api.base_url}/files", content=PNG, headers={"Content-Type": "image/png"})
    event = reply.json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == PNG


def test_base64_response_is_decoded_for_a_binary_media_type(api: DeployedApi) -> None:
    reply = httpx.get(f"{api.base_url}/binary", headers={"Accept": "image/png"})
    assert reply.status_code == 200
    assert reply.content == b"\x89PNG\x00\xff"


def test_malformed_proxy_response_is_502(api: DeployedApi) -> None:
    reply = httpx.get(f"{api.base_url}/malformed")
    assert reply.status_code == 502
    assert reply.json() == {"message": "Internal server error"}


def test_function_error_is_502(api: DeployedApi) -> None:
    reply = httpx.get(f"{api.base_url}/error")
    assert reply.status_code == 502
    assert reply.json() == {"message": "Internal server error"}


def test_lambda_timeout_shorter_than_the_integration_is_502(api: DeployedApi) -> None:
    reply = httpx.get(f"{api.base_url}/slow-fn/1", timeout=30)
    assert reply.status_code == 502
    assert reply.json() == {"message": "Internal server error"}


def test_integration_timeout_is_504(api: DeployedApi) -> None:
    reply = httpx.get(f"{api.base_url}/slow", timeout=30)
    assert reply.status_code == 504
    assert reply.json() == {"message": "Endpoint request timed out"}


def test_method_not_defined_on_a_resource_is_403(api: DeployedApi) -> None:
    reply = httpx.delete(f"{api.base_url}/items")
    assert reply.status_code == 403
    assert reply.json() == {"message": "Missing Authentication Token"}


def test_unknown_route_is_403(api: DeployedApi) -> None:
    # The root resource exists but defines no method; nothing else is more specific.
    reply = httpx.get(f"{api.base_url}/")
    assert reply.status_code == 403
    assert reply.json() == {"message": "Missing Authentication Token"}


def test_unknown_stage_is_403_forbidden(api: DeployedApi) -> None:
    reply = httpx.get(api.base_url.replace("/prod/", "/nostage/") + "/items")
    assert reply.status_code == 403
    assert reply.json() == {"message": "Forbidden"}


def test_binary_media_types_survive_create_rest_api(
    boto3_client: Callable[..., Any], api: DeployedApi
) -> None:
    apigw = boto3_client("apigateway")
    assert apigw.get_rest_api(restApiId=api.api_id)["binaryMediaTypes"] == ["image/png"]


def test_lambda_throttling_is_500(
    boto3_client: Callable[..., Any], lambda_role: str, local_cloud: Any
) -> None:
    lam, apigw = boto3_client("lambda"), boto3_client("apigateway")
    arn = _function(lam, lambda_role, timeout_s=3)
    lam.put_function_concurrency(FunctionName=arn, ReservedConcurrentExecutions=0)
    api_id = apigw.create_rest_api(name="throttled")["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_uri(arn),
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    reply = httpx.get(f"{local_cloud.endpoint_url}/restapis/{api_id}/prod/_user_request_/")
    assert reply.status_code == 500
    assert reply.json() == {"message": "Internal server error"}


def test_execute_api_host_reaches_the_same_api(api: DeployedApi, local_cloud: Any) -> None:
    port = local_cloud.endpoint_url.rsplit(":", 1)[1]
    reply = httpx.get(
        f"{local_cloud.endpoint_url}/prod/items/7",
        headers={"Host": f"{api.api_id}.execute-api.localhost:{port}"},
    )
    assert reply.status_code == 201
    assert reply.json()["pathParameters"] == {"id": "7"}
