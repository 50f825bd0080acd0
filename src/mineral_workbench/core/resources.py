"""Find bundled data folders in an installed wheel, a source checkout or a frozen bundle.

The wheel maps the top-level `resources/`, `icons/` and `sample_data/` folders into the
package (hatchling force-include); a source checkout or editable install keeps them at
the repository root. One resolver hides the difference from every caller.
"""

from __future__ import annotations

import sys
from importlib import resources as _ilr
from pathlib import Path

_FOLDERS = ("resources", "icons", "sample_data")


def data_dir(name: str) -> Path:
    """Return the directory of a bundled data folder (`resources`, `icons`, `sample_data`)."""
    if name not in _FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; expected one of {_FOLDERS}")
    candidates: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:  # PyInstaller one-folder bundle
        candidates.append(Path(frozen_root) / "mineral_workbench" / name)
    candidates.append(Path(str(_ilr.files("mineral_workbench"))) / name)
    candidates.append(Path(__file__).resolve().parents[3] / name)  # src/mineral_workbench/core -> repo
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(
        f"bundled folder {name!r} not found; looked in: " + ", ".join(str(p) for p in candidates)
    )


def resource_path(*parts: str) -> Path:
    """Path of a file under the bundled `resources/` folder."""
    return data_dir("resources").joinpath(*parts)


def sample_workbook() -> Path:
    """The bundled synthetic DataWeb-style sample workbook."""
    return data_dir("sample_data") / "sample_dataweb_imports_2020_2024.xlsx"


def sample_workspace() -> Path:
    """The bundled sample workspace: the sample workbook with the five presets as scenarios."""
    return data_dir("sample_data") / "sample_workspace.mwb"
