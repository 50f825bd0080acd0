"""Defense uses: what the selected minerals do in which systems (with sources), beside the
exposure of each defense-use category rolled up from consumption at risk."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from .columns import DEFENSE_COLUMNS, DEFENSE_USE_COLUMNS
from .panels import TablePanel

_WRAPPED_WIDTH = {"defense_use": 300, "system_examples": 260, "source": 260, "notes": 220}
MAX_CARDS = 12


def use_cards_html(rows) -> str:
    """Each use as a short card: application, systems, categories, importance and source."""
    esc = html.escape
    cards = []
    for row in rows:
        element = f" ({esc(row['element'])})" if row.get("element") else ""
        notes = f"<br><i>{esc(row['notes'])}</i>" if row.get("notes") else ""
        cards.append(
            f"<p><b>{esc(row['mineral'])}{element}: {esc(row['defense_use'])}</b><br>"
            f"Systems: {esc(row['system_examples'])}<br>"
            f"Categories: {esc(row['categories'])} · importance <b>{esc(row['importance'])}</b> · "
            f"confidence {esc(row['confidence'])}{notes}<br>"
            f"<small>Source: {esc(row['source'])}</small></p>")
    return "".join(cards)


class DefensePanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._uses = None            # every defense use (pandas frame), from the analysis
        self._minerals: list[str] = []
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.uses = TablePanel(DEFENSE_USE_COLUMNS, noun="defense uses", filter_key="defense_use",
                               widths=_WRAPPED_WIDTH, parent=self)
        self.uses.filter_edit.setPlaceholderText("Search applications…")
        self.categories = TablePanel(DEFENSE_COLUMNS, noun="categories", filter_key="category",
                                     widths={"category": 200}, parent=self)

        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("Defense uses in full, with sources")
        self.detail.setOpenLinks(False)
        self.uses.table.selectionModel().currentRowChanged.connect(self._refresh_detail)
        top = QWidget(self)
        column = QVBoxLayout(top)
        column.setContentsMargins(6, 6, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.uses, 1)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(top)
        left.addWidget(self.detail)
        left.setStretchFactor(0, 1)
        left.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.categories)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._refresh_uses()

    def show_analysis(self, analysis) -> None:
        if analysis.defense_uses is not None and self._uses is None:
            self._uses = analysis.defense_uses
            self._refresh_uses()
        self.categories.set_frame(getattr(analysis.result, "defense", None))

    def show_minerals(self, minerals: list[str], _origin=None) -> None:
        """Narrow the uses to the selected minerals (all uses when nothing is selected)."""
        self._minerals = list(minerals)
        self._refresh_uses()

    def clear(self) -> None:
        self.categories.set_frame(None)

    def shown_minerals(self) -> list[str]:
        return list(self._minerals)

    def _refresh_uses(self) -> None:
        uses = self._uses
        if uses is None:
            self.heading.setText("Defense uses appear once data is loaded.")
            self.uses.set_frame(None)
            return
        if self._minerals:
            shown = uses[uses["mineral"].isin(self._minerals)]
            names = ", ".join(self._minerals[:4]) + (" …" if len(self._minerals) > 4 else "")
            if len(shown):
                self.heading.setText(f"Defense uses of {names}: {len(shown)} application"
                                     f"{'s' if len(shown) != 1 else ''} (sources in the table; "
                                     "hover a cell for its full text)")
            else:
                self.heading.setText(f"No defense uses are recorded for {names}.")
        else:
            shown = uses
            self.heading.setText(f"All {len(uses)} recorded defense uses; select a mineral in any "
                                 "view to narrow them.")
        self._shown = shown.reset_index(drop=True)
        self.uses.set_frame(self._shown)
        self._refresh_detail()

    def _refresh_detail(self, *_args) -> None:
        """The current row in full, or every listed use (up to MAX_CARDS) when none is current."""
        shown = getattr(self, "_shown", None)
        if shown is None or not len(shown):
            self.detail.clear()
            return
        current = self.uses.table.currentIndex()
        if current.isValid():
            rows = shown.iloc[[self.uses.model.source_row(current.row())]].to_dict("records")
        else:
            rows = shown.head(MAX_CARDS).to_dict("records")
        more = len(shown) - len(rows)
        tail = (f"<p><small>{more} more in the table; click a row to read it here.</small></p>"
                if more > 0 else "")
        self.detail.setHtml(use_cards_html(rows) + tail)
