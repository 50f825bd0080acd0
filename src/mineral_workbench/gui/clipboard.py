"""Copy a table selection the way spreadsheets paste it.

The plain-text flavour is tab-separated and exactly what the table shows. An HTML flavour
rides along: Excel and LibreOffice prefer it when pasting, and its text cells carry
`mso-number-format:"\\@"`, so codes such as HTS '0303' or '2846902010' stay text instead of
becoming numbers. Works on any model with `column_specs()` and `display_text(row, column)`.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtGui import QGuiApplication, QStandardItemModel

# Copying more cells than this would freeze the window for seconds; exports are the tool then.
MAX_COPY_CELLS = 2_000_000
_FORMULA_STARTS = ("=", "+", "-", "@")
_TEXT_STYLE = 'mso-number-format:"\\@"'


def selection_grid(view) -> list[list[tuple[str, bool]]] | None:
    """The selected cells as rows of (text, is_text) in view order; None if too large.

    Only rows and columns holding a selected cell are kept; unselected cells inside them
    come out empty, like a spreadsheet.
    """
    model, selection = view.model(), view.selectionModel().selection()
    if selection.isEmpty():
        return []
    top = min(r.top() for r in selection)
    bottom = max(r.bottom() for r in selection)
    left = min(r.left() for r in selection)
    right = max(r.right() for r in selection)
    if (bottom - top + 1) * (right - left + 1) > MAX_COPY_CELLS:
        return None
    chosen = np.zeros((bottom - top + 1, right - left + 1), dtype=bool)
    for r in selection:
        chosen[r.top() - top:r.bottom() - top + 1, r.left() - left:r.right() - left + 1] = True
    columns = [left + int(c) for c in np.flatnonzero(chosen.any(axis=0))]
    specs = model.column_specs()
    is_text = {c: not specs[c].numeric for c in columns}
    grid = []
    for offset in np.flatnonzero(chosen.any(axis=1)):
        row = top + int(offset)
        grid.append([(model.display_text(row, c) if chosen[offset, c - left] else "", is_text[c])
                     for c in columns])
    return grid


def tsv_cell(text: str, is_text: bool) -> str:
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    if is_text and text.startswith(_FORMULA_STARTS):
        return "'" + text  # a spreadsheet must not run text from a trade file as a formula
    return text


def grid_tsv(grid) -> str:
    return "\n".join("\t".join(tsv_cell(text, is_text) for text, is_text in row) for row in grid)


def grid_html(grid) -> str:
    """An HTML table of the grid; text cells are marked as text for Excel."""
    rows = []
    for row in grid:
        cells = []
        for text, is_text in row:
            value = html.escape(tsv_cell(text, is_text) if is_text else text)
            style = f' style=\'{_TEXT_STYLE}\'' if is_text else ""
            cells.append(f"<td{style}>{value}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ("<html><head><meta charset='utf-8'></head><body><table>"
            + "".join(rows) + "</table></body></html>")


def selection_tsv(view) -> str | None:
    grid = selection_grid(view)
    return None if grid is None else grid_tsv(grid)


def copy_view_selection(view) -> tuple[str | None, int]:
    """Put the view's selection on the clipboard; (text, lines), text None when too large."""
    grid = selection_grid(view)
    if grid is None:
        return None, -1
    if not grid:
        return "", 0
    text = grid_tsv(grid)
    mime = _plain_mime_data()
    mime.setText(text)
    mime.setHtml(grid_html(grid))
    QGuiApplication.clipboard().setMimeData(mime)
    return text, len(grid)


def copy_and_announce(view) -> str | None:
    """`copy_view_selection`, then the view's `copied(lines)` signal (for the status bar)."""
    text, lines = copy_view_selection(view)
    if lines:
        view.copied.emit(lines)
    return text


def _plain_mime_data():
    """An empty QMimeData constructed by C++, not by Python.

    A QMimeData built in Python is PySide's wrapper subclass; the clipboard keeps it until
    Qt's static clean-up after the interpreter has finished, and its destructor then calls
    into Python and crashes the process at exit (PySide6 6.10, measured here). One made by
    Qt itself has no such destructor. An item model's `mimeData` is the public way to get one.
    """
    model = QStandardItemModel(1, 1)
    mime = model.mimeData([model.index(0, 0)])
    for mime_type in mime.formats():
        mime.removeFormat(mime_type)
    return mime
