"""Build the items API's Lambda zip: its source plus the dependencies Lambda does not provide.

The runtime dependencies pinned in app/requirements.txt (Powertools; boto3 is
part of the python3.11 runtime) are installed with `pip install --target` for
Lambda's platform into a cache folder named by the hash of that file, so a
rebuild is offline and instant. The zip is deterministic (sorted entries,
fixed timestamps and modes): the same inputs give the same bytes, so
Terraform's `source_code_hash` only changes when the code does.

For an AWS deploy, `python -m powertune.reference.packaging` writes
build/lambda/items-api.zip, the path infra/terraform expects by default.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from powertune.errors import ConfigError, PowertuneError
from powertune.reference.folders import default_app_dir

# Lambda python3.11 x86_64 runs on Amazon Linux 2023 (glibc 2.34): manylinux2014 wheels fit.
PIP_PLATFORM_ARGS = (
    "--platform",
    "manylinux2014_x86_64",
    "--implementation",
    "cp",
    "--python-version",
    "3.11",
    "--only-binary=:all:",
)
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class PackagingError(PowertuneError):
    """Installing the app's dependencies or writing its zip failed."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "powertune" / "lambda-deps"


def package_app(out_zip: Path, *, app_dir: Path, cache_dir: Path | None = None) -> Path:
    """Write the deployable zip of the app in `app_dir` to `out_zip` and return its path."""
    app = app_dir
    deps = install_dependencies(app / "requirements.txt", cache_dir or default_cache_dir())
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_zip.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for root in (deps, app / "src"):
            for path in _files(root):
                info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=_FIXED_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    tmp.replace(out_zip)
    return out_zip


def install_dependencies(requirements: Path, cache_dir: Path) -> Path:
    """Install pinned requirements for Lambda's platform once per requirements hash."""
    if not requirements.is_file():
        raise ConfigError(f"{requirements} does not exist; the app's pinned dependencies go there")
    digest = hashlib.sha256(requirements.read_bytes() + "|".join(PIP_PLATFORM_ARGS).encode())
    target = cache_dir / digest.hexdigest()[:16]
    if (target / ".complete").is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="deps-", dir=cache_dir))
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",  # requirements.txt pins the whole closure
        "--target",
        str(staging),
        *PIP_PLATFORM_ARGS,
        "-r",
        str(requirements),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise PackagingError(
            f"installing {requirements} for Lambda failed (exit {proc.returncode}); "
            f"check the pins and network access:\n{proc.stderr[-2000:]}"
        )
    (staging / ".complete").write_text(requirements.read_text())
    try:
        staging.rename(target)
    except OSError:
        # Another process finished the same install first; its copy is identical.
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or "__pycache__" in rel.parts or path.suffix == ".pyc":
            continue
        if rel.name == ".complete" or rel.parts[0] == "bin" or rel.parts[0].endswith(".egg-info"):
            continue
        yield path


def main(argv: list[str] | None = None) -> int:
    """`python -m powertune.reference.packaging [OUT_ZIP]`: build the zip for an AWS deploy.

    The app is the repository's `app/`, found from the working directory upwards.
    """
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("build/lambda/items-api.zip")
    sys.stdout.write(f"{package_app(out, app_dir=default_app_dir(Path.cwd()))}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
