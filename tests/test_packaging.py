"""Bundled folders are found through the package, so an installed wheel works on its own."""

import tomllib
from pathlib import Path

import mineral_workbench
from mineral_workbench.core.resources import data_dir, resource_path, sample_workbook

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = Path(mineral_workbench.__file__).resolve().parent


def test_bundled_folders_resolve_and_hold_their_files():
    assert (resource_path("reference", "manifest.json")).is_file()
    assert (resource_path("countries", "countries.csv")).is_file()
    assert any(data_dir("icons").glob("*.svg"))
    assert sample_workbook().is_file() and sample_workbook().stat().st_size > 10_000


def test_installed_wheel_carries_its_data_inside_the_package():
    if "site-packages" not in str(PACKAGE_DIR):
        # Source checkout: the wheel build must map the folders into the package.
        config = tomllib.loads((ROOT / "pyproject.toml").read_text())
        mapped = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
        assert mapped == {"resources": "mineral_workbench/resources",
                          "icons": "mineral_workbench/icons",
                          "sample_data": "mineral_workbench/sample_data"}
        return
    for name in ("resources", "icons", "sample_data"):
        assert data_dir(name).resolve().is_relative_to(PACKAGE_DIR), name


def test_entry_points_declared():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["project"]["scripts"]["mineral-workbench"] == "mineral_workbench.app:main"
    assert "mineral-workbench-gui" in config["project"]["gui-scripts"]
    pins = [d for d in config["project"]["dependencies"] if d.lower().startswith("pyside6")]
    assert pins == ["PySide6-Essentials==6.10.*"]


def test_version_literal_matches_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert mineral_workbench.__version__ == config["project"]["version"]
