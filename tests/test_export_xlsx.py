"""The analysis workbook: values equal the core's, live formulas recalculate to the core's
numbers (LibreOffice headless), injected text stays inert, codes are text, the marking is in
every header and footer, and a scenario export differs from the baseline's exactly where the
scenario changed something."""

from __future__ import annotations

import math
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from mineral_workbench.core.analysis import AnalysisOptions, load_sources
from mineral_workbench.core.errors import OperationCancelled
from mineral_workbench.core.export import (
    ExportError, export, export_xlsx, exporter_for, make_bundle)
from mineral_workbench.core.export.bundle import pct_text
from mineral_workbench.core.export.findings import draft_findings
from mineral_workbench.core.export.safe_text import (
    clean_text, csv_safe, csv_safe_frame, inert_cell, is_risky, risky_mask)
from mineral_workbench.core.export.xlsx_metrics import MINERAL_KEYS
from mineral_workbench.core.export.xlsx_workbook import SHEETS
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.whatif import load_presets
from text_fixtures import COBALT, GRAPHITE, census_rows, write_text

CREATED = datetime(2026, 1, 20, 9, 30)
BAN = "cn_ga_ge_sb_us_ban_2024"
TARIFF = "s232_pcmdp_tariff_25"
pytestmark = pytest.mark.filterwarnings(          # openpyxl reading LibreOffice's own extensions
    "ignore:(Unknown|Conditional Formatting) extension is not supported:UserWarning")
INJECTIONS = ['=HYPERLINK("http://x.example","click")', "+1", "-2+3", "@SUM(1,2)", "#N/A"]
FIRST = 3                                  # banner row 1, header row 2


def preset(preset_id):
    return next(p for p in load_presets() if p.preset_id == preset_id)


@pytest.fixture(scope="module")
def loaded():
    return load_sources([sample_workbook()])


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("xlsx")


@pytest.fixture(scope="module")
def base(loaded, out_dir):
    bundle = make_bundle(loaded, AnalysisOptions(), created=CREATED)
    path = export_xlsx(bundle, out_dir / "baseline.xlsx")
    return bundle, path, load_workbook(path)


@pytest.fixture(scope="module")
def ban(loaded, out_dir):
    bundle = make_bundle(loaded, AnalysisOptions(), preset(BAN), created=CREATED)
    path = export_xlsx(bundle, out_dir / "ban.xlsx")
    return bundle, path, load_workbook(path)


def rows_of(ws, first=FIRST):
    return [r for r in ws.iter_rows(min_row=first) if r[0].value is not None]


def header_index(ws, row=2) -> dict[str, int]:
    return {c.value: c.column - 1 for c in ws[row] if c.value}


def same(a, b, rel=1e-6) -> bool:
    """Equal as the workbook can hold it: text exactly ('' reads back as an empty cell),
    numbers to `rel` (openpyxl writes 16 significant digits; Excel keeps 15)."""
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return a in ("n/a", None)
    if b == "":
        return a in ("", None)
    if isinstance(b, str) or isinstance(a, str):
        return a == b
    return abs(a - b) <= rel * max(1.0, abs(b))


# --- structure -----------------------------------------------------------------------------
def test_sheet_set_is_complete(base):
    _, _, wb = base
    assert wb.sheetnames == list(SHEETS)


def test_marking_in_banner_header_footer_and_properties(loaded, out_dir):
    marking = "CUI//SP-PROPIN & FEDCON"
    path = export_xlsx(make_bundle(loaded, marking=marking, include_data=False, created=CREATED),
                       out_dir / "cui.xlsx")
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert ws["A1"].value == marking, ws.title
        assert ws.oddHeader.center.text == marking.replace("&", "&&"), ws.title
        assert ws.oddFooter.center.text == marking.replace("&", "&&"), ws.title
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (1, "1")
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert marking in wb.properties.keywords and marking in wb.properties.title
    assert wb.custom_doc_props["Classification"].value == marking


def test_frozen_headers_tables_and_colour_scales(base):
    _, _, wb = base
    ws = wb["Minerals"]
    assert ws.freeze_panes == "B3"
    table = ws.tables["tblMinerals"]
    assert table.ref.startswith("A2:")
    assert [c.name for c in table.tableColumns] == [c.value for c in ws[2]]   # no repair prompt
    scaled = {str(rng.sqref) for rng in ws.conditional_formatting}
    for key in ("hhi", "group_share", "car"):
        letter = ws.cell(row=2, column=MINERAL_KEYS.index(key) + 1).column_letter
        assert any(s.startswith(f"{letter}3:") for s in scaled), key
    assert wb["Sector matrix"].conditional_formatting
    assert ws.column_dimensions["A"].width >= 12


def test_charts_have_titles_and_axis_titles(base):
    _, _, wb = base
    charts = wb["Summary"]._charts
    assert len(charts) == 2
    for chart in charts:
        assert chart.title is not None
        assert chart.x_axis.title is not None and chart.y_axis.title is not None


# --- values equal the core's ---------------------------------------------------------------
def test_minerals_values_and_formulas(base):
    bundle, _, wb = base
    ws = wb["Minerals"]
    frame = bundle.minerals()
    rows = rows_of(ws)
    assert [r[0].value for r in rows] == list(frame.index)
    col = {k: i for i, k in enumerate(MINERAL_KEYS)}
    for r in rows:
        m = frame.loc[r[0].value]
        for key in ("nir_pct", "nir_qualifier", "top_supplier", "top_supplier_code", "world_hhi",
                    "group_world_share", "derivative_import_value_usd", "consumption_lost"):
            assert same(r[col[key]].value, m[key]), (r[0].value, key)
        for key in ("import_value_usd", "hhi", "top_supplier_share", "group_share", "car"):
            assert same(r[col[f"{key}@core"]].value, m[key]), (r[0].value, key)
            assert r[col[key]].data_type == "f", key
        assert "SUMPRODUCT((Suppliers_Mineral=" in r[col["hhi"]].value
        assert "MAX((Suppliers_Mineral=" in r[col["top_supplier_share"]].value
        assert "_xlfn" not in r[col["top_supplier_share"]].value   # no function newer than Excel 2010
        assert "Suppliers_InGroup,1" in r[col["group_share"]].value
    assert frame.loc["antimony", "nir_qualifier"] == "="       # '=' stays text, not a formula
    antimony = next(r for r in rows if r[0].value == "antimony")
    assert antimony[col["nir_qualifier"]].data_type == "s"


def test_suppliers_hold_every_partner_with_value_and_live_shares(base):
    bundle, _, wb = base
    view = bundle.supply()
    rows = rows_of(wb["Suppliers"])
    assert len(rows) == int((view.v > 0).sum())            # all partners, not just the top 10
    m_index = {m: i for i, m in enumerate(view.minerals)}
    c_index = {c: j for j, c in enumerate(view.partners)}
    totals = view.v.sum(axis=1)
    for r in rows:
        i, j = m_index[r[0].value], c_index[r[1].value]
        assert same(r[3].value, view.v[i, j], rel=1e-15)
        assert r[4].value == f"=IFERROR(D{r[0].row}/SUMIFS(Suppliers_Value,Suppliers_Mineral,A{r[0].row}),0)"
        assert same(r[7].value, view.v[i, j] / totals[i])
        assert r[5].value == int(view.in_group[j])
    per_mineral = {}
    for r in rows:
        per_mineral[r[0].value] = per_mineral.get(r[0].value, 0.0) + r[3].value
    for mineral, total in per_mineral.items():
        assert same(total, bundle.result.minerals.at[mineral, "import_value_usd"])
    top = bundle.result.suppliers["antimony"][0]
    first = next(r for r in rows if r[0].value == "antimony")
    assert first[1].value == top["partner_code"] and same(first[3].value, top["value_usd"], rel=1e-15)


def test_sectors_and_defense_values(base):
    bundle, _, wb = base
    for title, frame, key in (("Sectors", bundle.result.sectors, "sector"),
                              ("Defense uses", bundle.result.defense, "category")):
        ws = wb[title]
        head = header_index(ws)
        rows = rows_of(ws)
        assert len(rows) == len(frame)
        for r, (_, expected) in zip(rows, frame.iterrows()):
            name_col = head["Sector (NSM-22)"] if key == "sector" else head["Defense-use category"]
            assert r[name_col].value == expected[key]
            assert same(r[head["Weakest link"]].value, expected["weakest_link"])
            assert same(r[head["Importance-weighted mean"]].value, expected["weighted_mean"])
            assert r[head["Driving mineral"]].value == (expected["driving_mineral"] or None)
    assert wb["Sectors"]["A3"].number_format == "@" and wb["Sectors"]["A3"].value == "S01"


def test_summary_facts_top_minerals_and_findings(base):
    bundle, _, wb = base
    ws = wb["Summary"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for expected in ("UNCLASSIFIED", "Baseline (no scenario)", "2020–2024", "foreign_adversaries",
                     "as of 2025", "USGS Mineral Commodity Summaries 2025"):
        assert expected in text
    findings = draft_findings(bundle)
    assert findings and all(f.text in text for f in findings)
    top = bundle.top_minerals(10)
    lead = top.index[0]
    assert lead in findings[0].text and pct_text(top.iloc[0]["car"]) in findings[0].text
    header = next(c.row for c in ws["A"] if c.value == "Mineral")
    listed = [ws.cell(row=header + 1 + k, column=1).value for k in range(len(top))]
    assert listed == list(top.index)
    hhi = ws.cell(row=header + 1, column=6)
    assert hhi.data_type == "f" and "Suppliers_Share^2" in hhi.value


def test_data_sheet_rows_and_provenance(base, loaded):
    bundle, _, wb = base
    ws = wb["Data"]
    head = header_index(ws)
    frame = loaded.frame
    assert ws.max_row - 2 == len(frame)
    for k in (0, 1, len(frame) // 2, len(frame) - 1):
        cells = ws[k + FIRST]
        row = frame.iloc[k]
        assert cells[head["Source file"]].value == row["source_file"]
        assert cells[head["SHA-256 of the source file"]].value == row["source_id"] == bundle.loaded.reports[0].sha256
        assert cells[head["Sheet"]].value == row["sheet"]
        assert cells[head["Row in source"]].value == row["row"]
        hts = cells[head["HTS code"]]
        assert hts.value == row["hts"] and hts.data_type == "s" and hts.number_format == "@"
        assert cells[head["Partner code"]].number_format == "@"
        assert same(cells[head["Value"]].value, row["value"], rel=1e-15)
    used = sum(1 for c in ws.iter_cols(min_col=head["In analysis"] + 1, max_col=head["In analysis"] + 1,
                                       min_row=FIRST, values_only=True) for v in c if v == "yes")
    assert used == len(loaded.imports)


def test_data_splits_across_sheets(loaded, out_dir):
    bundle = make_bundle(loaded, include_charts=False, created=CREATED)
    path = export_xlsx(bundle, out_dir / "split.xlsx", rows_per_sheet=5000)
    wb = load_workbook(path, read_only=True)
    names = [n for n in wb.sheetnames if n.startswith("Data")]
    assert names == ["Data", "Data (2)", "Data (3)"]
    counts = [sum(1 for _ in wb[n].iter_rows(min_row=FIRST)) for n in names]
    assert counts == [5000, 5000, len(loaded.frame) - 10000]
    first_of_second = next(wb["Data (2)"].iter_rows(min_row=FIRST, max_row=FIRST, values_only=True))
    assert first_of_second[3] == loaded.frame.iloc[5000]["row"]


# --- safety --------------------------------------------------------------------------------
def test_injection_like_text_is_inert(tmp_path):
    rows = [(COBALT if k % 2 else GRAPHITE, name, "All Districts", "2024", f"{(k + 1) * 1000:,}")
            for k, name in enumerate(INJECTIONS + ["China"])]
    source = write_text(tmp_path / "+injected.csv", census_rows(rows))
    loaded = load_sources([source])
    loaded.reports[0].query_parameters = {"Note": "=1+1", "Commodity": "@cmd"}
    path = export_xlsx(make_bundle(loaded, created=CREATED), tmp_path / "out.xlsx")
    wb = load_workbook(path)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str):
                    continue
                if cell.data_type == "f":       # only the exporter's own formulas
                    assert "HYPERLINK" not in value and "cmd" not in value and value != "=1+1", value
                    continue
                for bad in INJECTIONS + ["=1+1", "@cmd", "+injected.csv"]:
                    if value.startswith(bad):                   # text, never a formula or error
                        assert cell.data_type == "s", (ws.title, cell.coordinate)
                        assert cell.quotePrefix or bad[0] == "#", (ws.title, cell.coordinate)
                        seen.add(bad)
    assert seen == set(INJECTIONS + ["=1+1", "@cmd", "+injected.csv"])
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>=HYPERLINK" not in xml and "<f>HYPERLINK" not in xml


def test_safe_text_rules():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert is_risky(text) and csv_safe(text) == "'" + text
    for value in ("China", "", "1-2", 5, None, "Korea, South"):
        assert not is_risky(value) and csv_safe(value) == value
    frame = pd.DataFrame({"p": ["=cmd", "ok"], "v": [1.0, 2.0]}, index=["-x", "y"])
    safe = csv_safe_frame(frame)
    assert safe["p"].tolist() == ["'=cmd", "ok"] and safe.index.tolist() == ["'-x", "y"]
    assert safe["v"].tolist() == [1.0, 2.0]
    assert clean_text("a\x00b\x1fc\td") == "a\ufffdb\ufffdc\td"
    assert len(clean_text("x" * 40_000)) == 32_767
    labels = pd.Series(["China", "=1", "China", "#N/A", None], dtype="category")
    assert risky_mask(labels).tolist() == [False, True, False, True, False]
    from openpyxl import Workbook
    ws = Workbook(write_only=True).create_sheet("t")
    cell = inert_cell(ws, '=HYPERLINK("x")')
    assert cell.data_type == "s" and cell.quotePrefix and cell.value == '=HYPERLINK("x")'


def test_make_bundle_defaults(loaded):
    bundle = make_bundle(loaded, marking="  ", include_data=False)
    assert bundle.marking == "UNCLASSIFIED" and bundle.scenario is None
    assert bundle.result is bundle.baseline and bundle.scenario_name == "Baseline (no scenario)"
    assert list(bundle.minerals().columns[-4:]) == ["world_hhi", "group_world_share", "world_basis", "flags"]
    assert (bundle.minerals()[["consumption_lost", "added_tariff_cost_usd"]] == 0).all().all()
    rows = bundle.supplier_rows()
    assert len(rows) == int((bundle.supply().v > 0).sum())
    assert np.allclose(rows.groupby("mineral")["share"].sum(), 1.0)


def test_refuses_to_overwrite_sources_and_writes_atomically(loaded, tmp_path):
    bundle = make_bundle(loaded, include_data=False, created=CREATED)
    source = Path(loaded.reports[0].file)
    before = source.read_bytes()
    with pytest.raises(ExportError, match="source file"):
        export_xlsx(bundle, source)
    copy = tmp_path / "copy_of_sample.xlsx"
    copy.write_bytes(before)
    with pytest.raises(ExportError, match="same SHA-256"):
        export_xlsx(bundle, copy)
    assert source.read_bytes() == before and copy.read_bytes() == before
    target = tmp_path / "previous.xlsx"
    target.write_bytes(b"previous export")
    calls = []
    with pytest.raises(OperationCancelled):
        export_xlsx(bundle, target, progress=lambda f, m: calls.append(f),
                    cancel=lambda: len(calls) >= 2)
    assert target.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy_of_sample.xlsx", "previous.xlsx"]
    assert export(bundle, target) == target and zipfile.is_zipfile(target)


def test_registry():
    assert exporter_for("out.XLSX").name == "xlsx"
    assert exporter_for(name="xlsx").extensions == (".xlsx",)
    with pytest.raises(ExportError, match="no exporter"):
        exporter_for("out.ods")


# --- scenario vs baseline ------------------------------------------------------------------
COMPARED = ("Minerals", "Sectors", "Sector matrix", "Defense uses", "Defense matrix", "Suppliers",
            "Sources", "Data")


def cells_of(wb, title):
    return {c.coordinate: c.value for row in wb[title].iter_rows() for c in row if c.value is not None}


def changed_rows(a, b, title):
    da, db = cells_of(a, title), cells_of(b, title)
    coords = {k for k in da.keys() | db.keys() if da.get(k) != db.get(k)}
    return coords, {int("".join(ch for ch in k if ch.isdigit())) for k in coords}


@pytest.mark.parametrize("preset_id", [BAN, TARIFF])
def test_scenario_differs_exactly_where_the_scenario_changed_something(loaded, base, preset_id, out_dir):
    bundle = make_bundle(loaded, AnalysisOptions(), preset(preset_id), created=CREATED)
    wb = load_workbook(export_xlsx(bundle, out_dir / f"{preset_id}.xlsx"))
    _, _, base_wb = base
    deltas = bundle.scenario.deltas
    minerals = bundle.minerals()
    row_of = {m: FIRST + i for i, m in enumerate(minerals.index)}
    coords, rows = changed_rows(base_wb, wb, "Minerals")
    assert rows == {row_of[m] for m in deltas["minerals"].index[deltas["minerals"]["changed"]]}
    for metric in ("import_value_usd", "hhi", "group_share", "car", "consumption_lost", "added_tariff_cost_usd"):
        key = f"{metric}@core" if f"{metric}@core" in MINERAL_KEYS else metric
        letter = wb["Minerals"].cell(row=2, column=MINERAL_KEYS.index(key) + 1).column_letter
        moved = {m for m in minerals.index if f"{letter}{row_of[m]}" in coords}
        expected = set(deltas["minerals"].index[deltas["minerals"][metric].abs().fillna(0) > 1e-12])
        assert moved == expected, metric
    for title, kind in (("Sectors", "sectors"), ("Defense uses", "defense")):
        _, rows = changed_rows(base_wb, wb, title)
        changed = deltas[kind]["changed"].to_numpy()
        assert rows == {FIRST + i for i in np.flatnonzero(changed)}, title
    supplier_coords, _ = changed_rows(base_wb, wb, "Suppliers")
    assert {c[0] for c in supplier_coords} <= {"D", "H"}          # values and their twin shares
    ws = wb["Suppliers"]
    moved = {(ws[f"A{c[1:]}"].value, ws[f"B{c[1:]}"].value) for c in supplier_coords}
    view, was = bundle.supply(), bundle.supply("baseline").padded(bundle.supply().partners)
    differs = {(view.minerals[i], view.partners[j]) for i, j in zip(*np.nonzero(view.v != was))}
    shares_moved = {m for m, _ in differs}
    assert {k for k in moved if k in differs} == differs
    assert {m for m, _ in moved} <= shares_moved                # only minerals whose mix changed
    if preset_id == BAN:
        assert differs == {("gallium", "CHN"), ("germanium", "CHN"), ("antimony", "CHN")}
    else:
        assert not supplier_coords                             # a tariff changes no import value
    for title in ("Sector matrix", "Defense matrix", "Sources", "Data"):
        assert not changed_rows(base_wb, wb, title)[0], title


# --- LibreOffice recalculation ---------------------------------------------------------------
def soffice_or_skip() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def recalculate(path: Path, work: Path) -> Path:
    """LibreOffice opens the workbook (computing every formula) and saves the values."""
    out = work / "recalculated"
    out.mkdir(exist_ok=True)
    subprocess.run([soffice_or_skip(), "--headless", f"-env:UserInstallation={(work / 'lo').as_uri()}",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=300)
    return out / path.name


@pytest.mark.parametrize("scenario", [None, BAN])
def test_formulas_recalculate_to_the_core_values(loaded, tmp_path, scenario):
    soffice_or_skip()
    bundle = make_bundle(loaded, AnalysisOptions(), preset(scenario) if scenario else None,
                         include_data=False, created=CREATED)
    wb = load_workbook(recalculate(export_xlsx(bundle, tmp_path / "wb.xlsx"), tmp_path), data_only=True)
    frame = bundle.minerals()
    col = {k: i for i, k in enumerate(MINERAL_KEYS)}
    for r in rows_of(wb["Minerals"]):
        m = frame.loc[r[0].value]
        for key in ("import_value_usd", "hhi", "top_supplier_share", "group_share", "aggregate_share",
                    "unmapped_share", "car"):
            assert same(r[col[key]].value, m[key]), (r[0].value, key, r[col[key]].value, m[key])
    for r in rows_of(wb["Suppliers"]):
        assert same(r[4].value, r[7].value), r[0].row
    summary = wb["Summary"]
    header = next(c.row for c in summary["A"] if c.value == "Mineral")
    for k, (mineral, m) in enumerate(bundle.top_minerals(10).iterrows()):
        row = summary[header + 1 + k]
        assert row[0].value == mineral
        assert same(row[3].value, m["top_supplier_share"]) and same(row[4].value, m["group_share"])
        assert same(row[5].value, m["hhi"]) and same(row[9].value, m["car"])
    view = bundle.supply()
    chart = wb["Chart data"]
    codes = [c.value for c in chart[3][1:-1]]
    for r in chart.iter_rows(min_row=4, max_row=3 + len(bundle.top_minerals(8))):
        i = view.minerals.index(r[0].value)
        for code, cell in zip(codes, r[1:]):
            assert same(cell.value, view.v[i, view.partners.index(code)] / view.v[i].sum())
        assert same(sum(c.value for c in r[1:]), 1.0)


def test_editing_a_supplier_value_recalculates_hhi_and_shares(loaded, tmp_path):
    soffice_or_skip()
    bundle = make_bundle(loaded, include_data=False, created=CREATED)
    wb = load_workbook(export_xlsx(bundle, tmp_path / "wb.xlsx"))
    suppliers = wb["Suppliers"]
    row = next(r for r in rows_of(suppliers) if r[0].value == "antimony")   # its top supplier
    row[3].value = row[3].value * 3
    wb.save(tmp_path / "edited.xlsx")
    edited = load_workbook(recalculate(tmp_path / "edited.xlsx", tmp_path), data_only=True)
    view = bundle.supply()
    i = view.minerals.index("antimony")
    v = view.v[i].copy()
    v[view.partners.index(row[1].value)] *= 3
    shares = v / v.sum()
    col = {k: i for i, k in enumerate(MINERAL_KEYS)}
    antimony = next(r for r in rows_of(edited["Minerals"]) if r[0].value == "antimony")
    assert same(antimony[col["hhi"]].value, 10_000 * float((shares ** 2).sum()))
    assert same(antimony[col["top_supplier_share"]].value, float(shares.max()))
    assert same(antimony[col["import_value_usd"]].value, float(v.sum()))
    assert not same(antimony[col["hhi"]].value, antimony[col["hhi@core"]].value)
