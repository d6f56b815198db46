"""Emulated AWS errors: each carries the real AWS error code, message and HTTP status.

They are raised anywhere in the local cloud and turned into responses in ONE place per
service (`lambda_error_response` here for Lambda; API Gateway's data plane answers with
its own fixed gateway responses in `apigateway/responses.py`).
"""

from __future__ import annotations

import json
import uuid

from powertune.errors import PowertuneError
from powertune.localcloud.frontdoor.messages import HttpResponse


class AwsError(PowertuneError):
    """An error the local cloud reports to its client exactly as AWS would."""

    def __init__(self, code: str, message: str, status: int, reason: str | None = None) -> None:
        self.code = code
        self.aws_message = message
        self.status = status
        self.reason = reason  # TooManyRequestsException's `Reason` (API_Invoke)
        super().__init__(f"{code} ({status}): {message}")


def function_not_found(function_arn: str) -> AwsError:
    """Lambda's answer for an unknown function, version or alias (404)."""
    return AwsError("ResourceNotFoundException", f"Function not found: {function_arn}", 404)


def invalid_parameter(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message, 400)


def lambda_error_response(error: AwsError) -> HttpResponse:
    """Serialise an error the way Lambda does.

    Lambda answers with the code in `X-Amzn-ErrorType` and a JSON body
    `{"Type": "User"|"Service", "message": ...}`; botocore reads the code from the
    header and the message from the body (rest-json protocol).
    """
    body = {"Type": "User" if error.status < 500 else "Service", "message": error.aws_message}
    if error.reason:
        body["Reason"] = error.reason
    return HttpResponse(
        error.status,
        json.dumps(body).encode(),
        (
            ("Content-Type", "application/json"),
            ("X-Amzn-ErrorType", error.code),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ),
    )
