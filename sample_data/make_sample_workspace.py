#!/usr/bin/env python3
"""Build the bundled sample workspace: the synthetic sample workbook plus the five preset
scenarios (none active), saved as `sample_workspace.mwb` beside this script.

An analyst who opens it sees the same baseline as the sample workbook and can try every
preset at once. The workspace is written by the workbench's own `save_workspace`, then its
zip is rewritten with fixed entry times and a fixed `saved_at`, and the source is named by
file name only (no checkout path inside), so a rerun gives the same bytes with the same
pandas/pyarrow and the same content with any.

    python sample_data/make_sample_workspace.py [--out FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT_NAME = "sample_workspace.mwb"
WORKBOOK_NAME = "sample_dataweb_imports_2020_2024.xlsx"
SAVED_AT = "2025-03-14T09:41:27+00:00"          # the sample workbook's download date
ZIP_TIME = (2025, 3, 14, 9, 41, 26)              # zip times are even seconds


def _import_core():
    if importlib.util.find_spec("mineral_workbench") is None:  # a source checkout, not installed
        sys.path.insert(0, str(HERE.parent / "src"))


def build(out: Path, workbook: Path | None = None) -> Path:
    """Write the sample workspace to `out` (atomically) and return its path."""
    _import_core()
    from mineral_workbench.core.analysis import AnalysisOptions, load_sources  # noqa: PLC0415
    from mineral_workbench.core.whatif import load_presets  # noqa: PLC0415
    from mineral_workbench.core.workspace import Workspace, save_workspace  # noqa: PLC0415

    workbook = workbook or HERE / WORKBOOK_NAME
    loaded = load_sources([workbook])
    reports = [replace(r, file=Path(r.file).name) for r in loaded.reports]   # no checkout path
    workspace = Workspace(frame=loaded.frame, reports=reports, options=AnalysisOptions(),
                          priority=list(loaded.priority), scenarios=load_presets(),
                          active_scenario=None,
                          source_paths={r.sha256: str(workbook) for r in loaded.reports})
    out = Path(out)
    with tempfile.TemporaryDirectory(dir=out.parent) as scratch:
        saved = save_workspace(workspace, Path(scratch) / out.name)
        normalised = Path(scratch) / f"{out.name}.normalised"
        _normalise(saved, normalised, workbook.name)
        os.replace(normalised, out)
    return out


def _normalise(source: Path, target: Path, workbook_name: str) -> None:
    """Same members in the same order, with fixed times, a fixed `saved_at`, and the source
    found beside the workspace (both live in sample_data/, wherever this was built)."""
    with zipfile.ZipFile(source) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    for i, (info, data) in enumerate(members):
        if info.filename == "workspace.json":
            document = {**json.loads(data), "saved_at": SAVED_AT}
            for entry in document["sources"]:
                entry["path"] = workbook_name
            members[i] = (info, _dump(document))
    _write(target, members)


def _dump(document: dict) -> bytes:
    return json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8")


def _write(path: Path, members) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for old, data in members:
            info = zipfile.ZipInfo(old.filename, date_time=ZIP_TIME)
            info.compress_type = old.compress_type
            info.create_system = 3                 # the same bytes whichever OS builds it
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / OUT_NAME)
    args = parser.parse_args(argv)
    path = build(args.out)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
