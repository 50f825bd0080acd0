"""Importers, one module per source format, registered in one place.

Each importer module exposes ``FORMAT`` (its id), ``LABEL`` (a human name),
``sniff(path, head) -> bool`` (detect from content, not the file name alone) and
``read(path, *, progress=None, cancel=None) -> (TradeFrame, ImportReport)``. `load_file`
picks the importer and then fills the parts of the report that need the crosswalk and the
country tables, so every format reports alike.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .report import ImportReport

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

#: sniffing order: the most specific formats first
IMPORTER_MODULES = ("dataweb_xlsx", "dataweb_csv", "census_csv", "census_json",
                    "comtrade", "baci")

_REGISTRY: list = []


def _registry() -> list:
    if not _REGISTRY:
        for name in IMPORTER_MODULES:
            try:
                _REGISTRY.append(importlib.import_module(f"{__name__}.{name}"))
            except ModuleNotFoundError as exc:  # a format still being written
                if exc.name != f"{__name__}.{name}":
                    raise
    return _REGISTRY


def supported_formats() -> list[str]:
    return [getattr(m, "LABEL", m.FORMAT) for m in _registry()]


def detect_format(path: str | Path) -> str:
    """Name the format of a file from its content, or raise InputError."""
    return _importer_for(Path(path)).FORMAT


def _importer_for(path: Path):
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None
    if not head.strip():
        raise InputError(path, "the file is empty")
    for module in _registry():
        if module.sniff(path, head):
            return module
    raise InputError(path, "not a trade export the workbench recognises (supported: "
                           + "; ".join(supported_formats())
                           + "); map its columns with a profile (--profile P.json)")


def load_file(path: str | Path, *, progress: ProgressFn | None = None,
              cancel: CancelFn | None = None, profile=None) -> tuple[pd.DataFrame, ImportReport]:
    """Read one trade file into a validated TradeFrame plus its ImportReport.

    With a column-mapping `profile` (see `profile.py`), the file is read through it instead
    of format detection.
    """
    from ..tradeframe import TEXT, validate_tradeframe  # noqa: PLC0415
    path = Path(path)
    if profile is not None:
        from . import mapped  # noqa: PLC0415
        if not path.exists():
            raise InputError(path, "file not found")
        frame, report = mapped.read(path, profile, progress=progress, cancel=cancel)
    else:
        frame, report = _importer_for(path).read(path, progress=progress, cancel=cancel)
    frame["source_file"] = pd.Categorical.from_codes(
        np.zeros(len(frame), dtype=np.int8),
        dtype=pd.CategoricalDtype(pd.Index([path.name], dtype=TEXT)))
    validate_tradeframe(frame)
    _fill_mapping_report(frame, report)
    return frame, report


def _fill_mapping_report(frame: pd.DataFrame, report: ImportReport) -> None:
    from ..countries import partner_report  # noqa: PLC0415
    from ..crosswalk import unmapped_codes  # noqa: PLC0415
    primary = frame.loc[(frame["measure"] == report.primary_measure).to_numpy(),
                        ["hts", "partner_raw", "partner_code", "value"]]
    report.unmapped_codes = unmapped_codes(primary)
    unmapped, aggregates = partner_report(primary)
    report.unmapped_partners = unmapped
    report.aggregate_partners = aggregates
