"""The PDF memo from Qt's own writer: a PDF, US Letter, a sensible page count, the banner
at the top and bottom of every page, the findings in the text, figures at print
resolution, and a scenario memo that differs from the baseline's where the scenario acts."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from mineral_workbench.core.export.memo import Marking, build_memo
from mineral_workbench.gui.memo_figures import render_figures
from mineral_workbench.gui.memo_pdf import render_pdf, write_memo_pdf

from memo_fixtures import PRESET, bundle, flat

HAS_PDFTOTEXT = shutil.which("pdftotext") is not None


@pytest.fixture(scope="module")
def written(qapp, tmp_path_factory):
    folder = tmp_path_factory.mktemp("memo_pdf")
    out = {}
    for name, scenario, marking in (("baseline", None, None), ("scenario", PRESET, None),
                                    ("cui", PRESET, Marking(cui=True, cui_category="PROPIN",
                                                            controlled_by_agency="DOC",
                                                            portion_marks=True))):
        b = bundle(scenario)
        memo = build_memo(b, marking=marking)
        render_figures(memo, b)
        out[name] = (b, memo, write_memo_pdf(b, folder / f"{name}.pdf", memo=memo))
    return out


def pages_of(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [p for p in text.split("\f") if p.strip()]


@pytest.mark.parametrize("name", ["baseline", "scenario", "cui"])
def test_a_us_letter_pdf_with_a_sensible_page_count(written, name):
    _b, memo, path = written[name]
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox \[([\d. ]+)\]", data)
    pages = len(re.findall(rb"/Type /Page\b", data))
    assert len(boxes) == pages
    assert {tuple(round(float(v)) for v in box.split()) for box in boxes} == {(0, 0, 612, 792)}
    assert 4 <= pages <= 14
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
        assert f"({memo.banner})" in info and "letter" in info


@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize("name", ["baseline", "scenario", "cui"])
def test_banner_top_and_bottom_and_page_number_on_every_page(written, name):
    _b, memo, path = written[name]
    pages = pages_of(path)
    for n, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0] == memo.banner and lines[-1] == memo.banner, n
        assert lines[-2] == f"Page {n} of {len(pages)}"


@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) not installed")
def test_text_holds_header_findings_tables_and_sources(written):
    b, memo, path = written["baseline"]
    text = flat("\n".join(pages_of(path)))
    assert "INFORMATION MEMO" in text and "January 20, 2026" in text
    for finding in memo.findings:
        assert flat(finding.text) in text
    top = b.top_minerals(10, "baseline")
    for line in memo.tables[0].rows:
        assert flat(" ".join(line)) in text
    assert len(top) == len(memo.tables[0].rows)
    assert b.loaded.reports[0].sha256 in text
    assert "accessed 2025-03-14" in text
    for n in range(1, len(memo.figures) + 1):
        assert f"Figure {n}. " in text


@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) not installed")
def test_scenario_pdf_differs_from_the_baseline_where_the_scenario_acts(written):
    (_bb, bm, bpath), (sb, sm, spath) = written["baseline"][:3], written["scenario"][:3]
    base = flat("\n".join(pages_of(bpath)))
    scen = flat("\n".join(pages_of(spath)))
    for finding in bm.findings:                       # the baseline's findings are in both
        assert flat(finding.text) in scen
    extra = [f for f in sm.findings if f.kind == "scenario"]
    assert extra and all(flat(f.text) in scen and flat(f.text) not in base for f in extra)
    changed = set(sb.scenario.deltas["minerals"].index[sb.scenario.deltas["minerals"]["changed"]])
    assert {f.mineral for f in extra if f.mineral} == changed
    for line in bm.tables[0].rows:                    # ten most exposed (baseline) unchanged
        assert flat(" ".join(line)) in scen
    assert "under the scenario" not in base and "Scenario assumptions" in scen
    for edit in sb.scenario.scenario.edits:
        assert edit.describe() in scen and edit.describe() not in base


@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) not installed")
def test_cui_designation_block_on_page_one_only_and_portion_marks(written):
    _b, memo, path = written["cui"]
    pages = pages_of(path)
    assert "CUI Category: PROPIN" in pages[0] and "Controlled by: DOC" in pages[0]
    assert all("CUI Category" not in p for p in pages[1:])
    assert "(CUI) Table 1." in flat("\n".join(pages))
    assert flat("(CUI) " + memo.findings[0].text) in flat(pages[0])


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="pdfimages (poppler-utils) not installed")
def test_figures_are_embedded_at_print_resolution_without_jpeg(written):
    _b, memo, path = written["baseline"]
    listing = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True,
                             text=True).stdout.splitlines()[2:]
    rows = [line.split() for line in listing if line.strip()]
    assert len(rows) == len(memo.figures)
    for row in rows:
        assert int(row[12]) >= 200 and int(row[13]) >= 200      # x-ppi, y-ppi
        assert row[8] != "jpeg"


def test_a_long_table_splits_between_rows_with_its_header_repeated(qapp, tmp_path):
    from mineral_workbench.core.export.memo import MemoTable
    memo = build_memo(bundle())
    memo.figures = []
    rows = [[f"Row {i}", f"{i}%"] for i in range(120)]
    memo.tables = [MemoTable("long", "A long table", "Source: test.", ["Name", "Share"], rows,
                             ["l", "r"], [3, 1], [r[0] for r in rows])]
    memo.order = ["table:long"]
    path = render_pdf(memo, tmp_path / "long.pdf")
    if HAS_PDFTOTEXT:
        pages = pages_of(path)
        with_rows = [p for p in pages if "Row " in p]
        assert len(with_rows) >= 2
        assert all(re.search(r"Name\s+Share", p) for p in with_rows)
        found = [int(n) for p in with_rows for n in re.findall(r"Row (\d+)", p)]
        assert found == list(range(120))


def test_figures_come_from_the_chart_code_at_print_size(qapp):
    from PySide6.QtGui import QImage
    b = bundle(PRESET)
    memo = build_memo(b)
    render_figures(memo, b)
    for figure in memo.figures:
        image = QImage.fromData(figure.png, "PNG")
        w_in, h_in = figure.size_inches
        assert (image.width(), image.height()) == (round(w_in * figure.dpi), round(h_in * figure.dpi))
        assert round(image.dotsPerMeterX() * 0.0254) == figure.dpi >= 200
        assert image.pixelColor(2, 2).name() == "#ffffff"      # print palette, any desktop theme


def test_sector_compare_chart_plots_the_core_numbers(qtbot):
    from mineral_workbench.gui.charts.sector_compare import SectorCompareChart
    b = bundle(PRESET)
    chart = SectorCompareChart()
    qtbot.addWidget(chart)
    chart.set_baseline(b.baseline, b.scenario.scenario.name)
    chart.set_data(b.scenario.result, b.loaded)
    data = chart.chart_data()
    base = b.baseline.sectors.set_index("sector")
    what = b.scenario.result.sectors.set_index("sector")
    assert sorted(data["labels"]) == sorted(base.index)
    for label, old, new in zip(data["labels"], data["baseline"], data["scenario"]):
        assert old == pytest.approx(base.at[label, "weakest_link"] * 100)
        assert new == pytest.approx(what.at[label, "weakest_link"] * 100)
    assert data["baseline"] == sorted(data["baseline"], reverse=True)
    image = chart.render_image(1560, 1170, 240)
    assert (image.width(), image.height()) == (1560, 1170)
    lonely = SectorCompareChart()
    qtbot.addWidget(lonely)
    lonely.set_data(b.scenario.result, b.loaded)
    assert "No baseline" in lonely.message


def test_pdf_writes_in_a_worker_thread_once_figures_are_drawn(qapp, tmp_path):
    import threading
    b = bundle()
    memo = build_memo(b)
    render_figures(memo, b)                       # GUI thread: charts are widgets
    done = {}

    def work():
        try:
            done["path"] = write_memo_pdf(b, tmp_path / "worker.pdf", memo=memo)
        except Exception as exc:  # noqa: BLE001 - reported below
            done["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(120)
    assert "error" not in done, done.get("error")
    assert done["path"].read_bytes().startswith(b"%PDF")
    memo.figures[0].png = None
    worker = threading.Thread(target=work)
    worker.start()
    worker.join(120)
    assert isinstance(done.get("error"), RuntimeError) and "GUI thread" in str(done["error"])
