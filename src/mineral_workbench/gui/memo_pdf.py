"""The memo as PDF, written by Qt's own PDF engine (QPdfWriter + QPainter; no converter).

US Letter at 300 dpi with 1-inch margins; the classification banner at the top and the
bottom of every page, "Page N of M" above the bottom banner, the CUI designation
indicator block at the foot of page one, figures at their print resolution, tables that
move to the next page whole. The same memo model as the Word renderer, the same template.
Painting a QPdfWriter is allowed off the GUI thread, so once `render_figures` has drawn the
figures (GUI thread) the writing can run in a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from ..core.errors import OperationCancelled
from ..core.export.bundle import ExportBundle
from ..core.export.memo import Memo, MemoFigure, MemoTable, build_memo
from .memo_pdf_blocks import (Block, ImageBlock, Paginator, RuleBlock, TableBlock, TextBlock,
                              draw_centered, esc, qfont)

RESOLUTION = 300
ProgressFn = Callable[[float, str], None]


def write_memo_pdf(bundle: ExportBundle | None, path, *, memo: Memo | None = None,
                   progress: ProgressFn | None = None, cancel=None,
                   resolution: int = RESOLUTION) -> Path:
    """Registry entry for `.pdf`: draw missing figures (GUI thread), then write the PDF."""
    if memo is None:
        if bundle is None:
            raise ValueError("write_memo_pdf needs a bundle or a memo")
        memo = build_memo(bundle)
    if bundle is not None and any(not f.png for f in memo.figures):
        from .memo_figures import render_figures
        render_figures(memo, bundle, progress=None if progress is None
                       else (lambda f, msg: progress(0.6 * f, msg)))
    if progress:
        progress(0.6, "Laying out the PDF memo")
    render_pdf(memo, path, resolution=resolution, cancel=cancel)
    if progress:
        progress(1.0, "PDF memo written")
    return Path(path)


class _Fonts:
    def __init__(self, style: dict):
        fonts = style.get("fonts", {})
        body = fonts.get("body", {})
        self.spec = {k: {**body, **v} for k, v in fonts.items()}
        self.spec.setdefault("body", body)

    def __call__(self, key: str):
        return qfont(self.spec.get(key, self.spec["body"]))

    def pt(self, key: str) -> float:
        return float(self.spec.get(key, self.spec["body"]).get("size_pt", 12))


def render_pdf(memo: Memo, path, *, resolution: int = RESOLUTION, cancel=None) -> Path:
    writer = QPdfWriter(str(path))
    writer.setResolution(resolution)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.Letter),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                                     QPageLayout.Unit.Inch))
    writer.setTitle(f"{memo.header.subject} ({memo.banner})")
    writer.setCreator("Mineral Exposure Workbench")
    writer.setAuthor(memo.header.from_)
    writer.setDocumentXmpMetadata(_xmp(memo))
    inch = float(resolution)
    margin = float(memo.style.get("page", {}).get("margin_in", 1.0)) * inch
    page = QRectF(0, 0, 8.5 * inch, 11 * inch)
    body = page.adjusted(margin, margin, -margin, -margin)
    fonts = _Fonts(memo.style)
    blocks = _blocks(memo, writer, body.width(), fonts, inch)
    designation = _designation(memo, writer, body.width(), fonts)
    reserve = designation.height() + 0.15 * inch if designation else 0.0
    pages = Paginator(body, reserve).layout(blocks)
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"{Path(str(path)).name}: cannot write the PDF (folder not writable?)")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering, True)  # no JPEG on charts
        for number, placed in enumerate(pages, 1):
            if cancel and cancel():
                raise OperationCancelled("memo export cancelled")
            if number > 1:
                writer.newPage()
            painter.setPen(QColor("black"))
            for block, y in placed:
                block.draw(painter, body.left(), y)
            if designation and number == 1:
                designation.draw(painter, body.left(), body.bottom() - designation.height())
            _furniture(painter, memo, page, inch, fonts, number, len(pages))
    finally:
        painter.end()
    return Path(path)


def _furniture(painter, memo: Memo, page: QRectF, inch: float, fonts: _Fonts, number: int,
               total: int) -> None:
    """Banner top and bottom, page number above the bottom banner."""
    painter.setPen(QColor(memo.style.get("colors", {}).get("banner", "#000000")))
    banner = fonts("banner")
    line = fonts.pt("banner") / 72 * inch * 1.4
    draw_centered(painter, memo.banner, banner, QRectF(0, 0.45 * inch, page.width(), line))
    draw_centered(painter, memo.banner, banner,
                  QRectF(0, page.height() - 0.45 * inch - line, page.width(), line))
    painter.setPen(QColor("black"))
    size = fonts.pt("page_number") / 72 * inch * 1.4
    draw_centered(painter, f"Page {number} of {total}", fonts("page_number"),
                  QRectF(0, page.height() - 0.45 * inch - line - size, page.width(), size))


def _designation(memo: Memo, device, width: float, fonts: _Fonts) -> TextBlock | None:
    lines = memo.marking.designation_block()
    if not lines:
        return None
    markup = "<br>".join(f"<b>{esc(k)}:</b> {esc(v)}" for k, v in lines)
    return TextBlock(device, width, markup, fonts("designation"))


def _blocks(memo: Memo, device, width: float, fonts: _Fonts, inch: float) -> list[Block]:
    pt = inch / 72
    mark = memo.marking.portion
    body, head = fonts("body"), fonts("heading")
    out: list[Block] = []

    def text(markup, font=body, **kw):
        out.append(TextBlock(device, width, markup, font, **kw))

    def heading(title):
        text(f"<b>{esc(title)}</b>", head, before=12 * pt, after=4 * pt, keep=True)

    h = memo.header
    text(f"<b>{esc(h.kind)}</b>", fonts("kind"), after=2 * pt)
    text(esc(h.date), body, align="right", after=10 * pt)
    tab = 1.1 * inch
    for label, value in (("FOR:", h.for_), ("FROM:", h.from_), ("SUBJECT:", mark(h.subject))):
        text(esc(value), body, lead=f"<b>{label}</b>", lead_width=tab, after=4 * pt)
    if h.cc:
        text(esc("; ".join(h.cc)), body, lead=f"<b>{esc(memo.heading('cc'))}:</b>", lead_width=tab,
             after=4 * pt)
    out.append(RuleBlock(width, max(1.0, 0.75 * pt), before=4 * pt, after=10 * pt))
    text(f"<b>{esc(memo.heading('bluf'))}:</b> {esc(mark(memo.bluf))}", after=8 * pt)
    heading(memo.heading("findings"))
    notes, numbers = memo.notes()
    for i, (finding, marks) in enumerate(zip(memo.findings, numbers), 1):
        sup = f"<sup>{','.join(map(str, marks))}</sup>" if marks else ""
        text(esc(mark(finding.text)) + sup, body, lead=f"{i}.", lead_width=0.3 * inch, after=5 * pt)
    if notes:
        note = fonts("note")
        text(f"<b>{esc(memo.heading('notes'))}</b>", note, before=2 * pt, after=1 * pt, keep=True)
        for n, flag in enumerate(notes, 1):
            text(f"<sup>{n}</sup> {esc(flag)}", note, after=1 * pt)
    if memo.is_action:
        text(f"<b>{esc(memo.heading('recommendation'))}:</b> "
             f"{esc(mark(memo.recommendation or '[recommendation]'))}", before=8 * pt, after=6 * pt)
        text(esc(memo.style.get("defaults", {}).get("approval_line", "")), after=6 * pt)
    for kind, item in memo.body():
        if kind == "figure":
            _figure(out, memo, item, device, width, fonts, pt)
        else:
            _table(out, memo, item, device, width, fonts, pt)
    heading(memo.heading("assumptions"))
    for line in memo.assumptions:
        text(esc(mark(line)), body, lead="•", lead_width=0.25 * inch, after=2 * pt)
    heading(memo.heading("methods"))
    for item in memo.methods:
        text(f"<b>{esc(mark(item['title'] + '.'))}</b> {esc(item['text'])}", after=4 * pt)
    heading(memo.heading("sources"))
    for line in memo.sources:
        text(esc(mark(line)), body, lead="•", lead_width=0.25 * inch, after=2 * pt)
    out.append(RuleBlock(width, max(1.0, 0.75 * pt), before=8 * pt, after=6 * pt))
    for key, value in (("coordination", memo.coordination), ("attachment", memo.attachment),
                       ("prepared_by", memo.prepared_by)):
        text(f"<b>{esc(memo.heading(key))}:</b> {esc(value)}", after=3 * pt)
    return out


def _figure(out: list, memo: Memo, figure: MemoFigure, device, width, fonts: _Fonts, pt) -> None:
    caption = f"{memo.heading('figure')} {memo.figure_number(figure)}. {figure.caption}"
    if figure.png:
        image = QImage.fromData(figure.png, "PNG")
        w_in, h_in = figure.size_inches
        res = device.resolution()
        out.append(ImageBlock(image, w_in * res, h_in * res, width, before=10 * pt, after=3 * pt))
    else:
        out.append(TextBlock(device, width, f"<i>[{esc(caption)}: not rendered]</i>", fonts("body"),
                             before=10 * pt, keep=True))
    out.append(TextBlock(device, width, f"<b>{esc(memo.marking.portion(caption))}</b>",
                         fonts("caption"), after=1 * pt, keep=True))
    out.append(TextBlock(device, width, f"<i>{esc(figure.source)}</i>", fonts("source"),
                         after=8 * pt))


def _table(out: list, memo: Memo, table: MemoTable, device, width, fonts: _Fonts, pt) -> None:
    caption = f"{memo.heading('table')} {memo.table_number(table)}. {table.caption}"
    out.append(TextBlock(device, width, f"<b>{esc(memo.marking.portion(caption))}</b>",
                         fonts("caption"), before=10 * pt, after=3 * pt, keep=True))
    fill = memo.style.get("colors", {}).get("table_header", "#D9D9D9")
    out.append(TableBlock(device, width, table.columns, table.rows, table.align, table.widths,
                          fonts("table"), fill, after=2 * pt, keep=True))
    if table.note:
        out.append(TextBlock(device, width, f"<i>{esc(table.note)}</i>", fonts("source"),
                             after=0, keep=True))
    out.append(TextBlock(device, width, f"<i>{esc(table.source)}</i>", fonts("source"),
                         after=8 * pt))


def _xmp(memo: Memo) -> bytes:
    """XMP metadata: title, author and the marking as keywords and description."""
    def x(s):
        return esc(s)
    return f"""<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{x(memo.header.subject)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{x(memo.header.from_)}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Classification marking: {x(memo.banner)}</rdf:li></rdf:Alt></dc:description>
<pdf:Keywords>{x(memo.banner)}</pdf:Keywords>
<xmp:CreatorTool>Mineral Exposure Workbench</xmp:CreatorTool>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end='w'?>""".encode("utf-8")


__all__ = ["RESOLUTION", "render_pdf", "write_memo_pdf"]
