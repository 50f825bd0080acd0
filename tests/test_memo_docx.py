"""The Word memo, re-opened with python-docx: banner in every header and footer, Letter
pages with 1-inch margins, the findings and table cells equal to the core's numbers,
pictures with alt text, tables that cannot split, the marking in the file properties;
LibreOffice opens it (when installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

docx = pytest.importorskip("docx")
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Inches  # noqa: E402

from mineral_workbench.core.export.bundle import pct_text  # noqa: E402
from mineral_workbench.core.export.findings import usd_text  # noqa: E402
from mineral_workbench.core.export.memo import Marking, build_memo  # noqa: E402
from mineral_workbench.core.export.memo_docx import write_memo_docx  # noqa: E402

from memo_fixtures import PRESET, bundle, flat  # noqa: E402


@pytest.fixture(scope="module")
def written(qapp, tmp_path_factory):
    """Baseline and scenario (CUI, portion marks) memos with figures drawn by the chart code."""
    from mineral_workbench.gui.memo_figures import render_figures
    folder = tmp_path_factory.mktemp("memo_docx")
    out = {}
    for name, scenario in (("baseline", None), ("scenario", PRESET)):
        b = bundle(scenario)
        memo = build_memo(b)
        if scenario:
            memo.marking = Marking(cui=True, controlled_by_agency="Department of Commerce",
                                   controlled_by_office="BIS", cui_category="PROPIN",
                                   dissemination="FEDCON", poc="J. Analyst, 202-555-0100",
                                   portion_marks=True)
        render_figures(memo, b)
        path = write_memo_docx(b, folder / f"{name}.docx", memo=memo)
        out[name] = (b, memo, path, docx.Document(str(path)))
    return out


def body_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["baseline", "scenario"])
def test_banner_in_every_sections_header_and_footer(written, name):
    _b, memo, _path, document = written[name]
    for section in document.sections:
        parts = [section.header, section.footer]
        if section.different_first_page_header_footer:
            parts += [section.first_page_header, section.first_page_footer]
        for part in parts:
            texts = [p.text for p in part.paragraphs]
            assert memo.banner in texts, texts
        footer_xml = section.footer._element.xml
        assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert document.paragraphs[0].text == memo.header.kind


def test_letter_pages_with_one_inch_margins_and_template_font(written):
    _b, memo, _p, document = written["baseline"]
    section = document.sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    assert {section.left_margin, section.right_margin, section.top_margin,
            section.bottom_margin} == {Inches(1)}
    normal = document.styles["Normal"].font
    assert normal.name == memo.style["fonts"]["body"]["family"]
    assert 11 <= normal.size.pt <= 12


def test_findings_and_table_cells_equal_the_core(written):
    b, memo, _p, document = written["baseline"]
    text = flat(body_text(document))
    for finding in memo.findings:
        assert flat(finding.text) in text
    minerals = b.baseline.minerals
    for finding in (f for f in memo.findings if f.kind == "mineral"):
        row = minerals.loc[finding.mineral]
        assert pct_text(row["car"]) in finding.text and usd_text(row["import_value_usd"]) in finding.text
    table = document.tables[0]
    top = b.top_minerals(10, "baseline")
    assert len(table.rows) == 11
    for mineral, row in zip(top.index, table.rows[1:]):
        cells = [c.text for c in row.cells]
        assert cells[0].lower() == mineral
        assert cells[1] == usd_text(top.at[mineral, "import_value_usd"])
        assert cells[3] == pct_text(top.at[mineral, "group_share"])
        assert cells[5] == pct_text(top.at[mineral, "car"])


@pytest.mark.parametrize("name", ["baseline", "scenario"])
def test_every_figure_is_a_picture_with_alt_text(written, name):
    _b, memo, _p, document = written[name]
    shapes = document.inline_shapes
    assert len(shapes) == len(memo.figures)
    descriptions = [s._inline.docPr.get("descr") for s in shapes]
    ordered = [item for kind, item in memo.body() if kind == "figure"]
    assert descriptions == [f.alt_text for f in ordered] and all(descriptions)
    for shape, figure in zip(shapes, ordered):
        assert abs(shape.width.inches - min(6.5, figure.size_inches[0])) < 0.01
    text = body_text(document)
    for n, figure in enumerate(ordered, 1):
        assert f"Figure {n}. " in text and figure.source in text


@pytest.mark.parametrize("name", ["baseline", "scenario"])
def test_tables_never_split(written, name):
    _b, memo, _p, document = written[name]
    assert len(document.tables) == len(memo.tables)
    for table in document.tables:
        rows = table.rows
        for i, row in enumerate(rows):
            trpr = row._tr.trPr
            assert trpr is not None and trpr.find(qn("w:cantSplit")) is not None
            assert (trpr.find(qn("w:tblHeader")) is not None) == (i == 0)
            keep = {bool(p.paragraph_format.keep_with_next) for c in row.cells for p in c.paragraphs}
            assert keep == {i < len(rows) - 1}


def test_marking_in_file_properties(written):
    for name in ("baseline", "scenario"):
        _b, memo, _p, document = written[name]
        props = document.core_properties
        assert props.category == memo.banner and memo.banner in props.keywords
        assert memo.banner in props.comments and props.title == memo.header.subject


def test_cui_designation_block_and_portion_marks(written):
    b, memo, _p, document = written["scenario"]
    section = document.sections[0]
    assert section.different_first_page_header_footer
    first_footer = "\n".join(p.text for p in section.first_page_footer.paragraphs)
    for line in ("Controlled by: Department of Commerce", "Controlled by: BIS", "CUI Category: PROPIN",
                 "Distribution/Dissemination Control: FEDCON", "POC: J. Analyst, 202-555-0100"):
        assert line in first_footer
    findings = [p.text for p in document.paragraphs if p.text[:3].rstrip(".").isdigit()]
    assert findings and all("\t(CUI) " in t for t in findings)
    assert any(p.text.startswith("(CUI) Table 1.") for p in document.paragraphs)
    text = body_text(document)
    for edit in b.scenario.scenario.edits:
        assert edit.describe() in text


def test_a_memo_without_drawn_figures_says_so(tmp_path):
    b = bundle()
    path = write_memo_docx(b, tmp_path / "plain.docx")
    document = docx.Document(str(path))
    assert len(document.inline_shapes) == 0
    assert "Figure 1. " in body_text(document) and "not rendered" in body_text(document)


def _writer_installed() -> bool:
    soffice = shutil.which("soffice")
    if not soffice:
        return False
    program = Path(soffice).resolve().parent
    return any((program / n).exists() for n in ("swriter", "swriter.exe", "libswlo.so"))


@pytest.mark.skipif(not _writer_installed(), reason="LibreOffice Writer (soffice) not installed")
def test_libreoffice_opens_the_memo_and_shows_the_banner_on_every_page(written, tmp_path):
    _b, memo, path, _doc = written["scenario"]
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / (path.stem + ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                               capture_output=True, text=True).stdout.split("\f")
        pages = [p for p in pages if p.strip()]
        assert len(pages) >= 4
        for n, page in enumerate(pages, 1):
            assert page.count(memo.banner) >= 2, n
            assert f"Page {n} of {len(pages)}" in page
