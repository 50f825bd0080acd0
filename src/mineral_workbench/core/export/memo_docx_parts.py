"""Building blocks of the Word memo: styles from the template, banners with page numbers,
paragraphs, unsplittable tables, alt text and file properties (python-docx + raw OOXML
where python-docx has no API: fields, cantSplit, table header rows, docPr descr)."""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from .memo import Memo, MemoTable

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
         "center": WD_ALIGN_PARAGRAPH.CENTER, "l": WD_ALIGN_PARAGRAPH.LEFT,
         "r": WD_ALIGN_PARAGRAPH.RIGHT, "c": WD_ALIGN_PARAGRAPH.CENTER}
TEXT_WIDTH_IN = 6.5
LABEL_TAB_IN = 1.1


def _font(style: dict, key: str) -> dict:
    fonts = style.get("fonts", {})
    return {**fonts.get("body", {}), **fonts.get(key, {})}


def set_font(target, family: str) -> None:
    """Set every script's font and drop theme fonts (which would override the family)."""
    rpr = target.get_or_add_rPr() if hasattr(target, "get_or_add_rPr") else target
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{attr}"), family)
    for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)


def _apply(style_obj, spec: dict) -> None:
    font = style_obj.font
    font.size = Pt(float(spec.get("size_pt", 12)))
    font.bold = bool(spec.get("bold", False))
    font.italic = bool(spec.get("italic", False))
    font.color.rgb = RGBColor(0, 0, 0)
    set_font(style_obj.element.get_or_add_rPr(), spec.get("family", "Times New Roman"))


def setup_styles(doc, style: dict) -> None:
    """Normal, headings, list and memo styles in the template's fonts (no theme fonts, no blue)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for fonts in defaults.iter(qn("w:rFonts")):
            set_font_attrs = _font(style, "body").get("family", "Times New Roman")
            for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
                fonts.set(qn(f"w:{attr}"), set_font_attrs)
            for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
                fonts.attrib.pop(qn(f"w:{attr}"), None)
    normal = doc.styles["Normal"]
    _apply(normal, _font(style, "body"))
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.0
    for name in ("Heading 1", "List Bullet", "Header", "Footer"):
        if name in [s.name for s in doc.styles]:
            _apply(doc.styles[name], _font(style, "heading" if name == "Heading 1" else "body"))
    h1 = doc.styles["Heading 1"].paragraph_format
    h1.space_before, h1.space_after, h1.keep_with_next = Pt(12), Pt(4), True
    for name, key in (("Memo Kind", "kind"), ("Memo Caption", "caption"), ("Memo Source", "source"),
                      ("Memo Note", "note"), ("Memo Table", "table"), ("Memo Banner", "banner"),
                      ("Memo Designation", "designation"), ("Memo Page", "page_number")):
        new = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        new.base_style = normal
        _apply(new, _font(style, key))
        new.paragraph_format.space_after = Pt(2)


def paragraph(container, runs, *, style: str | None = None, align: str | None = None,
              keep_with_next: bool = False, before: float | None = None, after: float | None = None,
              indent: float | None = None, hanging: float | None = None):
    """A paragraph of (text, {bold, italic, superscript, size}) runs."""
    p = container.add_paragraph(style=style)
    for text, fmt in runs:
        run = p.add_run(text)
        run.bold = fmt.get("bold")
        run.italic = fmt.get("italic")
        if fmt.get("superscript"):
            run.font.superscript = True
        if fmt.get("size"):
            run.font.size = Pt(fmt["size"])
    pf = p.paragraph_format
    if align:
        p.alignment = ALIGN[align]
    if keep_with_next:
        pf.keep_with_next = True
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if indent is not None:
        pf.left_indent = Inches(indent)
    if hanging is not None:
        pf.first_line_indent = Inches(-hanging)
        pf.tab_stops.add_tab_stop(Inches(indent or hanging))
    return p


def labelled(doc, label: str, text: str, *, hanging: bool = True, before: float | None = None,
             after: float = 4):
    """'FOR:<tab>text' with the text hanging at the tab (header block), or 'LABEL: text'."""
    if hanging:
        return paragraph(doc, [(label + "\t", {"bold": True}), (text, {})], indent=LABEL_TAB_IN,
                         hanging=LABEL_TAB_IN, before=before, after=after)
    return paragraph(doc, [(label + " ", {"bold": True}), (text, {})], before=before, after=after)


def heading(doc, text: str):
    return doc.add_paragraph(text, style="Heading 1")


def rule(doc) -> None:
    """A thin horizontal line (paragraph bottom border)."""
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(6)
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    # schema order: pBdr comes before shd, tabs, spacing, ind, jc ... (Word is strict)
    ppr.insert_element_before(border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
                              "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
                              "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                              "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                              "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
                              "w:rPr", "w:sectPr", "w:pPrChange")


def _field(paragraph_obj, instruction: str, placeholder: str = "1") -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice update when they lay out pages."""
    run = paragraph_obj.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, placeholder),
                       ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)


def _banner(container, memo: Memo) -> None:
    p = container.add_paragraph(memo.banner, style="Memo Banner")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)


def _page_number(container) -> None:
    p = container.add_paragraph(style="Memo Page")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(2)
    p.add_run("Page ")
    _field(p, "PAGE")
    p.add_run(" of ")
    _field(p, "NUMPAGES")


def _reset(part) -> None:
    """Empty a header/footer (python-docx gives it one empty paragraph)."""
    part.is_linked_to_previous = False
    for p in list(part.paragraphs):
        p._p.getparent().remove(p._p)


def banners(doc, memo: Memo) -> None:
    """Banner atop every page and at the foot under the page number; CUI block on page one."""
    block = memo.marking.designation_block()
    for section in doc.sections:
        section.different_first_page_header_footer = bool(block)
        heads = [section.header] + ([section.first_page_header] if block else [])
        for head in heads:
            _reset(head)
            _banner(head, memo)
        _reset(section.footer)
        _page_number(section.footer)
        _banner(section.footer, memo)
        if block:
            foot = section.first_page_footer
            _reset(foot)
            for label, value in block:
                p = foot.add_paragraph(style="Memo Designation")
                p.add_run(f"{label}: ").bold = True
                p.add_run(value)
                p.paragraph_format.space_after = Pt(0)
            _page_number(foot)
            _banner(foot, memo)


def alt_text(shape, description: str, title: str) -> None:
    """Alt text of an inline picture: the docPr descr (what screen readers read) and title."""
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", description)
    doc_pr.set("title", title)


def _row_flags(row, header: bool) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:cantSplit")
    trpr.append(flag)
    if header:
        head = OxmlElement("w:tblHeader")
        trpr.append(head)


def _shade(cell, color: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color.lstrip("#"))
    tcpr.append(shd)


def grid(doc, table: MemoTable, style: dict):
    """The table: header row repeated, rows never split, every row kept with the next so the
    table moves to the next page whole (Word's way of "do not split this table")."""
    size = float(_font(style, "table").get("size_pt", 10))
    widths = [Inches(w) for w in fit_widths(table, size)]
    t = doc.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    header_fill = style.get("colors", {}).get("table_header", "#D9D9D9")
    last = len(table.rows)
    for r, cells in enumerate([table.columns, *table.rows]):
        row = t.rows[r]
        _row_flags(row, header=r == 0)
        for c, text in enumerate(cells):
            cell = row.cells[c]
            cell.width = widths[c]
            p = cell.paragraphs[0]
            p.style = doc.styles["Memo Table"]
            p.alignment = ALIGN["c" if r == 0 else table.align[c]]
            run = p.add_run(str(text))
            run.bold = r == 0
            p.paragraph_format.space_after = Pt(1)
            p.paragraph_format.keep_with_next = r < last
            if r == 0:
                _shade(cell, header_fill)
    for c, width in enumerate(widths):
        t.columns[c].width = width
    return t


def fit_widths(table: MemoTable, size_pt: float) -> list[float]:
    """Column widths (inches) in proportion to the table's weights, widened where the longest
    word would not fit (Word and LibreOffice would break it mid-word), paid for by the others.
    Word widths are estimated at 0.5 em a character (0.56 em in the bold header)."""
    total = sum(table.widths) or 1.0
    cols = [TEXT_WIDTH_IN * w / total for w in table.widths]
    need = []
    for c in range(len(cols)):
        header = max((len(w) for w in str(table.columns[c]).split()), default=0) * 0.56
        body = max((len(w) for row in table.rows for w in str(row[c]).split()), default=0) * 0.5
        need.append(max(header, body) * size_pt / 72 + 0.16)
    short = sum(max(0.0, n - w) for n, w in zip(need, cols))
    slack = sum(max(0.0, w - n) for n, w in zip(need, cols))
    if short <= 0 or slack <= 0:
        return cols
    take = min(1.0, short / slack)
    return [n if w < n else w - (w - n) * take for n, w in zip(need, cols)]


def properties(doc, memo: Memo) -> None:
    """File properties carry the marking, so it shows before the file is opened."""
    props = doc.core_properties
    props.title = memo.header.subject[:250]
    props.subject = f"{memo.header.kind.title()} ({memo.banner})"
    props.author = memo.header.from_[:250]
    props.category = memo.banner
    props.keywords = f"{memo.banner}; critical minerals; import exposure"
    props.content_status = memo.banner
    props.comments = (f"Classification marking: {memo.banner} (chosen by the analyst). "
                      "Drafted by the Mineral Exposure Workbench.")
    props.last_modified_by = "Mineral Exposure Workbench"
