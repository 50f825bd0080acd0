"""The memo as a Word document (python-docx), laid out per MEMO.md and the memo template.

US Letter, 1-inch margins, the template's serif font; the classification banner in every
section's header and footer (first-page ones too), page numbers, the CUI designation
indicator block on page one, alt text on every picture, tables whose rows never split and
stay on one page with their caption, and the marking in the file properties. Figures come
as PNG bytes on the memo (the GUI renders them from the screen's chart code); a figure
without an image is listed as not rendered rather than dropped silently.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from .bundle import ExportBundle
from .memo import Memo, MemoFigure, MemoTable, build_memo

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]


def write_memo_docx(bundle: ExportBundle | None, path: str | Path, *, memo: Memo | None = None,
                    progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> Path:
    """Write `memo` (default: drafted from `bundle`) to `path` as .docx; no dialogs."""
    if memo is None:
        if bundle is None:
            raise ValueError("write_memo_docx needs a bundle or a memo")
        memo = build_memo(bundle)
    if progress:
        progress(0.1, "Laying out the Word memo")
    document = render_docx(memo, cancel=cancel)
    if progress:
        progress(0.9, "Saving the Word memo")
    document.save(str(path))
    if progress:
        progress(1.0, "Word memo written")
    return Path(path)


def render_docx(memo: Memo, cancel: CancelFn | None = None):
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.shared import Inches
    from . import memo_docx_parts as parts

    doc = Document()
    parts.setup_styles(doc, memo.style)
    section = doc.sections[0]
    margin = Inches(float(memo.style.get("page", {}).get("margin_in", 1.0)))
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin
    section.header_distance = section.footer_distance = Inches(0.45)
    section.start_type = WD_SECTION.NEW_PAGE
    parts.banners(doc, memo)
    _header_block(doc, memo, parts)
    _findings(doc, memo, parts)
    for kind, item in memo.body():
        _check(cancel)
        (_figure if kind == "figure" else _table)(doc, memo, item, parts)
    _closing(doc, memo, parts)
    parts.properties(doc, memo)
    return doc


def _check(cancel: CancelFn | None) -> None:
    if cancel and cancel():
        from ..errors import OperationCancelled
        raise OperationCancelled("memo export cancelled")


def _header_block(doc, memo: Memo, parts) -> None:
    h = memo.header
    parts.paragraph(doc, [(h.kind, {"bold": True})], style="Memo Kind")
    parts.paragraph(doc, [(h.date, {})], align="right", after=10)
    for label, text in (("FOR:", h.for_), ("FROM:", h.from_),
                        ("SUBJECT:", memo.marking.portion(h.subject))):
        parts.labelled(doc, label, text)
    if h.cc:
        parts.labelled(doc, memo.heading("cc") + ":", "; ".join(h.cc))
    parts.rule(doc)


def _findings(doc, memo: Memo, parts) -> None:
    parts.labelled(doc, memo.heading("bluf") + ":", memo.marking.portion(memo.bluf), hanging=False,
                   after=8)
    parts.heading(doc, memo.heading("findings"))
    notes, numbers = memo.notes()
    for i, (finding, marks) in enumerate(zip(memo.findings, numbers), 1):
        runs = [(f"{i}.\t", {}), (memo.marking.portion(finding.text), {})]
        if marks:
            runs.append((",".join(str(n) for n in marks), {"superscript": True}))
        parts.paragraph(doc, runs, indent=0.3, hanging=0.3, after=5)
    if notes:
        parts.paragraph(doc, [(memo.heading("notes"), {"bold": True})], style="Memo Note",
                        keep_with_next=True, before=2)
        for n, text in enumerate(notes, 1):
            parts.paragraph(doc, [(str(n), {"superscript": True}), (" " + text, {})],
                            style="Memo Note", after=1)
    if memo.is_action:
        parts.labelled(doc, memo.heading("recommendation") + ":",
                       memo.marking.portion(memo.recommendation or "[recommendation]"),
                       hanging=False, before=8)
        parts.paragraph(doc, [(memo.style.get("defaults", {}).get("approval_line", ""), {})], before=6)


def _figure(doc, memo: Memo, figure: MemoFigure, parts) -> None:
    from docx.shared import Inches

    number = memo.figure_number(figure)
    caption = f"{memo.heading('figure')} {number}. {figure.caption}"
    if figure.png:
        p = parts.paragraph(doc, [], align="center", keep_with_next=True, before=10, after=2)
        width = min(figure.size_inches[0], 6.5)
        shape = p.add_run().add_picture(io.BytesIO(figure.png), width=Inches(width))
        parts.alt_text(shape, figure.alt_text, caption)
    else:
        parts.paragraph(doc, [(f"[{caption}: not rendered — export from the workbench to draw it]",
                               {"italic": True})], keep_with_next=True, before=10)
    parts.paragraph(doc, [(memo.marking.portion(caption), {})], style="Memo Caption",
                    keep_with_next=True)
    parts.paragraph(doc, [(figure.source, {})], style="Memo Source", after=8)


def _table(doc, memo: Memo, table: MemoTable, parts) -> None:
    number = memo.table_number(table)
    caption = f"{memo.heading('table')} {number}. {table.caption}"
    parts.paragraph(doc, [(memo.marking.portion(caption), {})], style="Memo Caption",
                    keep_with_next=True, before=10)
    parts.grid(doc, table, memo.style)
    if table.note:
        parts.paragraph(doc, [(table.note, {})], style="Memo Source", keep_with_next=True, before=2,
                        after=0)
    parts.paragraph(doc, [(table.source, {})], style="Memo Source", after=8)


def _closing(doc, memo: Memo, parts) -> None:
    parts.heading(doc, memo.heading("assumptions"))
    for text in memo.assumptions:
        parts.paragraph(doc, [(memo.marking.portion(text), {})], style="List Bullet", after=2)
    parts.heading(doc, memo.heading("methods"))
    for item in memo.methods:
        parts.paragraph(doc, [(memo.marking.portion(item["title"] + ". "), {"bold": True}),
                              (item["text"], {})], after=4)
    parts.heading(doc, memo.heading("sources"))
    for text in memo.sources:
        parts.paragraph(doc, [(memo.marking.portion(text), {})], style="List Bullet", after=2)
    parts.rule(doc)
    parts.labelled(doc, memo.heading("coordination") + ":", memo.coordination, before=6)
    parts.labelled(doc, memo.heading("attachment") + ":", memo.attachment)
    parts.labelled(doc, memo.heading("prepared_by") + ":", memo.prepared_by)
