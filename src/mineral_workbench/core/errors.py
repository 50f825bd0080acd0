"""Errors that reach the analyst: each names file, sheet, row and problem."""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """Base class for errors the workbench reports to the analyst instead of crashing."""


class InputError(WorkbenchError):
    """A file the analyst brought cannot be read as it is.

    `str()` gives one line: ``file: sheet 'S', row N: problem`` (parts omitted when unknown),
    which the CLI prints on stderr and the GUI shows in its error dialog.
    """

    def __init__(self, file: str | Path | None, problem: str, *, sheet: str | None = None,
                 row: int | None = None, column: str | None = None):
        self.file = str(file) if file is not None else None
        self.sheet = sheet
        self.row = row
        self.column = column
        self.problem = problem
        super().__init__(self.message())

    def message(self) -> str:
        where = []
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        head = Path(self.file).name if self.file else "<input>"
        loc = ", ".join(where)
        return f"{head}: {loc}: {self.problem}" if loc else f"{head}: {self.problem}"


class ReferenceDataError(WorkbenchError):
    """A bundled (or analyst-edited) reference table does not match its schema."""

    def __init__(self, file: str | Path, problem: str, *, column: str | None = None,
                 row: int | None = None):
        self.file = str(file)
        self.column = column
        self.row = row
        self.problem = problem
        parts = [Path(self.file).name]
        if column:
            parts.append(f"column '{column}'")
        if row is not None:
            parts.append(f"row {row}")
        super().__init__(": ".join([", ".join(parts), problem]))


class OperationCancelled(WorkbenchError):
    """The analyst cancelled a long operation; the previous state stays as it was."""
