"""Lambda control-plane calls: forwarded to moto, with the front door's hooks around them.

Before forwarding: realism (429/409) and validation (python3.x on x86_64 only, AWS-exact
range errors). After moto accepts: keep the uploaded code (inline zip or S3 object fetched
from moto through boto3), remember LoggingConfig (moto drops it), drop cached specs, and
rewrite what moto cannot know: GetFunction's `Code.Location` (served by the front door)
and `LastUpdateStatus` while a realistic update is in progress. Around the forward itself:
RevisionIds (`revisions.py`: 412 on a stale one, and the ids moto does not report).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from powertune.localcloud.aws_errors import AwsError, lambda_error_response
from powertune.localcloud.frontdoor.forward import MotoForwarder
from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse
from powertune.localcloud.frontdoor.routing import CODE_PREFIX, signed_service
from powertune.localcloud.lambda_plane import validation
from powertune.localcloud.lambda_plane.code_store import CodeStore, code_key
from powertune.localcloud.lambda_plane.functions import FunctionDirectory, function_arn
from powertune.localcloud.lambda_plane.names import parse_function_ref
from powertune.localcloud.lambda_plane.revisions import RevisionBook, revision_guard
from powertune.localcloud.realism import ControlPlaneRealism

_FUNCTIONS = re.compile(r"^/2015-03-31/functions/?$")
_FUNCTION = re.compile(r"^/2015-03-31/functions/([^/]+)(/[a-z]+)?/?$")
_OPERATIONS = {
    ("PUT", "/code"): "UpdateFunctionCode",
    ("PUT", "/configuration"): "UpdateFunctionConfiguration",
    ("POST", "/versions"): "PublishVersion",
    ("GET", "/configuration"): "GetFunctionConfiguration",
    ("GET", ""): "GetFunction",
    ("GET", "/versions"): "ListVersionsByFunction",
    ("DELETE", ""): "DeleteFunction",
}

S3Fetch = Callable[[str, str, str | None, str], bytes]  # bucket, key, version, region


def identify(request: HttpRequest) -> tuple[str, str]:
    """(operation, function name) for the calls the front door hooks; ("Other", "") else."""
    path = request.path
    if request.method == "POST" and _FUNCTIONS.match(path):
        return "CreateFunction", ""
    if request.method == "GET" and _FUNCTIONS.match(path):
        return "ListFunctions", ""
    match = _FUNCTION.match(path)
    if match is None:
        return "Other", ""
    name = parse_function_ref(unquote(match.group(1))).name
    operation = _OPERATIONS.get((request.method, match.group(2) or ""), "OtherFunctionCall")
    return operation, name


class LambdaControlPlane:
    """Serves every Lambda control-plane request through moto."""

    def __init__(
        self,
        *,
        forwarder: MotoForwarder,
        code_store: CodeStore,
        directory: FunctionDirectory,
        realism: ControlPlaneRealism,
        fetch_s3_object: S3Fetch,
        forget: Callable[[str, str | None], None],
        public_url: str,
        default_region: str,
        revisions: RevisionBook | None = None,
    ) -> None:
        self._forwarder = forwarder
        self._code_store = code_store
        self._directory = directory
        self._realism = realism
        self._fetch_s3_object = fetch_s3_object
        self._forget = forget
        self._public_url = public_url
        self._default_region = default_region
        self._revisions = revisions or RevisionBook(
            publish_changes_latest=realism.settings.publish_changes_revision
        )

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            return self._handle(request)
        except AwsError as error:
            return lambda_error_response(error)

    def _handle(self, request: HttpRequest) -> HttpResponse:
        operation, name = identify(request)
        scope = signed_service(request)
        region = scope[1] if scope else self._default_region
        body = _json_body(request) if request.method in ("POST", "PUT") else {}
        if operation == "CreateFunction":
            name = str(body.get("FunctionName", ""))
        self._realism.admit(operation, name, function_arn(name, region))
        if operation == "CreateFunction":
            validation.validate_create(body)
        elif operation == "UpdateFunctionConfiguration":
            validation.validate_update_configuration(body)
        elif operation == "UpdateFunctionCode":
            validation.validate_update_code(body)
        inline = body.get("Code", {}) if operation == "CreateFunction" else body
        uploads = operation in ("CreateFunction", "UpdateFunctionCode")
        if uploads and isinstance(inline, dict) and "ZipFile" in inline:
            CodeStore.check(base64.b64decode(inline["ZipFile"]))

        with revision_guard(self._revisions, operation, region, name) as revision:
            revision.check(body.get("RevisionId"), self._exists)
            response = self._forwarder.forward(request)
            revision.settle(response, request.query("Qualifier") or _path_qualifier(request))
        if request.method != "GET":
            self._directory.invalidate()
        if not 200 <= response.status < 300:
            return response
        if name and operation in ("UpdateFunctionConfiguration", "UpdateFunctionCode"):
            self._forget(name, "$LATEST")  # idle environments of the old configuration
        elif name and operation == "DeleteFunction":
            self._forget(name, request.query("Qualifier"))
        if operation in ("CreateFunction", "UpdateFunctionCode"):
            self._keep_code(body.get("Code", {}) if operation == "CreateFunction" else body, region)
        if operation in ("UpdateFunctionConfiguration", "UpdateFunctionCode"):
            self._realism.record_update(name)
        elif operation == "CreateFunction":
            self._realism.record_create(name)
        return revision.stamp(self._after(operation, name, body, response))

    def _exists(self, region: str, name: str) -> bool:
        """Does moto know this function (asked directly, not through the front door)?"""
        try:
            self._directory.client(region).get_function_configuration(FunctionName=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                return False
            raise
        return True

    def _keep_code(self, code: Any, region: str) -> None:
        if not isinstance(code, dict):
            return
        if "ZipFile" in code:
            self._code_store.save(base64.b64decode(code["ZipFile"]))
        elif "S3Bucket" in code and "S3Key" in code:
            self._code_store.save(
                self._fetch_s3_object(
                    code["S3Bucket"], code["S3Key"], code.get("S3ObjectVersion"), region
                )
            )

    def _after(
        self, operation: str, name: str, body: dict[str, Any], response: HttpResponse
    ) -> HttpResponse:
        if operation not in (
            "CreateFunction",
            "UpdateFunctionConfiguration",
            "UpdateFunctionCode",
            "PublishVersion",
            "GetFunction",
            "GetFunctionConfiguration",
        ):
            return response
        try:
            document = json.loads(response.body)
        except ValueError:
            return response
        config = document.get("Configuration", document)
        name = str(config.get("FunctionName", name))
        version = str(config.get("Version", "$LATEST"))
        if "LoggingConfig" in body:
            # CreateFunction with Publish=True answers with the new version: keep both.
            for target in {"$LATEST", version}:
                self._directory.remember_logging_config(name, target, body["LoggingConfig"])
        if operation == "PublishVersion":
            latest = self._directory.logging_config(name, "$LATEST")
            if latest is not None:
                self._directory.remember_logging_config(name, version, latest)
        logging_config = self._directory.logging_config(name, version)
        if logging_config is not None:
            config["LoggingConfig"] = dict(logging_config)
        if self._realism.pending(name):
            config["State"] = "Pending"
            config["StateReason"] = "The function is being created."
            config["StateReasonCode"] = "Creating"
        if version == "$LATEST" and self._realism.in_progress(name):
            config["LastUpdateStatus"] = "InProgress"
            config.pop("LastUpdateStatusReason", None)
            config.pop("LastUpdateStatusReasonCode", None)
        if operation == "GetFunction" and "CodeSha256" in config:
            document.setdefault("Code", {})["RepositoryType"] = "S3"
            document["Code"]["Location"] = (
                f"{self._public_url}{CODE_PREFIX}{code_key(str(config['CodeSha256']))}.zip"
            )
        return response.with_body(json.dumps(document).encode())


def _path_qualifier(request: HttpRequest) -> str | None:
    """The qualifier given in the function name (`name:1` or a qualified ARN), if any."""
    match = _FUNCTION.match(request.path)
    return parse_function_ref(unquote(match.group(1))).qualifier if match else None


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        document = json.loads(request.body)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}
