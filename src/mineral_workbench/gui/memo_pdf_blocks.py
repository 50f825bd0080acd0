"""Page layout for the PDF memo: blocks that measure themselves and a paginator.

All sizes are device pixels of the PDF writer (300 dpi); text is laid out by QTextDocument
against the writer as paint device, so 12 pt is 12 pt on paper. A block may be kept with
the next (headings, captions, figures), may split between lines (long paragraphs) or
between rows with the header repeated (a table taller than a page); a table that fits on
a page is never split.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QTextDocument,
                           QTextOption)

MIN_LINES = 2   # orphan / widow control when a paragraph splits across pages


def qfont(spec: dict) -> QFont:
    """The template's font; its fallbacks stand in where the family is not installed (a style
    hint would make Qt skip fontconfig's metric-compatible substitutes), ligatures off so
    copied and extracted text reads 'office', not 'oﬀice'."""
    font = QFont()
    font.setFamilies([spec.get("family", "Times New Roman"), *spec.get("fallbacks", [])])
    font.setPointSizeF(float(spec.get("size_pt", 12)))
    font.setBold(bool(spec.get("bold", False)))
    font.setItalic(bool(spec.get("italic", False)))
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def text_doc(markup: str, font: QFont, width: float, device, align: str = "left") -> QTextDocument:
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    option = QTextOption()
    option.setAlignment({"right": Qt.AlignmentFlag.AlignRight, "center": Qt.AlignmentFlag.AlignHCenter}
                        .get(align, Qt.AlignmentFlag.AlignLeft))
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    doc.setDefaultTextOption(option)
    doc.setHtml(markup)
    doc.setTextWidth(width)
    return doc


def esc(text: str) -> str:
    return html.escape(str(text))


class Block:
    keep_with_next = False
    space_before = 0.0
    space_after = 0.0

    def height(self) -> float:
        raise NotImplementedError

    def draw(self, painter: QPainter, x: float, y: float) -> None:
        raise NotImplementedError

    def split(self, avail: float):
        """(part that fits in `avail`, rest) or None when the block cannot split there."""
        return None


class TextBlock(Block):
    """Rich text (small HTML) with an optional hanging lead ('1.', 'FOR:') at the left."""

    def __init__(self, device, width, markup, font, *, lead="", lead_width=0.0, align="left",
                 before=0.0, after=0.0, keep=False, _offset=0.0, _limit=None):
        self.device, self.width, self.markup, self.font = device, width, markup, font
        self.lead, self.lead_width, self.align = lead, lead_width, align
        self.space_before, self.space_after, self.keep_with_next = before, after, keep
        self.doc = text_doc(markup, font, width - lead_width, device, align)
        self.lead_doc = text_doc(lead, font, lead_width, device) if lead else None
        self._offset = _offset
        self._limit = _limit

    def _full(self) -> float:
        return self.doc.size().height()

    def height(self) -> float:
        end = self._full() if self._limit is None else self._limit
        return end - self._offset

    def draw(self, painter, x, y):
        painter.save()
        painter.translate(x + self.lead_width, y - self._offset)
        clip = QRectF(0, self._offset, self.width - self.lead_width, self.height())
        self.doc.drawContents(painter, clip)
        painter.restore()
        if self.lead_doc is not None and self._offset == 0:
            painter.save()
            painter.translate(x, y)
            self.lead_doc.drawContents(painter)
            painter.restore()

    def _line_bottoms(self) -> list[float]:
        bottoms = []
        block = self.doc.begin()
        layout = self.doc.documentLayout()
        while block.isValid():
            top = layout.blockBoundingRect(block).top()
            lines = block.layout()
            for i in range(lines.lineCount()):
                line = lines.lineAt(i)
                bottoms.append(top + line.y() + line.height())
            block = block.next()
        return bottoms

    def split(self, avail):
        end = self._full() if self._limit is None else self._limit
        bottoms = [b for b in self._line_bottoms() if self._offset < b <= end]
        fits = [i for i, b in enumerate(bottoms) if b - self._offset <= avail]
        if not fits or fits[-1] + 1 < MIN_LINES or len(bottoms) - (fits[-1] + 1) < MIN_LINES:
            return None
        cut = bottoms[fits[-1]]
        first = self._copy(self._offset, cut)
        rest = self._copy(cut, self._limit)
        first.space_after, rest.space_before = 0.0, 0.0
        first.keep_with_next, rest.keep_with_next = False, self.keep_with_next
        return first, rest

    def _copy(self, offset, limit):
        twin = TextBlock.__new__(TextBlock)
        twin.__dict__.update(self.__dict__)
        twin._offset, twin._limit = offset, limit
        return twin


class RuleBlock(Block):
    def __init__(self, width, thickness, before=0.0, after=0.0):
        self.width, self.thickness = width, thickness
        self.space_before, self.space_after = before, after

    def height(self):
        return self.thickness

    def draw(self, painter, x, y):
        painter.fillRect(QRectF(x, y, self.width, self.thickness), QColor("black"))


class ImageBlock(Block):
    """A figure at its print size (never scaled up beyond the text width)."""

    def __init__(self, image: QImage, width_px: float, height_px: float, text_width: float,
                 before=0.0, after=0.0, keep=True):
        self.image = image
        scale = min(1.0, text_width / width_px)
        self.w, self.h = width_px * scale, height_px * scale
        self.text_width = text_width
        self.space_before, self.space_after, self.keep_with_next = before, after, keep

    def height(self):
        return self.h

    def draw(self, painter, x, y):
        painter.drawImage(QRectF(x + (self.text_width - self.w) / 2, y, self.w, self.h), self.image)


class TableBlock(Block):
    """A ruled table; rows never split; a table taller than a page splits between rows and
    repeats its header row."""

    def __init__(self, device, width, columns, rows, align, widths, font, header_fill,
                 before=0.0, after=0.0, keep=False):
        self.device, self.width = device, width
        self.columns, self.rows, self.align = columns, rows, align
        self.font = font
        self.bold = QFont(font)
        self.bold.setBold(True)
        self.fill = QColor(header_fill)
        self.space_before, self.space_after, self.keep_with_next = before, after, keep
        line = QFontMetricsF(font, device).height()
        self.pad, self.hpad = line * 0.14, line * 0.3
        self.col_w = self._fit_widths(width, widths)
        self.header_h = self._row_h(columns, self.bold)
        self.row_h = [self._row_h(r, font) for r in rows]

    def _fit_widths(self, width: float, weights: list[float]) -> list[float]:
        """Widths in proportion to `weights`, but never narrower than a column's longest word
        (a word wider than its cell would be clipped); the slack of other columns pays."""
        total = sum(weights) or 1.0
        cols = [width * w / total for w in weights]
        need = []
        for c in range(len(cols)):
            words = [(w, self.bold if r == 0 else self.font) for r, row in
                     enumerate([self.columns, *self.rows]) for w in str(row[c]).split()]
            need.append(max((QFontMetricsF(f, self.device).horizontalAdvance(w) for w, f in words),
                            default=0.0) + 2 * self.hpad + 2)
        short = sum(max(0.0, n - w) for n, w in zip(need, cols))
        slack = sum(max(0.0, w - n) for n, w in zip(need, cols))
        if short <= 0 or slack <= 0:
            return cols
        take = min(1.0, short / slack)
        return [n if w < n else w - (w - n) * take for n, w in zip(need, cols)]

    def _row_h(self, cells, font) -> float:
        fm = QFontMetricsF(font, self.device)
        tallest = 0.0
        for text, w in zip(cells, self.col_w):
            rect = fm.boundingRect(QRectF(0, 0, w - 2 * self.hpad, 1e6),
                                   int(Qt.TextFlag.TextWordWrap), str(text))
            tallest = max(tallest, rect.height())
        return tallest + 2 * self.pad

    def height(self):
        return self.header_h + sum(self.row_h)

    def draw(self, painter, x, y):
        pen = QPen(QColor("black"))
        pen.setWidthF(max(1.0, self.device.resolution() / 300 * 1.6))
        painter.save()
        painter.setPen(pen)
        self._draw_row(painter, x, y, self.columns, self.header_h, self.bold, header=True)
        top = y + self.header_h
        for cells, h in zip(self.rows, self.row_h):
            self._draw_row(painter, x, top, cells, h, self.font, header=False)
            top += h
        painter.restore()

    def _draw_row(self, painter, x, y, cells, h, font, header):
        painter.setFont(font)
        left = x
        for c, (text, w) in enumerate(zip(cells, self.col_w)):
            rect = QRectF(left, y, w, h)
            if header:
                painter.fillRect(rect, self.fill)
            painter.drawRect(rect)
            align = {"r": Qt.AlignmentFlag.AlignRight, "c": Qt.AlignmentFlag.AlignHCenter}.get(
                "c" if header else self.align[c], Qt.AlignmentFlag.AlignLeft)
            flags = int(align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap)
            painter.drawText(rect.adjusted(self.hpad, self.pad, -self.hpad, -self.pad), flags, str(text))
            left += w

    def split(self, avail):
        used, k = self.header_h, 0
        while k < len(self.rows) and used + self.row_h[k] <= avail:
            used += self.row_h[k]
            k += 1
        if k == 0 or k == len(self.rows):
            return None
        first = self._part(self.rows[:k], self.row_h[:k])
        rest = self._part(self.rows[k:], self.row_h[k:])
        first.space_after, rest.space_before, first.keep_with_next = 0.0, 0.0, False
        return first, rest

    def _part(self, rows, heights):
        twin = TableBlock.__new__(TableBlock)
        twin.__dict__.update(self.__dict__)
        twin.rows, twin.row_h = rows, heights
        return twin


class Paginator:
    """Places blocks top to bottom; a chain of keep-with-next blocks moves to a new page whole
    when it fits on one; otherwise blocks split where they can."""

    def __init__(self, body: QRectF, first_page_reserve: float = 0.0):
        self.body = body
        self.reserve = first_page_reserve
        self.pages: list[list[tuple[Block, float]]] = [[]]
        self.y = body.top()

    @property
    def bottom(self) -> float:
        return self.body.bottom() - (self.reserve if len(self.pages) == 1 else 0.0)

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.body.top()

    def _at_top(self) -> bool:
        return not self.pages[-1]

    def _place(self, block: Block) -> None:
        gap = 0.0 if self._at_top() else block.space_before
        avail = self.bottom - self.y - gap
        h = block.height()
        if h > avail:
            parts = block.split(avail) if avail > 0 else None
            if parts is None:
                if not self._at_top():
                    self.new_page()
                    return self._place(block)
                parts = block.split(self.bottom - self.y)   # taller than a page: split anyway
                if parts is None:                           # cannot split: let it overflow
                    self.pages[-1].append((block, self.y))
                    self.y += h + block.space_after
                    return None
            first, rest = parts
            self.pages[-1].append((first, self.y + gap))
            self.new_page()
            return self._place(rest)
        self.pages[-1].append((block, self.y + gap))
        self.y += gap + h + block.space_after
        return None

    def layout(self, blocks: list[Block]) -> list[list[tuple[Block, float]]]:
        i = 0
        while i < len(blocks):
            chain = [blocks[i]]
            while chain[-1].keep_with_next and i + len(chain) < len(blocks):
                chain.append(blocks[i + len(chain)])
            need = sum(b.height() + b.space_before + b.space_after for b in chain) \
                - chain[0].space_before * self._at_top() - chain[-1].space_after
            if len(chain) > 1 and self.y + need > self.bottom and not self._at_top() \
                    and need <= self.body.height() - 1:
                self.new_page()
            for block in chain:
                self._place(block)
            i += len(chain)
        return self.pages


def draw_centered(painter: QPainter, text: str, font: QFont, rect: QRectF) -> None:
    painter.setFont(font)
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)


__all__ = ["Block", "ImageBlock", "Paginator", "RuleBlock", "TableBlock", "TextBlock",
           "draw_centered", "esc", "qfont", "text_doc"]
