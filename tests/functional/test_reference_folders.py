"""Finding the reference stack's folders: from the working directory upwards, or as given."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import cli

from powertune.errors import ConfigError
from powertune.reference.folders import (
    ReferenceFolders,
    default_app_dir,
    default_terraform_dir,
    find_checkout,
    resolve_folders,
)

ROOT = Path(__file__).resolve().parents[2]


def _checkout(root: Path) -> Path:
    (root / "app" / "src" / "items_api").mkdir(parents=True)
    (root / "infra" / "terraform").mkdir(parents=True)
    (root / "infra" / "terraform" / "main.tf").write_text("")
    return root


def test_the_checkout_is_found_from_a_folder_inside_it(tmp_path: Path) -> None:
    root = _checkout(tmp_path / "repo")
    deep = root / "docs" / "deeper"
    deep.mkdir(parents=True)
    assert find_checkout(deep) == root.resolve()
    assert default_app_dir(deep) == root.resolve() / "app"
    assert default_terraform_dir(deep) == root.resolve() / "infra" / "terraform"


def test_this_repository_is_a_checkout() -> None:
    assert find_checkout(Path(__file__).parent) == ROOT


def test_a_folder_holding_only_the_app_is_not_a_checkout(tmp_path: Path) -> None:
    (tmp_path / "app" / "src" / "items_api").mkdir(parents=True)
    assert find_checkout(tmp_path) is None


def test_outside_a_checkout_the_errors_name_the_flags(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--app-dir"):
        default_app_dir(tmp_path)
    with pytest.raises(ConfigError, match="--terraform-dir"):
        default_terraform_dir(tmp_path)


def test_given_folders_win_over_the_checkout(tmp_path: Path) -> None:
    other = _checkout(tmp_path / "other")
    folders = resolve_folders(ROOT, other / "app", other / "infra" / "terraform")
    assert folders == ReferenceFolders(other / "app", other / "infra" / "terraform")


def test_a_given_folder_that_is_not_an_app_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--app-dir"):
        resolve_folders(tmp_path, tmp_path, ROOT / "infra" / "terraform")
    with pytest.raises(ConfigError, match="--terraform-dir"):
        resolve_folders(tmp_path, ROOT / "app", tmp_path)


def test_deploy_outside_a_checkout_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = cli(["local", "deploy", "--state-dir", str(tmp_path)], capsys, monkeypatch)
    assert code == ConfigError.exit_code
    assert "--terraform-dir" in err or "--app-dir" in err
