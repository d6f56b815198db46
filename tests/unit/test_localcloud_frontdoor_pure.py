"""Pure parts of the local cloud's front door: routing, names, validation, realism."""

from __future__ import annotations

import pytest

from powertune.localcloud.aws_errors import AwsError
from powertune.localcloud.frontdoor.messages import HttpRequest
from powertune.localcloud.frontdoor.routing import Plane, route, signed_service
from powertune.localcloud.lambda_plane import validation
from powertune.localcloud.lambda_plane.names import FunctionRef, parse_function_ref
from powertune.localcloud.realism import ControlPlaneRealism, RealismSettings

SCOPE = "AWS4-HMAC-SHA256 Credential=AKID/20261128/eu-west-1/{service}/aws4_request, Sig=x"


def request(method: str, target: str, service: str | None = None) -> HttpRequest:
    headers = (("Authorization", SCOPE.format(service=service)),) if service else ()
    return HttpRequest(method, target, headers, b"")


def test_signed_service_reads_the_credential_scope() -> None:
    assert signed_service(request("GET", "/", "dynamodb")) == ("dynamodb", "eu-west-1")
    assert signed_service(request("GET", "/")) is None


@pytest.mark.parametrize(
    ("method", "target", "service", "plane"),
    [
        ("POST", "/2015-03-31/functions/f/invocations", "lambda", Plane.LAMBDA_INVOKE),
        ("POST", "/2015-03-31/functions/f/invocations?Qualifier=1", None, Plane.LAMBDA_INVOKE),
        ("GET", "/2015-03-31/functions/f", "lambda", Plane.LAMBDA_CONTROL),
        ("PUT", "/2015-03-31/functions/f/configuration", "lambda", Plane.LAMBDA_CONTROL),
        ("GET", "/restapis/abc/prod/_user_request_/items", None, Plane.APIGW_DATA),
        ("GET", "/restapis/abc/resources", "apigateway", Plane.MOTO),
        ("POST", "/", "dynamodb", Plane.MOTO),
        ("GET", "/_powertune/status", None, Plane.OWN),
    ],
)
def test_route(method: str, target: str, service: str | None, plane: Plane) -> None:
    assert route(request(method, target, service)).plane is plane


def test_invoke_route_keeps_the_decoded_function_reference() -> None:
    target = (
        "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af%3Alive/invocations"
    )
    assert route(request("POST", target, "lambda")).function_name == (
        "arn:aws:lambda:us-east-1:1:function:f:live"
    )


def test_data_plane_route_splits_api_stage_and_path() -> None:
    found = route(request("GET", "/restapis/abc/prod/_user_request_/a/b?x=1"))
    assert (found.api_id, found.stage, found.resource_path) == ("abc", "prod", "/a/b")
    assert route(request("GET", "/restapis/abc/prod/_user_request_")).resource_path == "/"


@pytest.mark.parametrize(
    ("reference", "parsed"),
    [
        ("f", FunctionRef("f")),
        ("f:live", FunctionRef("f", "live")),
        ("123456789012:function:f", FunctionRef("f")),
        ("123456789012:function:f:3", FunctionRef("f", "3")),
        ("arn:aws:lambda:eu-west-1:123456789012:function:f", FunctionRef("f", None, "eu-west-1")),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST",
            FunctionRef("f", "$LATEST", "eu-west-1"),
        ),
    ],
)
def test_function_references(reference: str, parsed: FunctionRef) -> None:
    assert parse_function_ref(reference) == parsed


@pytest.mark.parametrize(
    ("body", "code", "text"),
    [
        ({"MemorySize": 64}, "ValidationException", "greater than or equal to 128"),
        ({"MemorySize": 10241}, "ValidationException", "less than or equal to 10240"),
        ({"Timeout": 901}, "ValidationException", "Value '901' at 'timeout'"),
        ({"Runtime": "java21"}, "InvalidParameterValueException", "'java21'"),
        ({"PackageType": "Image"}, "InvalidParameterValueException", "container images"),
        ({"Architectures": ["arm64"]}, "InvalidParameterValueException", "arm64"),
    ],
)
def test_create_validation(body: dict[str, object], code: str, text: str) -> None:
    with pytest.raises(AwsError) as caught:
        validation.validate_create(body)
    assert caught.value.code == code and caught.value.status == 400
    assert text in caught.value.aws_message


def test_valid_create_passes() -> None:
    body = {"Runtime": "python3.12", "MemorySize": 128, "Timeout": 900, "Architectures": ["x86_64"]}
    assert validation.validate_create(body) is None  # raises AwsError when refused


class FakeClock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_update_in_progress_conflicts_until_it_is_done() -> None:
    clock = FakeClock()
    realism = ControlPlaneRealism(RealismSettings(update_in_progress_s=2.0), clock)
    realism.admit("UpdateFunctionConfiguration", "f", "arn:f")
    realism.record_update("f")
    assert realism.in_progress("f")
    with pytest.raises(AwsError) as caught:
        realism.admit("PublishVersion", "f", "arn:f")
    assert caught.value.code == "ResourceConflictException" and caught.value.status == 409
    assert caught.value.aws_message.endswith("An update is in progress for resource: arn:f")
    realism.admit("GetFunctionConfiguration", "f", "arn:f")  # reads are fine
    clock.now_s += 2.0
    assert not realism.in_progress("f")
    realism.admit("UpdateFunctionConfiguration", "f", "arn:f")


def test_rate_limit_counts_one_second_windows_and_skips_get_function() -> None:
    clock = FakeClock()
    realism = ControlPlaneRealism(RealismSettings(control_plane_rps=2), clock)
    realism.admit("GetFunctionConfiguration", "f", "arn:f")
    realism.admit("ListVersionsByFunction", "f", "arn:f")
    realism.admit("GetFunction", "f", "arn:f")  # its own bucket on AWS
    with pytest.raises(AwsError) as caught:
        realism.admit("GetFunctionConfiguration", "f", "arn:f")
    assert (caught.value.code, caught.value.status) == ("TooManyRequestsException", 429)
    clock.now_s += 1.0
    realism.admit("GetFunctionConfiguration", "f", "arn:f")


def test_realism_is_off_by_default() -> None:
    realism = ControlPlaneRealism(RealismSettings())
    assert not realism.settings.enabled
    for _ in range(100):
        realism.admit("UpdateFunctionConfiguration", "f", "arn:f")
        realism.record_update("f")
    assert not realism.in_progress("f")


def test_execute_api_host_is_the_data_plane() -> None:
    found = route(
        HttpRequest(
            "GET", "/prod/items/1?x=1", (("Host", "abc123.execute-api.localhost:4566"),), b""
        )
    )
    assert found.plane is Plane.APIGW_DATA
    assert (found.api_id, found.stage, found.resource_path) == ("abc123", "prod", "/items/1")


def test_pending_function_refuses_invokes_and_updates_then_becomes_active() -> None:
    clock = FakeClock()
    realism = ControlPlaneRealism(RealismSettings(create_pending_s=1.0), clock)
    realism.record_create("f")
    with pytest.raises(AwsError) as caught:
        realism.check_invocable("f")
    assert (caught.value.code, caught.value.status) == ("ResourceConflictException", 409)
    with pytest.raises(AwsError):
        realism.admit("UpdateFunctionConfiguration", "f", "arn:f")
    clock.now_s += 1.0
    realism.check_invocable("f")
    realism.admit("UpdateFunctionConfiguration", "f", "arn:f")
