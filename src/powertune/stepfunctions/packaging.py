"""Build the steps' Lambda zip: powertune's own code, plus the dependencies Lambda lacks.

The zip holds the `powertune` package as installed (without the local cloud and
the CLI, which the handlers never import), written deterministically as the
reference app's zip is (`reference/packaging.py`: sorted entries, fixed times),
so Terraform's `source_code_hash` changes only when the code does.

Lambda's python3.11 runtime has boto3 but not numpy, scipy or httpx. For AWS
they are installed for Lambda's platform (`pip install --target`, cached by the
hash of the pins) with the versions installed here, so the handlers run the
same core as the CLI. The local cloud runs handlers with the local Python,
which has them, so a local deploy ships powertune's code only.

`python -m powertune.stepfunctions.packaging [DIR]` writes DIR/handlers.zip and
DIR/statemachine.asl.json and DIR/fleet.asl.json (default DIR: build/stepfunctions) for a plain
`terraform apply` of the module.
"""

from __future__ import annotations

import sys
import zipfile
from importlib import metadata
from pathlib import Path

import powertune
from powertune.reference.packaging import install_dependencies
from powertune.stepfunctions.asl import FLEET_FILE, TUNER_FILE, template

HANDLER = "powertune.stepfunctions.handler.handle"
#: what the handlers import that Lambda's runtime does not provide (httpx: backends.aws)
RUNTIME_DEPENDENCIES = (
    "numpy",
    "scipy",
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "idna",
    "certifi",
    "typing_extensions",
)
_LEFT_OUT = ("localcloud", "cli")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _sources() -> list[tuple[str, Path]]:
    root = Path(powertune.__file__).parent
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or "__pycache__" in rel.parts or path.suffix == ".pyc":
            continue
        if rel.parts[0] in _LEFT_OUT:
            continue
        found.append((f"powertune/{rel.as_posix()}", path))
    return found


def _tree(root: Path) -> list[tuple[str, Path]]:
    return [
        (p.relative_to(root).as_posix(), p)
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.name != ".complete"
        and p.relative_to(root).parts[0] != "bin"
    ]


def pinned_requirements(out: Path) -> Path:
    """A requirements file pinning the runtime dependencies to the versions installed here."""
    lines = [f"{name}=={metadata.version(name)}" for name in RUNTIME_DEPENDENCIES]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    return out


def package_handlers(out_zip: Path, *, with_dependencies: bool) -> Path:
    """Write the handlers' zip to `out_zip`; with the dependencies for AWS, or without (local)."""
    entries = _sources()
    if with_dependencies:
        requirements = pinned_requirements(out_zip.parent / "handlers-requirements.txt")
        from powertune.reference.packaging import default_cache_dir

        entries = _tree(install_dependencies(requirements, default_cache_dir())) + entries
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_zip.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    tmp.replace(out_zip)
    return out_zip


def write_definition(out: Path, name: str = TUNER_FILE) -> Path:
    """An ASL template (placeholders and all), where the Terraform module reads it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(template(name))
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path("build/stepfunctions")
    zip_path = package_handlers(folder / "handlers.zip", with_dependencies=True)
    asl_path = write_definition(folder / TUNER_FILE)
    fleet_path = write_definition(folder / FLEET_FILE, FLEET_FILE)
    sys.stdout.write(f"{zip_path}\n{asl_path}\n{fleet_path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
