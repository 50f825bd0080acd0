"""The mapping dialog's preview: the file's first rows as text under a row of role combos.

The header row the analyst picked is bold on a highlighted background; the title rows above
it are dimmed (they are not read). At most a few dozen rows, so a light model over lists.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette

ROLE_ROW = 0   # the model's first row holds the role combos; preview row i is model row i + 1


def column_letter(j: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as the spreadsheet shows it)."""
    letters = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class PreviewModel(QAbstractTableModel):
    """The preview rows as text, one spare top row for the role combos; the header row is
    bold on a highlighted background and the rows above it are dimmed."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[list[str]] = []
        self.row_numbers: list[int] = []
        self.header_row = 1
        self.width = 0

    def set_preview(self, rows: list[list[str]], row_numbers: list[int]) -> None:
        self.beginResetModel()
        self.rows, self.row_numbers = rows, row_numbers
        self.width = max((len(r) for r in rows), default=0)
        self.endResetModel()

    def set_header_row(self, header_row: int) -> None:
        self.header_row = header_row
        if self.rows:
            self.dataChanged.emit(self.index(1, 0), self.index(len(self.rows), self.width - 1))
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 1, len(self.rows))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows) + 1

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self.width

    def _kind(self, row: int) -> str:
        number = self.row_numbers[row - 1] if row - 1 < len(self.row_numbers) else row
        return "header" if number == self.header_row else "title" if number < self.header_row else ""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() == ROLE_ROW:
            return None
        row = self.rows[index.row() - 1]
        kind = self._kind(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return row[index.column()] if index.column() < len(row) else ""
        if role == Qt.ItemDataRole.FontRole and kind == "header":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and kind == "header":
            color = QColor(QPalette().color(QPalette.ColorRole.Highlight))
            color.setAlpha(70)
            return QBrush(color)
        if role == Qt.ItemDataRole.ForegroundRole and kind == "title":
            return QBrush(QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return column_letter(section)
            if section == ROLE_ROW:
                return "Role"
            return str(self.row_numbers[section - 1]) if section - 1 < len(self.row_numbers) else ""
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Vertical:
            kind = self._kind(section) if section != ROLE_ROW else "role"
            return {"header": "The header row", "title": "Above the header: not read",
                    "role": "What each column holds"}.get(kind)
        return None
