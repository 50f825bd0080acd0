"""Exporters: a registry of name, extensions and `export(bundle, target, options)` — no dialogs.

The GUI's Export menu and `mineral-workbench export` both go through here (STYLE.md pattern
6). Every exporter writes atomically (temp file in the target folder, flush, fsync, rename)
and refuses a target that is one of the analyst's source files — by path and by SHA-256 —
so an export can never destroy its own inputs (DESIGN §6). Heavy libraries (openpyxl,
python-docx) are imported only when their exporter runs.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import WorkbenchError
from ..importing.report import file_sha256
from .bundle import ExportBundle, make_bundle

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

_UMASK = os.umask(0)   # read once, at import (os.umask is process-wide: never call it in a worker)
os.umask(_UMASK)


class ExportError(WorkbenchError):
    """An export that must not or cannot be written (e.g. it would overwrite a source file)."""


@dataclass(frozen=True)
class Exporter:
    name: str                    # "xlsx"
    label: str                   # "Excel analysis workbook"
    extensions: tuple[str, ...]  # (".xlsx",)
    module: str                  # imported on first use
    function: str                # function(bundle, path, *, progress, cancel, **options) -> Path

    def export(self, bundle: ExportBundle, target: str | Path, options: dict | None = None, *,
               progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> Path:
        """Check the target, write to a temp file beside it, then rename over it."""
        target = check_target(bundle, target)
        write = getattr(importlib.import_module(self.module), self.function)
        return atomic_write(target, lambda tmp: write(bundle, tmp, progress=progress, cancel=cancel,
                                                     **(options or {})))


EXPORTERS: dict[str, Exporter] = {}


def register_exporter(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.name] = exporter
    return exporter


register_exporter(Exporter("xlsx", "Excel analysis workbook", (".xlsx",),
                           "mineral_workbench.core.export.xlsx_workbook", "write_workbook"))
# The memo's figures come from the screen's chart code, so its renderers live in gui/ (Qt);
# they are imported only when a memo is exported.
register_exporter(Exporter("docx", "Word memo", (".docx",),
                           "mineral_workbench.gui.memo_figures", "export_memo_docx"))
register_exporter(Exporter("pdf", "PDF memo", (".pdf",),
                           "mineral_workbench.gui.memo_pdf", "write_memo_pdf"))


def exporter_for(target: str | Path | None = None, name: str | None = None) -> Exporter:
    """The exporter registered under `name`, or the one whose extension `target` has."""
    if name is not None:
        if name not in EXPORTERS:
            raise ExportError(f"unknown export format '{name}'; known: {', '.join(sorted(EXPORTERS))}")
        return EXPORTERS[name]
    suffix = Path(str(target)).suffix.lower()
    for exporter in EXPORTERS.values():
        if suffix in exporter.extensions:
            return exporter
    known = ", ".join(e for x in EXPORTERS.values() for e in x.extensions)
    raise ExportError(f"{Path(str(target)).name}: no exporter writes '{suffix or 'no extension'}' "
                      f"files; known: {known}")


def export(bundle: ExportBundle, target: str | Path, name: str | None = None,
           options: dict | None = None, *, progress: ProgressFn | None = None,
           cancel: CancelFn | None = None) -> Path:
    return exporter_for(target, name).export(bundle, target, options, progress=progress, cancel=cancel)


def export_xlsx(bundle: ExportBundle, path: str | Path, *, progress: ProgressFn | None = None,
                cancel: CancelFn | None = None, **options) -> Path:
    """The analysis workbook at `path` (CLI: `mineral-workbench export … --xlsx OUT.xlsx`)."""
    return EXPORTERS["xlsx"].export(bundle, path, options, progress=progress, cancel=cancel)


def check_target(bundle: ExportBundle, target: str | Path) -> Path:
    """Refuse to write over any of the analyst's source files (same path, or same content)."""
    target = Path(target).expanduser()
    resolved = target.resolve()
    name = target.name
    if target.is_dir():
        raise ExportError(f"{name}: is a folder; give a file name to export to")
    if not resolved.parent.is_dir():
        raise ExportError(f"{name}: the folder {resolved.parent} does not exist")
    sources = bundle.loaded.reports
    for report in sources:
        try:
            same = Path(report.file).expanduser().resolve() == resolved
        except OSError:
            same = False
        if same:
            raise ExportError(f"{name}: refusing to overwrite the source file {Path(report.file).name}")
    if resolved.is_file() and sources:
        digest = file_sha256(resolved)
        for report in sources:
            if report.sha256 == digest:
                raise ExportError(f"{name}: refusing to overwrite a copy of the source file "
                                  f"{Path(report.file).name} (same SHA-256)")
    return target


def atomic_write(target: Path, write: Callable[[Path], object]) -> Path:
    """Write through a temp file in the target's folder, fsync, then rename over the target:
    a crash or a cancel leaves the previous file intact and no half-written export behind."""
    folder = target.resolve().parent
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_UMASK)
        with open(tmp, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return target
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return target


__all__ = ["EXPORTERS", "ExportBundle", "ExportError", "Exporter", "atomic_write", "check_target",
           "export", "export_xlsx", "exporter_for", "make_bundle", "register_exporter"]
