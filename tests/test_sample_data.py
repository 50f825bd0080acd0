"""The bundled synthetic DataWeb sample: where the app looks, reproducible, labelled as
synthetic, shaped like a real long-layout DataWeb export, and realistic enough to analyse."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from openpyxl import load_workbook

from script_support import load_script
from mineral_workbench.core.resources import resource_path, sample_workbook

SCRIPT = Path(__file__).resolve().parents[1] / "sample_data" / "make_sample_workbook.py"
VALUE_HEADER = ["Data Type", "Country", "Year", "HTS Number", "Description",
                "Quantity Description", "Customs Value"]
QUANTITY_HEADER = VALUE_HEADER[:6] + ["First Unit of Quantity", "Suppressed"]


@pytest.fixture(scope="module")
def generator():
    """The generator script as a module, without leaving a __pycache__ in sample_data/."""
    return load_script(SCRIPT)


@pytest.fixture(scope="module")
def book():
    return load_workbook(sample_workbook())


@pytest.fixture(scope="module")
def value_rows(book):
    """Data rows of the Customs Value sheet (header and Total row excluded)."""
    return [list(r) for r in book["Customs Value"].iter_rows(min_row=2, values_only=True)][:-1]


@pytest.fixture(scope="module")
def crosswalk():
    """{match_prefix: [rows]} from the bundled crosswalk."""
    table = defaultdict(list)
    with open(resource_path("reference", "hts_crosswalk.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            table[row["match_prefix"]].append(row)
    return table


def match(crosswalk, code: str) -> list[dict]:
    """Longest-prefix match, as the crosswalk README prescribes."""
    for length in range(len(code), 1, -1):
        if code[:length] in crosswalk:
            return crosswalk[code[:length]]
    return []


def mineral_values(rows, crosswalk, years) -> dict[str, Counter]:
    """{mineral: Counter(country -> allocated value)} over non-derivative crosswalk rows."""
    out: dict[str, Counter] = defaultdict(Counter)
    for _, country, year, code, _, _, value in rows:
        if year in years:
            for row in match(crosswalk, code):
                if row["share_basis"] != "contains":
                    out[row["mineral"]][country] += value * float(row["share"])
    return out


def sheet_values(path: Path) -> dict[str, list[tuple]]:
    wb = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_committed_workbook_is_where_the_app_looks():
    path = sample_workbook()
    assert path.is_file()
    assert path.name == "sample_dataweb_imports_2020_2024.xlsx"
    assert path.parent.name == "sample_data"


def test_regenerating_gives_identical_cells_and_bytes(generator, tmp_path, capsys):
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert generator.main(["--reference", str(resource_path("reference")), "--out", str(first)]) == 0
    assert re.search(r"\b\d{2} minerals\b", capsys.readouterr().out)
    generator.make(out=second)
    assert first.read_bytes() == second.read_bytes()  # fixed seed, dates and zip timestamps
    assert sheet_values(first) == sheet_values(sample_workbook()), \
        "the committed sample is stale: run python sample_data/make_sample_workbook.py"


def test_query_parameters_say_synthetic_and_describe_the_query(book, value_rows):
    params = [(a, b) for a, b in book["Query Parameters"].iter_rows(values_only=True)]
    assert book.sheetnames == ["Query Parameters", "Customs Value", "First Unit of Quantity"]
    assert params[0][0] == "Download Date" and isinstance(params[0][1], dt.datetime)
    labels = dict(params)
    assert labels["Note"].startswith("SYNTHETIC SAMPLE — not official data")
    assert "make_sample_workbook.py" in labels["Note"] and "MCS 2025" in labels["Note"]
    assert labels["Trade Flow"] == "Imports For Consumption"
    assert labels["Classification System"] == "HTS Items"
    assert labels["Data To Report"] == "Customs Value; First Unit of Quantity"
    assert labels["Data Format"] == "1"
    assert labels["Years"] == "2020 - 2024"
    assert labels["Countries"] == "All Countries"
    assert labels["Commodity Aggregation Level"] == "HTS10"
    assert labels["Commodity List"].split(", ") == sorted({r[3] for r in value_rows})
    assert "SYNTHETIC" in book.properties.title


def test_sheets_have_the_dataweb_long_layout(book):
    for name, header in (("Customs Value", VALUE_HEADER), ("First Unit of Quantity", QUANTITY_HEADER)):
        ws = book[name]
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0]) == header
        assert {r[0] for r in rows[1:-1]} == {"Imports For Consumption"}
        assert {r[5] for r in rows[1:-1]} == {"Value for: kilograms" if name == "Customs Value"
                                              else "kilograms"}
        assert all(isinstance(r[2], int) and 2020 <= r[2] <= 2024 for r in rows[1:-1])
        assert all(r[4] == r[4].upper() for r in rows[1:-1])
        assert not ws.merged_cells.ranges and ws.freeze_panes is None


def test_hts_numbers_are_ten_digit_text(book):
    cells = [row[3] for row in book["Customs Value"].iter_rows(min_row=2)][:-1]
    assert all(c.data_type == "s" and re.fullmatch(r"\d{10}", c.value) for c in cells)


@pytest.mark.parametrize("sheet, column", [("Customs Value", 6), ("First Unit of Quantity", 6)])
def test_total_row_is_a_text_checksum_equal_to_the_sum(book, sheet, column):
    rows = list(book[sheet].iter_rows(values_only=True))
    total = rows[-1]
    assert total[0] == "Total: "
    assert isinstance(total[column], str) and "," in total[column]
    assert int(total[column].replace(",", "")) == sum(r[column] for r in rows[1:-1])


def test_rows_sorted_by_value_with_zeros_first(value_rows):
    values = [r[6] for r in value_rows]
    assert values == sorted(values)
    assert values[0] == 0 and 0 < values.count(0) < 0.1 * len(values)


def test_small_file_with_a_realistic_number_of_rows(value_rows):
    assert sample_workbook().stat().st_size < 700_000
    assert 3_000 <= len(value_rows) <= 8_000
    keys = [(r[1], r[2], r[3]) for r in value_rows]
    assert len(keys) == len(set(keys))  # one row per country, year and code


def test_at_least_40_minerals_are_covered_through_the_crosswalk(value_rows, crosswalk):
    minerals = {m for m, by_country in mineral_values(value_rows, crosswalk, range(2020, 2025)).items()
                if sum(by_country.values()) > 0}
    assert len(minerals) >= 40
    assert {"gallium", "germanium", "rare earths", "antimony", "cobalt", "lithium"} <= minerals


def test_exercises_baskets_derivatives_and_unmapped_codes(value_rows, crosswalk):
    value_by_code = Counter()
    for r in value_rows:
        value_by_code[r[3]] += r[6]
    bases = {code: {row["share_basis"] for row in match(crosswalk, code)} for code in value_by_code}
    assert any(any(b.startswith("equal split") for b in s) for s in bases.values())
    assert {"8505110000", "8507600010", "8507600020"} <= set(value_by_code)
    assert all(bases[c] == {"contains"} for c in ("8505110000", "8507600010", "8507600020"))
    unmapped = {c for c, s in bases.items() if not s}
    assert unmapped == {"2836992000", "9999950000"}
    assert 0 < sum(value_by_code[c] for c in unmapped) < 0.001 * sum(value_by_code.values())


@pytest.mark.parametrize("mineral, country, usgs_pct", [
    ("antimony", "China", 63), ("antimony", "Belgium", 8), ("lithium", "Chile", 50),
    ("lithium", "Argentina", 47), ("cobalt", "Norway", 27), ("zinc", "Canada", 59),
    ("zinc", "Korea, South", 7), ("rare earths", "China", 70), ("gallium", "China", 19),
    ("boron", "Turkey", 90)])
def test_partner_shares_2020_2023_follow_usgs_import_sources(value_rows, crosswalk, mineral,
                                                             country, usgs_pct):
    by_country = mineral_values(value_rows, crosswalk, range(2020, 2024))[mineral]
    share = 100 * by_country[country] / sum(by_country.values())
    assert share == pytest.approx(usgs_pct, abs=5)


def test_china_export_controls_show_in_2024(value_rows, crosswalk):
    before = mineral_values(value_rows, crosswalk, range(2020, 2024))["antimony"]
    after = mineral_values(value_rows, crosswalk, [2024])["antimony"]
    assert after["China"] / sum(after.values()) < before["China"] / sum(before.values()) - 0.08


def test_yearly_values_follow_the_salient_statistics(value_rows, crosswalk):
    """Lithium: 3,260 t x $71,100/t (2022) against 2,460 t x $10,100/t (2020), about 9x."""
    by_year = {y: sum(mineral_values(value_rows, crosswalk, [y])["lithium"].values())
               for y in (2020, 2022, 2024)}
    assert 6 < by_year[2022] / by_year[2020] < 13
    assert by_year[2024] < by_year[2022] / 3
    cobalt_2024 = sum(mineral_values(value_rows, crosswalk, [2024])["cobalt"].values())
    assert cobalt_2024 == pytest.approx(11_000 * 2204.62 * 17, rel=0.15)  # SALIENT_README example


def test_country_names_are_census_names(value_rows):
    countries = {r[1] for r in value_rows}
    assert {"China", "Korea, South", "Congo (Kinshasa)", "Russia", "Burma", "Taiwan",
            "Hong Kong"} <= countries
    assert not countries & {"Republic of Korea", "Czechia", "South Korea", "Myanmar", "Other"}


def test_quantity_sheet_is_consistent_with_values(book, value_rows):
    quantity = {(r[1], r[2], r[3]): (r[6], r[7]) for r in
                list(book["First Unit of Quantity"].iter_rows(min_row=2, values_only=True))[:-1]}
    assert set(quantity) == {(r[1], r[2], r[3]) for r in value_rows}
    assert {s for _, s in quantity.values()} == {0}
    unit_values = defaultdict(list)
    for _, country, year, code, _, _, value in value_rows:
        kg = quantity[(country, year, code)][0]
        assert (kg > 0) == (value > 0)
        if kg >= 100:  # whole-kilogram rounding distorts tinier rows
            unit_values[(code, year)].append(value / kg)
    mixed_lines = {"2825600000", "7110490010"}  # GeO2 + zirconia; iridium + ruthenium
    for key, ratios in unit_values.items():  # one price per code and year, give or take
        if key[0] in mixed_lines:
            continue
        ratios.sort()
        median = ratios[len(ratios) // 2]
        assert all(median / 2 < r < median * 2 for r in ratios), key
    platinum = sorted(unit_values[("7110110010", 2024)])
    assert 25_000 < platinum[0] <= platinum[-1] < 40_000  # $950/ozt is about $30,500/kg


def test_generator_refuses_a_crosswalk_that_no_longer_maps_its_codes(generator, tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(resource_path("reference"), reference)
    path = reference / "hts_crosswalk.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(l for l in lines if not l.startswith("8505.11")), encoding="utf-8")
    with pytest.raises(ValueError, match="8505110000"):
        generator.make(reference, tmp_path / "out.xlsx")


def test_sample_loads_through_the_importer_with_a_matching_checksum():
    from mineral_workbench.core.importing import load_file
    frame, report = load_file(sample_workbook())
    assert report.checksum is not None and report.checksum.ok
    assert report.layout == "long" and report.flow == "imports_consumption"
    assert report.years == [2020, 2021, 2022, 2023, 2024]
    assert {c["code"] for c in report.unmapped_codes} == {"2836992000", "9999950000"}
    assert report.total_usd == pytest.approx(frame.loc[frame["measure"] == "customs_value",
                                                       "value"].sum())
