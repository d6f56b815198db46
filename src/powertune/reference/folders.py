"""Where the reference stack's two folders are: the app (`app/`) and its Terraform.

Commands take both as arguments (`--app-dir`, `--terraform-dir`). Without them the
defaults are the repository's own `app/` and `infra/terraform/`, found by walking up
from the working directory to the first folder that holds both, so `powertune local
deploy` works from any folder of a checkout and, installed as a wheel, from any
folder once the two are named. The installed package never looks next to its own
files: a wheel does not carry the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from powertune.errors import ConfigError

APP_PACKAGE = "items_api"
APP_SUBDIR = Path("app")
TERRAFORM_SUBDIR = Path("infra") / "terraform"


@dataclass(frozen=True, slots=True)
class ReferenceFolders:
    """The app folder (holding `src/items_api` and `requirements.txt`) and the Terraform folder."""

    app_dir: Path
    terraform_dir: Path


def is_app_dir(folder: Path) -> bool:
    return (folder / "src" / APP_PACKAGE).is_dir()


def is_terraform_dir(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*.tf"))


def find_checkout(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds both `app/` and `infra/terraform/`."""
    for folder in (start.resolve(), *start.resolve().parents):
        if is_app_dir(folder / APP_SUBDIR) and is_terraform_dir(folder / TERRAFORM_SUBDIR):
            return folder
    return None


def _not_found(start: Path, flag: str, what: str) -> ConfigError:
    return ConfigError(
        f"no folder at or above {start} holds both {APP_SUBDIR}/ and {TERRAFORM_SUBDIR}/, so "
        f"the {what} is unknown; pass {flag} (or run from inside the powertune repository)"
    )


def default_app_dir(start: Path) -> Path:
    """The checkout's `app/` above `start`, or a ConfigError naming `--app-dir`."""
    root = find_checkout(start)
    if root is None:
        raise _not_found(start, "--app-dir", "reference app folder")
    return root / APP_SUBDIR


def default_terraform_dir(start: Path) -> Path:
    """The checkout's `infra/terraform/` above `start`, or an error naming `--terraform-dir`."""
    root = find_checkout(start)
    if root is None:
        raise _not_found(start, "--terraform-dir", "Terraform folder")
    return root / TERRAFORM_SUBDIR


def resolve_folders(
    start: Path, app_dir: Path | None, terraform_dir: Path | None
) -> ReferenceFolders:
    """The folders given, the checkout's for those not given; each one checked."""
    app = app_dir if app_dir is not None else default_app_dir(start)
    terraform = terraform_dir if terraform_dir is not None else default_terraform_dir(start)
    if not is_app_dir(app):
        raise ConfigError(
            f"{app} has no src/{APP_PACKAGE}; pass --app-dir with the reference app's folder "
            f"({APP_SUBDIR}/ in the powertune repository)"
        )
    if not is_terraform_dir(terraform):
        raise ConfigError(
            f"{terraform} has no .tf files; pass --terraform-dir with the stack's folder "
            f"({TERRAFORM_SUBDIR}/ in the powertune repository)"
        )
    return ReferenceFolders(app, terraform)
