"""Painting helpers for heat-map tables: a header with rotated labels (16 sector names fit in
narrow columns) and a delegate that keeps a cell's colour visible when its row is selected."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionHeader

_MAX_HEADER = 130
_PAD = 6


class RotatedHeader(QHeaderView):
    """Horizontal header whose sections from `first_rotated` on are drawn bottom-to-top."""

    def __init__(self, first_rotated: int, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._first = first_rotated
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

    def _label_height(self) -> int:
        model = self.model()
        if model is None:
            return 40
        metrics = self.fontMetrics()
        longest = 0
        for section in range(self._first, model.columnCount()):
            text = str(model.headerData(section, Qt.Orientation.Horizontal) or "")
            longest = max([longest] + [metrics.horizontalAdvance(line) for line in text.split("\n")])
        return min(longest + 2 * _PAD, _MAX_HEADER)

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setHeight(max(hint.height(), self._label_height()))
        return hint

    def paintSection(self, painter, rect, section) -> None:
        if section < self._first:
            super().paintSection(painter, rect, section)
            return
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        try:
            self.initStyleOptionForIndex(option, section)
        except AttributeError:  # older Qt: no per-section initialisation
            pass
        option.rect = rect
        option.section = section
        option.text = ""
        self.style().drawControl(QStyle.ControlElement.CE_Header, option, painter, self)
        text = str(self.model().headerData(section, Qt.Orientation.Horizontal) or "")
        painter.save()
        painter.setClipRect(rect)
        painter.translate(rect.left(), rect.bottom())
        painter.rotate(-90)
        # after rotation: x runs up the column, y runs right across it
        area = QRect(_PAD, 0, rect.height() - 2 * _PAD, rect.width())
        painter.setPen(self.palette().color(self.palette().ColorRole.ButtonText))
        painter.drawText(area, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        painter.restore()


def paint_kept_colour(painter, rect, background, foreground, font, base_font, highlight, text: str,
                      align: int = int(Qt.AlignmentFlag.AlignCenter.value)) -> None:
    """A selected cell that keeps its background colour: the colour, a frame in the highlight
    colour, and the text (in the foreground colour; without one, in the frame's pen)."""
    painter.save()
    painter.fillRect(rect, background)
    pen = QPen(highlight)
    pen.setWidth(3)
    painter.setPen(pen)
    painter.drawRect(rect.adjusted(1, 1, -2, -2))
    if foreground is not None:
        painter.setPen(foreground.color())
    painter.setFont(base_font if font is None else font.resolve(base_font))
    painter.drawText(rect, int(align), text)
    painter.restore()
