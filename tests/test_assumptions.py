"""Excel round trip of the assumptions: export, edit as an analyst would, read back."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from mineral_workbench.core.analysis import AnalysisOptions, load_sources
from mineral_workbench.core.assumptions import (AssumptionsError, AssumptionsPlan, export_assumptions,
                                                read_assumptions)
from mineral_workbench.core.assumptions_edits import EDIT_TEXT, edit_headers
from mineral_workbench.core.assumptions_read import MAX_LISTED
from mineral_workbench.core.errors import InputError
from mineral_workbench.core.reference import load_reference
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.scenario import (EDIT_TYPES, GroupMembership, ImportanceOverride, NirOverride,
                                             Scenario, SourcingShift, SupplyCut, Tariff)
from mineral_workbench.core.whatif import compute_scenario

OPTIONS = AnalysisOptions()


@pytest.fixture(scope="module")
def loaded():
    return load_sources([sample_workbook()])


@pytest.fixture(scope="module")
def reference():
    return load_reference()


@pytest.fixture(scope="module")
def scenario():
    """One edit of every kind, with the selector forms the core accepts."""
    edits = [SupplyCut("gallium", "CHN", 50), SupplyCut("*", "group:foreign_adversaries", 10),
             Tariff("except:us_fta_partners", "germanium, antimony", 25),
             SourcingShift("tungsten", "CHN", {"CAN": 0.6, "AUS": 1 / 3}, 40),
             NirOverride("cobalt", 60, ">"), NirOverride("lithium", 0, "E"),
             ImportanceOverride("nickel", "defense:Aircraft & engines", "low"),
             GroupMembership("foreign_adversaries", "VEN", False)]
    if "share_override" in EDIT_TYPES:
        edits.append(EDIT_TYPES["share_override"]("cobalt", "COD", 50.0))
    return Scenario(name="=Test scenario", edits=tuple(edits))


def _export(tmp_path, loaded, scenario=None, name="assumptions.xlsx"):
    return export_assumptions(tmp_path / name, loaded, OPTIONS, scenario)


def _find(sheet, mineral: str, header: str, header_row: int = 1) -> str:
    """The reference of a mineral's cell under a header (what an analyst would click)."""
    col = next(c.column_letter for c in sheet[header_row] if c.value == header)
    row = next(c.row for c in sheet["A"] if c.value == mineral)
    return f"{col}{row}"


def _edit(path, changes: dict[tuple[str, str], object]) -> None:
    book = openpyxl.load_workbook(path)
    for (sheet, ref), value in changes.items():
        book[sheet][ref].value = value
    book.save(path)


# --- the exported workbook -------------------------------------------------------------------------
def test_the_workbook_holds_the_effective_assumptions(tmp_path, loaded, scenario, reference):
    path = _export(tmp_path, loaded, scenario)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["README", "Importance", "NIR", "Edits"]
    readme = {r[0]: r[1] for r in book["README"].iter_rows(max_col=2, values_only=True)}
    assert readme["Scenario"] == "=Test scenario" and readme["NIR year"] == OPTIONS.nir_year
    importance, nir, edits = book["Importance"], book["NIR"], book["Edits"]
    assert importance["B2"].value == f"sector:{reference.sectors['name'].iloc[0]}"
    assert importance.freeze_panes == "B3" and nir.freeze_panes == "B2"
    # the scenario's own override shows, the baseline elsewhere
    assert importance[_find(importance, "nickel", "defense:Aircraft & engines", 2)].value == "low"
    assert {c.value for row in importance.iter_rows(min_row=3, min_col=2) for c in row} <= {
        "high", "medium", "low", "none"}
    assert importance.data_validations.dataValidation[0].formula1 == '"high,medium,low,none"'
    cobalt = _find(nir, "cobalt", "NIR %")
    assert nir[cobalt].value == 60 and nir[cobalt.replace("B", "C")].value == ">"
    lithium = _find(nir, "lithium", "NIR %")
    assert nir[lithium].value is None and nir[lithium.replace("B", "C")].value == "E"
    assert [c.value for c in edits[1]] == edit_headers()
    assert edits["B2"].value == "supply_cut"
    assert edits.cell(2, len(edit_headers())).value == scenario.edits[0].describe()
    shift = next(r for r in edits.iter_rows(min_row=2, values_only=True) if r[1] == "sourcing_shift")
    assert "CAN=0.6; AUS=0.3333333333333333" in shift
    with zipfile.ZipFile(path) as archive:     # '=' qualifiers and names are text, never formulas
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets"))


def test_an_unchanged_export_reads_back_to_no_change(tmp_path, loaded, scenario):
    plan = read_assumptions(_export(tmp_path, loaded, scenario), loaded, OPTIONS, scenario)
    assert isinstance(plan, AssumptionsPlan)
    assert plan.is_empty and plan.changes == [] and plan.notes == []
    assert plan.edits == scenario.edits


def test_a_baseline_export_reads_back_to_no_edits(tmp_path, loaded):
    plan = read_assumptions(_export(tmp_path, loaded), loaded, OPTIONS)
    assert plan.is_empty and plan.edits == () and plan.scenario_name == ""


# --- the analyst's edits become scenario edits --------------------------------------------------------
def test_raising_an_importance_moves_the_sectors_weakest_link(tmp_path, loaded, reference):
    base = compute_scenario(loaded, OPTIONS, Scenario("base"), reference).baseline
    car = base.minerals["car"]
    top = car.idxmax()                                     # the most exposed mineral
    sectors = base.sectors.set_index("sector")
    sector = next(s for s in sectors.index if sectors.loc[s, "driving_mineral"] != top)
    path = _export(tmp_path, loaded)
    sheet = openpyxl.load_workbook(path)["Importance"]
    ref = _find(sheet, top, sector)
    old = sheet[ref].value
    _edit(path, {("Importance", ref): " High "})           # case and spaces do not matter
    plan = read_assumptions(path, loaded, OPTIONS)
    assert plan.changes == [f"{top[0].upper()}{top[1:]} importance for {sector}: {old} → high"]
    assert plan.edits == (ImportanceOverride(top, f"sector:{sector}", "high"),)
    result = compute_scenario(loaded, OPTIONS, Scenario("x").with_edits(plan.edits), reference)
    row = result.result.sectors.set_index("sector").loc[sector]
    assert row["weakest_link"] == pytest.approx(car[top]) and row["driving_mineral"] == top
    assert result.deltas["sectors"].loc[sector, "weakest_link"] == pytest.approx(
        car[top] - sectors.loc[sector, "weakest_link"])


def test_clearing_an_importance_cell_means_none(tmp_path, loaded):
    path = _export(tmp_path, loaded)
    sheet = openpyxl.load_workbook(path)["Importance"]
    row = next(r for r in sheet.iter_rows(min_row=3) if any(c.value == "high" for c in r[1:]))
    cell = next(c for c in row[1:] if c.value == "high")
    _edit(path, {("Importance", cell.coordinate): None})
    plan = read_assumptions(path, loaded, OPTIONS)
    assert len(plan.edits) == 1 and plan.edits[0].level == "none"
    assert plan.changes[0].endswith("high → none")


def test_an_nir_override_sets_consumption_at_risk(tmp_path, loaded, reference):
    path = _export(tmp_path, loaded)
    nir = openpyxl.load_workbook(path)["NIR"]
    _edit(path, {("NIR", _find(nir, "antimony", "NIR %")): 90,
                 ("NIR", _find(nir, "graphite", "NIR %")): "40%"})   # text with a percent sign
    plan = read_assumptions(path, loaded, OPTIONS)
    assert plan.changes == ["Antimony NIR: 85% → 90%", "Graphite NIR: 100% → 40%"]
    assert plan.edits == (NirOverride("antimony", 90, "="), NirOverride("graphite", 40.0, "="))
    result = compute_scenario(loaded, OPTIONS, Scenario("x", plan.edits), reference).result.minerals
    for mineral, pct in (("antimony", 90), ("graphite", 40)):
        assert result.loc[mineral, "car"] == pytest.approx(pct / 100 * result.loc[mineral, "group_share"])


def test_a_percent_formatted_cell_is_read_as_percent(tmp_path, loaded):
    path = _export(tmp_path, loaded)
    book = openpyxl.load_workbook(path)
    cell = book["NIR"][_find(book["NIR"], "antimony", "NIR %")]
    cell.value, cell.number_format = 0.9, "0%"            # what Excel stores for a typed "90%"
    book.save(path)
    assert read_assumptions(path, loaded, OPTIONS).edits == (NirOverride("antimony", 90.0, "="),)


def test_new_nir_goes_before_the_cuts_so_lost_consumption_uses_it(tmp_path, loaded, reference):
    cut = Scenario("cut", (SupplyCut("antimony", "CHN", 100),))
    path = _export(tmp_path, loaded, cut)
    nir = openpyxl.load_workbook(path)["NIR"]
    _edit(path, {("NIR", _find(nir, "antimony", "NIR %")): 50})
    plan = read_assumptions(path, loaded, OPTIONS, cut)
    assert plan.edits == (NirOverride("antimony", 50, "="), SupplyCut("antimony", "CHN", 100))
    minerals = compute_scenario(loaded, OPTIONS, cut.with_edits(plan.edits), reference).result.minerals
    base = compute_scenario(loaded, OPTIONS, cut, reference)
    share = base.deltas["minerals"].loc["antimony", "consumption_lost"] / 0.85
    assert minerals.loc["antimony", "consumption_lost"] == pytest.approx(0.5 * share)


def test_nir_qualifiers_and_exporters(tmp_path, loaded):
    path = _export(tmp_path, loaded)
    nir = openpyxl.load_workbook(path)["NIR"]
    pct = _find(nir, "bismuth", "NIR %")
    _edit(path, {("NIR", pct): None, ("NIR", pct.replace("B", "C")): "e",
                 ("NIR", _find(nir, "magnesium", "Qualifier")): "="})
    plan = read_assumptions(path, loaded, OPTIONS)
    assert plan.changes == ["Bismuth NIR: 89% → E (net exporter)", "Magnesium NIR: >75% → 75%"]
    assert plan.edits == (NirOverride("bismuth", 0.0, "E"), NirOverride("magnesium", 75, "="))


def test_edits_sheet_rows_are_changed_removed_and_added(tmp_path, loaded, scenario):
    path = _export(tmp_path, loaded, scenario)
    book = openpyxl.load_workbook(path)
    sheet = book["Edits"]
    percent = next(c.column for c in sheet[1] if c.value == "percent")
    sheet.cell(2, percent).value = 75                          # edit 1: 50% -> 75%
    sheet.delete_rows(3)                                       # edit 2 removed
    end = sheet.max_row + 1
    for name, value in (("kind", "tariff"), ("country", "chn"), ("mineral", "Gallium"),
                        ("percent", "10"), (EDIT_TEXT, "ignored text")):
        sheet.cell(end, next(c.column for c in sheet[1] if c.value == name)).value = value
    book.save(path)
    plan = read_assumptions(path, loaded, OPTIONS, scenario)
    old = scenario.edits
    assert plan.changes == [f"Edit 1 changed: {old[0].describe()} → Cut China gallium supply by 75%",
                            f"Edit 2 removed: {old[1].describe()}",
                            f"New edit {len(old)}: 10% tariff on Gallium from China"]
    assert plan.edits == (SupplyCut("gallium", "CHN", 75), *old[2:], Tariff("chn", "Gallium", 10.0))


def test_a_file_from_another_scenario_says_so(tmp_path, loaded, scenario):
    plan = read_assumptions(_export(tmp_path, loaded, scenario), loaded, OPTIONS, None)
    assert plan.edits == scenario.edits and len(plan.changes) == len(scenario.edits)
    assert plan.notes == ["The file was exported from scenario '=Test scenario'; its values are compared "
                          "with the baseline (no scenario)."]


# --- refusals ------------------------------------------------------------------------------------
def test_a_corrupted_file_is_refused_naming_every_cell(tmp_path, loaded):
    path = _export(tmp_path, loaded)
    book = openpyxl.load_workbook(path)
    imp, nir = book["Importance"], book["NIR"]
    imp["D7"] = "hihg"
    imp["E9"] = 3
    nir[_find(nir, "gallium", "NIR %")] = 150
    nir[_find(nir, "cobalt", "NIR %")] = "ninety"
    nir[_find(nir, "zinc", "Qualifier")] = "~"
    imp.cell(imp.max_row + 1, 1).value = "unobtainium"
    book.save(path)
    with pytest.raises(AssumptionsError) as caught:
        read_assumptions(path, loaded, OPTIONS)
    problems = [str(p) for p in caught.value.problems]
    where = [p.split(":")[0] for p in problems]
    gallium, cobalt, zinc = (_find(nir, m, h) for m, h in (("gallium", "NIR %"), ("cobalt", "NIR %"),
                                                          ("zinc", "Qualifier")))
    assert where == ["Importance!D7", "Importance!E9", f"Importance!A{imp.max_row}",
                     f"NIR!{cobalt}", f"NIR!{gallium}", f"NIR!{zinc}"]
    assert "'hihg' is not an importance level" in problems[0] and "'3' is not" in problems[1]
    assert "unknown mineral 'unobtainium'" in problems[2]
    assert "'ninety' is not a number" in problems[3] and "NIR 150 is outside 0-100" in problems[4]
    message = str(caught.value)
    assert isinstance(caught.value, InputError) and message.startswith("assumptions.xlsx: 6 problems")
    assert all(p in message for p in problems)


def test_a_deleted_sheet_and_rearranged_headers_are_refused(tmp_path, loaded):
    path = _export(tmp_path, loaded)
    book = openpyxl.load_workbook(path)
    del book["NIR"]
    book.save(path)
    with pytest.raises(AssumptionsError, match=r"NIR: the sheet is missing"):
        read_assumptions(path, loaded, OPTIONS)
    path = _export(tmp_path, loaded, name="moved.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Importance"]
    for row in (1, 2):                                       # swap two sector columns
        sheet[f"B{row}"].value, sheet[f"C{row}"].value = sheet[f"C{row}"].value, sheet[f"B{row}"].value
    book.save(path)
    with pytest.raises(AssumptionsError) as caught:
        read_assumptions(path, loaded, OPTIONS)
    assert [str(p).split(":")[0] for p in caught.value.problems] == ["Importance!B1"]
    assert "column order must stay as exported" in str(caught.value)


def test_bad_edit_rows_are_named(tmp_path, loaded, scenario):
    path = _export(tmp_path, loaded, scenario)
    book = openpyxl.load_workbook(path)
    sheet = book["Edits"]
    col = {c.value: c.column_letter for c in sheet[1]}
    sheet[f"{col['kind']}2"] = "embargo"                                   # unknown kind
    sheet[f"{col['percent']}3"] = None                                      # missing field
    sheet[f"{col['percent']}4"] = 2000                                      # tariff over 1000%
    sheet[f"{col['from_country']}5"] = "group:axis"                         # unknown group
    sheet[f"{col['to']}5"] = "XXX=1"                                        # unknown country
    sheet[f"{col['mineral']}6"] = "mithril"                                 # unknown mineral
    sheet[f"{col['level']}8"] = "huge"
    sheet[f"{col['member']}9"] = "maybe"
    sheet[f"{col['level']}9"] = "high"                                      # not a membership field
    book.save(path)
    with pytest.raises(AssumptionsError) as caught:
        read_assumptions(path, loaded, OPTIONS, scenario)
    got = [(str(p).split(":")[0], str(p)) for p in caught.value.problems]
    assert [w for w, _ in got] == [f"Edits!{col[name]}{row}" for name, row in (
        ("kind", 2), ("percent", 3), ("percent", 4), ("from_country", 5), ("to", 5), ("mineral", 6),
        ("level", 8), ("level", 9), ("member", 9))]
    texts = [t for _, t in got]
    assert "unknown edit kind 'embargo'" in texts[0] and "percent is missing" in texts[1]
    assert "2000 is outside 0-1000" in texts[2] and "unknown country group 'axis'" in texts[3]
    assert "unknown country 'XXX'" in texts[4] and "unknown mineral 'mithril'" in texts[5]


def test_the_problem_list_is_capped(tmp_path, loaded):
    path = _export(tmp_path, loaded)
    book = openpyxl.load_workbook(path)
    for row in book["Importance"].iter_rows(min_row=3, max_row=6, min_col=2):
        for cell in row:
            cell.value = "?"
    book.save(path)
    with pytest.raises(AssumptionsError) as caught:
        read_assumptions(path, loaded, OPTIONS)
    count = len(caught.value.problems)
    assert count > MAX_LISTED
    assert str(caught.value).endswith(f"... and {count - MAX_LISTED} more")
    assert str(caught.value).count("\n") == MAX_LISTED + 1


@pytest.mark.parametrize("content", [b"mineral,nir\ngallium,100\n", b"PK\x03\x04broken",
                                     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600])
def test_files_that_are_not_workbooks_are_refused(tmp_path, loaded, content):
    path = tmp_path / "not.xlsx"
    path.write_bytes(content)
    with pytest.raises(AssumptionsError) as caught:
        read_assumptions(path, loaded, OPTIONS)
    assert str(caught.value).startswith("not.xlsx: 1 problem;")


def test_a_far_stray_cell_and_a_changed_nir_year_are_refused(tmp_path, loaded):
    path = _export(tmp_path, loaded)
    _edit(path, {("Importance", "ZZ4"): "high", ("NIR", "B9000"): 5})
    with pytest.raises(AssumptionsError) as caught:
        read_assumptions(path, loaded, OPTIONS)
    assert [str(p).split(":")[0] for p in caught.value.problems] == ["Importance!ZZ4", "NIR"]
    other_year = AnalysisOptions(nir_year=2023)
    with pytest.raises(AssumptionsError, match="choose NIR year 2024 before importing"):
        read_assumptions(_export(tmp_path, loaded, name="y.xlsx"), loaded, other_year)


# --- a real spreadsheet program re-saving the file -----------------------------------------------------
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_libreoffice_resave_round_trips(tmp_path, loaded, scenario):
    path = _export(tmp_path, loaded, scenario)
    nir = openpyxl.load_workbook(path)["NIR"]
    _edit(path, {("NIR", _find(nir, "antimony", "NIR %")): 70})
    out = tmp_path / "resaved"
    proc = subprocess.run(["soffice", "--headless", "--norestore",
                           f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=180)
    resaved = out / path.name
    if not resaved.exists():
        pytest.skip(f"LibreOffice could not convert: {proc.stderr[-300:]}")
    plan = read_assumptions(resaved, loaded, OPTIONS, scenario)
    assert plan.changes == ["Antimony NIR: 85% → 70%"]
    assert plan.edits == (NirOverride("antimony", 70, "="), *scenario.edits)
