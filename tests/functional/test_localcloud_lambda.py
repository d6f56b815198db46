"""Lambda through the local cloud's front door, driven only with boto3 and HTTP."""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

ECHO = """
import json
def handler(event, context):
    print("handled", json.dumps(event))
    return {"event": event, "memory": int(context.memory_limit_in_mb),
            "version": context.function_version}
"""
FAIL = """
def handler(event, context):
    raise ValueError("boom")
"""
ACCOUNT = "123456789012"


def zip_files(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def create(
    lam: Any, role: str, source: str = ECHO, memory_mb: int = 256, **extra: Any
) -> tuple[str, bytes]:
    name = f"fn-{uuid.uuid4().hex[:10]}"
    package = zip_files({"app.py": source})
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package},
        MemorySize=memory_mb,
        Timeout=10,
        **extra,
    )
    return name, package


@pytest.fixture(scope="module")
def lam(boto3_client: Callable[..., Any]) -> Any:
    return boto3_client("lambda")


def error_of(call: Callable[[], object]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_invoke_runs_in_the_engine_and_tails_the_report_line(
    lam: Any, lambda_role: str, local_cloud: Any
) -> None:
    name, _ = create(lam, lambda_role)
    reply = lam.invoke(FunctionName=name, Payload=b'{"a": 1}', LogType="Tail")
    assert reply["StatusCode"] == 200
    assert json.loads(reply["Payload"].read()) == {
        "event": {"a": 1},
        "memory": 256,
        "version": "$LATEST",
    }
    assert reply["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in reply
    log = base64.b64decode(reply["LogResult"]).decode()
    assert "handled" in log
    assert "REPORT RequestId:" in log and "Memory Size: 256 MB" in log
    headers = reply["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-powertune-cpu-control"] == local_cloud.cpu_control
    assert local_cloud.cpu_control in ("cgroup-v1", "cgroup-v2", "signal-throttle", "none")


def test_handler_exception_is_an_unhandled_function_error(lam: Any, lambda_role: str) -> None:
    name, _ = create(lam, lambda_role, FAIL)
    reply = lam.invoke(FunctionName=name)
    assert reply["FunctionError"] == "Unhandled"
    body = json.loads(reply["Payload"].read())
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "boom"


def test_unknown_function_is_resource_not_found(lam: Any) -> None:
    code, message, status = error_of(lambda: lam.invoke(FunctionName="no-such-function"))
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert (
        message
        == f"Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:no-such-function"
    )


def test_bad_qualifier_is_resource_not_found(lam: Any, lambda_role: str) -> None:
    name, _ = create(lam, lambda_role)
    code, message, status = error_of(lambda: lam.invoke(FunctionName=name, Qualifier="42"))
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}:42"


def test_payload_that_is_not_json_is_invalid_request_content(lam: Any, lambda_role: str) -> None:
    name, _ = create(lam, lambda_role)
    code, message, status = error_of(lambda: lam.invoke(FunctionName=name, Payload=b"{nope"))
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith("Could not parse request body into json:")


def test_memory_below_128_is_a_validation_error_with_aws_text(
    boto3_client: Callable[..., Any], lambda_role: str
) -> None:
    # botocore checks MemorySize itself; switch that off so the request reaches the server.
    raw = boto3_client("lambda", parameter_validation=False)
    code, message, status = error_of(
        lambda: raw.create_function(
            FunctionName="too-small",
            Runtime="python3.11",
            Role=lambda_role,
            Handler="app.handler",
            Code={"ZipFile": zip_files({"app.py": ECHO})},
            MemorySize=64,
        )
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value '64' at 'memorySize' failed to satisfy "
        "constraint: Member must have value greater than or equal to 128"
    )


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"Runtime": "nodejs20.x"}, "nodejs20.x"),
        ({"Architectures": ["arm64"]}, "arm64"),
    ],
)
def test_runtimes_and_architectures_it_cannot_run_are_refused(
    lam: Any, lambda_role: str, extra: dict[str, Any], named: str
) -> None:
    arguments = {
        "FunctionName": f"refused-{uuid.uuid4().hex[:8]}",
        "Runtime": "python3.11",
        "Role": lambda_role,
        "Handler": "app.handler",
        "Code": {"ZipFile": zip_files({"app.py": ECHO})},
        **extra,
    }
    code, message, status = error_of(lambda: lam.create_function(**arguments))
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "python3.x" in message and "x86_64" in message and named in message
    code, _, _ = error_of(lambda: lam.get_function(FunctionName=arguments["FunctionName"]))
    assert code == "ResourceNotFoundException"


def test_a_version_keeps_the_memory_it_was_published_with(lam: Any, lambda_role: str) -> None:
    name, _ = create(lam, lambda_role, memory_mb=256)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_configuration(FunctionName=name, MemorySize=512)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)

    def memory(**qualifier: str) -> tuple[int, str]:
        reply = lam.invoke(FunctionName=name, **qualifier)
        body = json.loads(reply["Payload"].read())
        return body["memory"], reply["ExecutedVersion"]

    assert memory(Qualifier=version) == (256, version)
    assert memory(Qualifier="live") == (256, version)
    assert memory() == (512, "$LATEST")
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}:live"
    reply = lam.invoke(FunctionName=arn)
    assert json.loads(reply["Payload"].read())["memory"] == 256


def test_get_function_code_location_downloads_the_zip(lam: Any, lambda_role: str) -> None:
    name, package = create(lam, lambda_role)
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    download = httpx.get(location)
    assert download.status_code == 200
    assert download.content == package


def test_code_from_s3_is_kept_and_runs(
    boto3_client: Callable[..., Any], lam: Any, lambda_role: str
) -> None:
    s3 = boto3_client("s3")
    bucket = f"code-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="fn.zip", Body=zip_files({"app.py": ECHO}))
    name = f"s3fn-{uuid.uuid4().hex[:8]}"
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=lambda_role,
        Handler="app.handler",
        Code={"S3Bucket": bucket, "S3Key": "fn.zip"},
    )
    reply = lam.invoke(FunctionName=name, Payload=b'{"from": "s3"}')
    assert json.loads(reply["Payload"].read())["event"] == {"from": "s3"}


def test_event_and_dry_run_invocation_types(lam: Any, lambda_role: str) -> None:
    name, _ = create(lam, lambda_role)
    assert lam.invoke(FunctionName=name, InvocationType="Event")["StatusCode"] == 202
    assert lam.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204


def test_invocation_logs_reach_cloudwatch_logs(
    boto3_client: Callable[..., Any], lam: Any, lambda_role: str
) -> None:
    name, _ = create(lam, lambda_role)
    lam.invoke(FunctionName=name, Payload=b"{}")
    logs = boto3_client("logs")
    messages: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(m.startswith("REPORT") for m in messages):
        time.sleep(0.2)
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except ClientError:
            continue
        messages = [event["message"] for event in events]
    assert any(m.startswith("START RequestId:") for m in messages)
    assert any(m.startswith("REPORT RequestId:") for m in messages)


def test_reserved_concurrency_zero_throttles_invoke(lam: Any, lambda_role: str) -> None:
    name, _ = create(lam, lambda_role)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    code, message, status = error_of(lambda: lam.invoke(FunctionName=name))
    assert (code, status) == ("TooManyRequestsException", 429)
    assert message == "Rate Exceeded."
    lam.delete_function_concurrency(FunctionName=name)
    assert lam.invoke(FunctionName=name)["StatusCode"] == 200


def test_json_log_format_is_kept_and_used(lam: Any, lambda_role: str) -> None:
    name, _ = create(lam, lambda_role, LoggingConfig={"LogFormat": "JSON"})
    configuration = lam.get_function_configuration(FunctionName=name)
    assert configuration["LoggingConfig"]["LogFormat"] == "JSON"
    reply = lam.invoke(FunctionName=name, LogType="Tail")
    lines = base64.b64decode(reply["LogResult"]).decode().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(record.get("type") == "platform.report" for record in records)


def test_each_version_runs_the_code_it_was_published_with(lam: Any, lambda_role: str) -> None:
    first = "def handler(event, context):\n    return 'first'\n"
    second = "def handler(event, context):\n    return 'second'\n"
    name, first_package = create(lam, lambda_role, first)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_code(FunctionName=name, ZipFile=zip_files({"app.py": second}))
    assert lam.invoke(FunctionName=name)["Payload"].read() == b'"second"'
    assert lam.invoke(FunctionName=name, Qualifier=version)["Payload"].read() == b'"first"'
    location = lam.get_function(FunctionName=name, Qualifier=version)["Code"]["Location"]
    assert httpx.get(location).content == first_package


def test_payload_over_6_mb_is_request_too_large(lam: Any, lambda_role: str) -> None:
    name, _ = create(lam, lambda_role)
    big = b'"' + b"x" * (6 * 1024 * 1024) + b'"'
    code, message, status = error_of(lambda: lam.invoke(FunctionName=name, Payload=big))
    assert (code, status) == ("RequestTooLargeException", 413)
    assert message == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"


def test_unknown_invocation_type_is_a_validation_error(local_cloud: Any) -> None:
    reply = httpx.post(
        f"{local_cloud.endpoint_url}/2015-03-31/functions/any/invocations",
        headers={"X-Amz-Invocation-Type": "Sometimes"},
        content=b"{}",
    )
    assert reply.status_code == 400
    assert reply.headers["X-Amzn-ErrorType"] == "ValidationException"
    assert "'Sometimes' at 'invocationType'" in reply.json()["message"]
    assert reply.headers["X-Powertune-Cpu-Control"] == local_cloud.cpu_control


def test_other_services_pass_through_unchanged(boto3_client: Callable[..., Any]) -> None:
    s3, dynamodb = boto3_client("s3"), boto3_client("dynamodb")
    bucket = f"pass-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"12345")
    assert s3.head_object(Bucket=bucket, Key="k")["ContentLength"] == 5
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"12345"
    table = f"t-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName=table, Item={"id": {"S": "1"}})
    assert dynamodb.get_item(TableName=table, Key={"id": {"S": "1"}})["Item"]["id"]["S"] == "1"
