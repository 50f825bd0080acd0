"""Importers, one module per source format, registered in one place.

Each importer module exposes ``FORMAT`` (its id), ``sniff(path, head) -> bool`` (detect from
content, not the file name alone) and ``read(path, *, progress=None, cancel=None)
-> (TradeFrame, ImportReport)``. `load_file` picks the importer and then fills the parts of
the report that need the crosswalk (unmapped codes) so every format reports alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .report import ImportReport

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

_REGISTRY: list = []


def _registry() -> list:
    if not _REGISTRY:
        from . import dataweb_xlsx  # noqa: PLC0415 - import on first use keeps start-up light
        _REGISTRY.extend([dataweb_xlsx])
    return _REGISTRY


def detect_format(path: str | Path) -> str:
    """Name the format of a file from its content, or raise InputError."""
    return _importer_for(Path(path)).FORMAT


def _importer_for(path: Path):
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if not head:
        raise InputError(path, "the file is empty")
    for module in _registry():
        if module.sniff(path, head):
            return module
    raise InputError(path, "not a trade export the workbench recognises "
                           "(supported: USITC DataWeb .xlsx)")


def load_file(path: str | Path, *, progress: ProgressFn | None = None,
              cancel: CancelFn | None = None) -> tuple[pd.DataFrame, ImportReport]:
    """Read one trade file into a validated TradeFrame plus its ImportReport."""
    from ..tradeframe import validate_tradeframe  # noqa: PLC0415
    path = Path(path)
    module = _importer_for(path)
    frame, report = module.read(path, progress=progress, cancel=cancel)
    validate_tradeframe(frame)
    _fill_mapping_report(frame, report)
    return frame, report


def _fill_mapping_report(frame: pd.DataFrame, report: ImportReport) -> None:
    from ..crosswalk import unmapped_codes  # noqa: PLC0415
    from ..countries import partner_report  # noqa: PLC0415
    primary = frame[frame["measure"] == report.primary_measure]
    report.unmapped_codes = unmapped_codes(primary)
    unmapped, aggregates = partner_report(primary)
    report.unmapped_partners = unmapped
    report.aggregate_partners = aggregates
