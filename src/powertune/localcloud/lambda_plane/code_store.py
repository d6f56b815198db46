"""Keeps the code of every function and version, keyed by its CodeSha256.

The front door saves each zip that CreateFunction / UpdateFunctionCode accepted (inline
or fetched from S3), unpacked once per distinct code. Versions and aliases need no copy:
moto reports the CodeSha256 of each version, which names the folder to run.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from powertune.localcloud.aws_errors import AwsError, invalid_parameter


def code_sha256(zip_bytes: bytes) -> str:
    """Lambda's CodeSha256: base64 of the SHA-256 of the deployment package."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()


def code_key(sha256_b64: str) -> str:
    """A file- and URL-safe key for a CodeSha256 (its hex digest)."""
    return base64.b64decode(sha256_b64).hex()


class CodeStore:
    """Zips and unpacked code under `<root>/<hex sha>/{code.zip,code/}`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    @staticmethod
    def check(zip_bytes: bytes) -> None:
        """Refuse a package that is not a zip, with Lambda's message, before moto stores it."""
        if not zipfile.is_zipfile(io.BytesIO(zip_bytes)):
            raise invalid_parameter(
                "Could not unzip uploaded file. Please check your file, then try to upload again."
            )

    def save(self, zip_bytes: bytes) -> str:
        """Store and unpack a deployment package; returns its CodeSha256. Idempotent."""
        sha = code_sha256(zip_bytes)
        folder = self.root / code_key(sha)
        with self._lock:
            if (folder / "code").is_dir():
                return sha
            try:
                archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
            except zipfile.BadZipFile as exc:
                # Lambda's own message for a package that is not a zip.
                raise invalid_parameter(
                    "Could not unzip uploaded file. Please check your file, then try to upload "
                    "again."
                ) from exc
            staging = Path(tempfile.mkdtemp(prefix="unpack-", dir=self.root))
            with archive:
                archive.extractall(staging / "code")  # extractall refuses `..` members
            (staging / "code.zip").write_bytes(zip_bytes)
            folder.parent.mkdir(parents=True, exist_ok=True)
            if folder.exists():
                shutil.rmtree(folder)
            staging.replace(folder)
        return sha

    def code_dir(self, sha256_b64: str, function_arn: str) -> Path:
        """The unpacked code for this CodeSha256."""
        folder = self.root / code_key(sha256_b64) / "code"
        if not folder.is_dir():
            raise AwsError(
                "ServiceException",
                f"The local cloud has no code with CodeSha256 {sha256_b64} for {function_arn}; "
                "it keeps only code uploaded through its own endpoint. Upload it again with "
                "UpdateFunctionCode.",
                500,
            )
        return folder

    def zip_path(self, key: str) -> Path | None:
        """The stored zip for a hex key, or None (also for keys that are not hex)."""
        if not key or any(c not in "0123456789abcdef" for c in key):
            return None
        path = self.root / key / "code.zip"
        return path if path.is_file() else None
