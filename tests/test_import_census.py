"""Census USA Trade Online CSV and Census international trade API JSON importers.

Fixtures are written by tests/text_fixtures.py; the real USA Trade Online excerpt in
../shared/real_samples is summed independently here with the csv module.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from text_fixtures import (CENSUS_ROWS, COBALT, GRAPHITE, LOW_VALUE, api_rows, census_rows,
                           census_value, write_json, write_text)

from mineral_workbench.core.errors import InputError
from mineral_workbench.core.importing import census_csv, census_json, detect_format, load_file
from mineral_workbench.core.importing.census_variables import split_commodity
from mineral_workbench.core.importing.dataweb_common import ImportCancelled
from mineral_workbench.core.tradeframe import validate_tradeframe

REAL = "usa_trade_online_customs_value_cons_critical_minerals_excerpt.csv"


def read_csv(path, **kwargs):
    frame, report = census_csv.read(path, **kwargs)
    validate_tradeframe(frame)
    return frame, report


def read_json(path, **kwargs):
    frame, report = census_json.read(path, **kwargs)
    validate_tradeframe(frame)
    return frame, report


# --- USA Trade Online CSV ------------------------------------------------------------------

def test_census_csv_glued_commodity_values_and_low_value_line(tmp_path):
    path = write_text(tmp_path / "cons.csv", census_rows(trailing="Unnamed: 5"), newline="\n")
    frame, report = read_csv(path)
    assert report.format == "census_usa_trade_csv" and report.layout == "long"
    assert report.flow == "imports_consumption" and report.measures == ["customs_value"]
    assert list(frame["hts"]) == [r[0][:10] for r in CENSUS_ROWS]
    assert list(frame["value"]) == [census_value(r[4]) for r in CENSUS_ROWS]
    assert list(frame["row"]) == [2, 3, 4, 5, 6, 7]
    assert list(frame["partner_code"]) == ["MDG", "COD", "CIV", "KOR", "ZAF", "CAN"]
    assert set(frame["unit"]) == {"USD"} and set(frame["year"]) == {2024}
    assert frame["month"].isna().all() and set(frame["sheet"]) == {""}
    assert report.rows_read == 6 and report.rows_kept == 6 and report.rows_dropped == {}
    assert report.warnings == []                           # the empty 'Unnamed: 5' is no loss
    assert report.total_usd == sum(census_value(r[4]) for r in CENSUS_ROWS)
    assert "9999950000" in set(frame["hts"])              # kept as a row ...
    _, loaded = load_file(path)
    low = [u for u in loaded.unmapped_codes if u["code"] == "9999950000"]
    assert low and low[0]["value_usd"] == 9876543.0        # ... and reported unmapped
    assert "USA Trade Online" in report.citation and report.hs_editions == ["HTS"]


@pytest.mark.parametrize("encoding, bom, delimiter", [
    ("utf-8", True, ","), ("utf-16", False, "\t"), ("cp1252", False, ",")])
def test_census_csv_encodings(tmp_path, encoding, bom, delimiter):
    path = write_text(tmp_path / "cons.txt", census_rows(), encoding=encoding, bom=bom,
                      delimiter=delimiter)
    assert detect_format(path) == "census_usa_trade_csv"
    frame, report = read_csv(path)
    assert list(frame["value"]) == [census_value(r[4]) for r in CENSUS_ROWS]
    assert frame["partner_raw"].iloc[2] == "Côte d'Ivoire" and frame["partner_code"].iloc[2] == "CIV"
    assert report.encoding == {"utf-8": "utf-8-sig", "utf-16": "utf-16", "cp1252": "cp1252"}[encoding]


def test_split_commodity():
    import pyarrow as pa
    cells = pa.array([COBALT, LOW_VALUE, "8505907000 Electromagnets, Other Than 9018 (no)",
                      "Unwrought cobalt (kg)", "810520600 Odd Digits (kg)", "81052060a0 X (kg)",
                      None, "2504"])
    code, description, unit, ok = split_commodity(cells)
    assert code.to_pylist()[:3] == ["8105206000", "9999950000", "8505907000"]
    assert description.to_pylist()[:3] == ["Unwrought Cobalt Exc Alloys, Incl Powders",
                                           "Estimated Imports Of Low Valued Transactions",
                                           "Electromagnets, Other Than 9018"]
    assert unit.to_pylist()[:3] == ["kg", "", "no"]
    assert list(ok) == [True, True, True, False, False, False, False, True]


def test_corrupt_cells_dropped_with_line_never_guessed(tmp_path):
    rows = census_rows()
    rows[1][4] = "45,72B,453"                  # a corrupt value
    rows[3][0] = "Natural Graphite (kg)"        # no code
    rows[4][3] = "sometime"                     # not a period
    rows[5][1] = " "                            # no country
    frame, report = read_csv(write_text(tmp_path / "corrupt.csv", rows))
    assert report.rows_dropped == {
        "Commodity does not start with a 2-10 digit code": [4],
        "Time is not a year or a month": [5],
        "Country is empty": [6],
        f"non-numeric '{rows[0][4].replace('  ', ' ')}' cell": [2]}
    assert list(frame["row"]) == [3, 7]
    assert any("line 2: '45,72B,453'" in w and "never guessed" in w for w in report.warnings)
    assert any("line 4: 'Natural Graphite (kg)'" in w for w in report.warnings)


def test_quantity_column_units_and_monthly_times(tmp_path):
    rows = [(COBALT, "Madagascar", "All Districts", "2024 - January", "1,000"),
            (COBALT, "Madagascar", "All Districts", "February 2024", "2,000"),
            (GRAPHITE, "Mozambique", "All Districts", "2024-03", "3")]
    path = write_text(tmp_path / "q.csv", census_rows(
        rows, extra=[("First Unit of Quantity", ["10", "", "1,234.5"])]))
    frame, report = read_csv(path)
    assert report.measures == ["customs_value", "quantity_1"]
    assert list(frame["month"]) == [1, 2, 3, 1, 3]
    qty = frame[frame["measure"] == "quantity_1"]
    assert list(qty["value"]) == [10.0, 1234.5] and list(qty["unit"]) == ["kg", "kg"]
    assert report.rows_dropped == {"empty 'First Unit of Quantity' cell": [3]}
    assert report.total_usd == 3003.0


def test_flows_from_the_value_column(tmp_path):
    for header, flow, measure in (("Customs Value (Gen) ($US)", "imports_general", "customs_value"),
                                  ("General Customs Value ($US)", "imports_general", "customs_value"),
                                  ("Total Exports Value ($US)", "exports", "fas_value"),
                                  ("Value ($US)", "unknown", "customs_value")):
        frame, report = read_csv(write_text(tmp_path / "f.csv", census_rows(header=header)))
        assert (report.flow, report.primary_measure) == (flow, measure), header
        assert set(frame["flow"]) == {flow}
        assert report.hs_editions == (["Schedule B"] if flow == "exports" else ["HTS"])


def test_district_rows_beside_all_districts_are_not_double_counted(tmp_path):
    rows = [(COBALT, "Madagascar", "All Districts", "2024", "1,000"),
            (COBALT, "Madagascar", "Baltimore, MD", "2024", "600"),
            (COBALT, "Madagascar", "New Orleans, LA", "2024", "400"),
            (GRAPHITE, "Mozambique", "Houston-Galveston, TX", "2024", "70")]
    frame, report = read_csv(write_text(tmp_path / "d.csv", census_rows(rows)))
    assert list(frame["row"]) == [2, 5] and report.total_usd == 1070.0
    assert report.rows_dropped == {census_csv.DISTRICT_DUPLICATE: [3, 4]}
    assert any("the districts add up to them" in w for w in report.warnings)
    assert any("single districts" in w and "Houston-Galveston, TX" in w for w in report.warnings)
    rows[2] = (COBALT, "Madagascar", "New Orleans, LA", "2024", "401")
    _, report = read_csv(write_text(tmp_path / "d.csv", census_rows(rows)))
    assert any("do not add up" in w for w in report.warnings)


def test_world_total_rows_are_a_checksum(tmp_path):
    rows = list(CENSUS_ROWS[:2]) + [(COBALT, "World Total", "All Districts", "2024", "46,867,966")]
    frame, report = read_csv(write_text(tmp_path / "w.csv", census_rows(rows)))
    assert len(frame) == 2 and report.rows_dropped == {census_csv.WORLD_DUPLICATE: [4]}
    assert report.checksum.ok and report.checksum.expected == 46867966.0


def test_coarser_code_beside_its_lines_is_dropped(tmp_path):
    rows = [("8105 Cobalt Mattes And Other Intermediate Products (kg)", "Madagascar",
             "All Districts", "2024", "5,000"), CENSUS_ROWS[0]]
    frame, report = read_csv(write_text(tmp_path / "n.csv", census_rows(rows)))
    assert list(frame["hts"]) == ["8105206000"]
    assert report.rows_dropped == {census_csv.NESTED: [2]}


def test_census_csv_refusals_and_sniffing(tmp_path):
    no_value = write_text(tmp_path / "nv.csv", [["Commodity", "Country", "Time", "Notes"],
                                                [COBALT, "Madagascar", "2024", "x"]])
    assert census_csv.sniff(no_value, no_value.read_bytes())        # claimed, to be explained
    with pytest.raises(InputError, match="no header row with 'Commodity'"):
        read_csv(no_value)
    no_time = write_text(tmp_path / "nt.csv", [["Commodity", "Country", "Customs Value ($US)"],
                                               [COBALT, "Madagascar", "1"]])
    with pytest.raises(InputError, match="no 'Time' column"):
        read_csv(no_time)
    dataweb = tmp_path / "dw.csv"
    dataweb.write_text("Data Type,Country,Year,January\r\n")
    assert not census_csv.sniff(dataweb, dataweb.read_bytes())
    with pytest.raises(ImportCancelled):
        read_csv(write_text(tmp_path / "ok.csv", census_rows()), cancel=lambda: True)


# --- the real USA Trade Online excerpt ----------------------------------------------------

def test_real_usa_trade_online_excerpt(real_samples):
    path = real_samples / REAL
    with open(path, newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    header, data = records[0], records[1:]
    value_at = header.index("Customs  Value (Cons) ($US)")           # two spaces
    analyst_total = sum(int(r[value_at].replace(",", "")) for r in data)
    frame, report = load_file(path)
    assert len(data) == 47 and report.rows_read == 47 and report.rows_kept == 47
    assert report.rows_dropped == {} and report.flow == "imports_consumption"
    assert report.total_usd == analyst_total == frame["value"].sum()
    assert list(frame["row"]) == list(range(2, 49))
    assert list(frame["hts"]) == [r[0].split(" ", 1)[0] for r in data]
    assert frame["hts"].str.fullmatch(r"\d{10}").all()
    assert str(frame["hts"].dtype).startswith("str")               # text, never numbers
    assert "2504101000" in set(frame["hts"]) and "2602000040" in set(frame["hts"])
    assert list(frame["partner_raw"]) == [r[1] for r in data]
    assert report.unmapped_partners == []
    assert "8505907501" in {u["code"] for u in report.unmapped_codes}   # magnet parts: no mineral
    assert not any(r[0].startswith("9999950000") for r in data)    # the excerpt has no low-value line


def test_real_excerpt_through_the_cli(real_samples):
    proc = subprocess.run([sys.executable, "-m", "mineral_workbench", "import",
                           str(real_samples / REAL), "--json"], capture_output=True, text=True,
                          timeout=180, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    (report,) = json.loads(proc.stdout)
    assert report["format"] == "census_usa_trade_csv" and report["rows_kept"] == 47
    assert report["total_usd"] == 223056352.0


# --- Census API JSON -----------------------------------------------------------------------

def test_api_monthly_with_duplicated_filter_total_and_groups(tmp_path):
    path = write_json(tmp_path / "imports.json", *api_rows())
    assert detect_format(path) == "census_api_json"
    frame, report = read_json(path)
    assert report.format == "census_api_json" and report.flow == "imports_general"
    assert report.measures == ["customs_value"] and report.primary_measure == "customs_value"
    assert list(frame["row"]) == [2, 3, 6, 7, 10, 11, 14, 15]        # inner-array index, header 1
    assert list(frame["value"]) == [100.0, 10.0, 200.0, 20.0] * 2    # monthly, never YTD
    assert list(frame["month"]) == [1, 1, 2, 2] * 2 and set(frame["year"]) == {2024}
    assert list(frame["partner_raw"][:2]) == ["CHINA", "CANADA"]
    assert list(frame["partner_code"][:2]) == ["CHN", "CAN"]
    assert "EUROPEAN UNION" not in set(frame["partner_raw"])          # groups never data
    assert report.rows_dropped[census_json.TOTAL_ROW] == [5, 9, 13, 17]
    assert report.rows_dropped[census_json.GROUP_ROW] == [4, 8, 12, 16]
    assert report.checksum.ok and report.checksum.expected == 660.0 == report.total_usd
    assert report.query_parameters["CTY_CODE"] == "5700=CHINA; 1220=CANADA"
    assert any("GEN_VAL_YR (year to date) not read" in w for w in report.warnings)
    assert any("EUROPEAN UNION 6,000" in w for w in report.warnings)
    assert report.rows_read == 16 and report.hs_editions == ["HTS"]
    assert "not endorsed or certified by the Census Bureau" in report.citation


def test_api_year_to_date_only_uses_latest_month(tmp_path):
    frame, report = read_json(write_json(tmp_path / "ytd.json", *api_rows(monthly=False,
                                                                          months=(1, 2, 12))))
    assert list(frame["value"]) == [7800.0, 780.0] * 2               # 100*(1+2+...+12)
    assert frame["month"].isna().all() and list(frame["row"]) == [10, 11, 22, 23]
    assert report.checksum.ok and report.total_usd == 17160.0
    superseded = "GEN_VAL_YR: year-to-date value of an earlier month (superseded)"
    assert report.rows_dropped[superseded] == [2, 3, 6, 7, 14, 15, 18, 19]
    assert any("only year-to-date GEN_VAL_YR" in w for w in report.warnings)
    assert not any("partial years" in w for w in report.warnings)
    _, report = read_json(write_json(tmp_path / "ytd2.json", *api_rows(monthly=False)))
    assert any("2024 through February" in w for w in report.warnings)


def test_api_consumption_preferred_over_general(tmp_path):
    header, rows = api_rows(prefix="CON", ytd=False)
    header.insert(6, "GEN_VAL_MO")
    rows = [r[:6] + ["1"] + r[6:] for r in rows]
    frame, report = read_json(write_json(tmp_path / "both.json", header, rows))
    assert report.flow == "imports_consumption" and set(frame["flow"]) == {"imports_consumption"}
    assert list(frame["value"][:2]) == [100.0, 10.0]
    assert any("['GEN_VAL_MO'] are not read" in w for w in report.warnings)


def test_api_exports_and_group_codes_without_summary_level(tmp_path):
    header = ["E_COMMODITY", "CTY_CODE", "CTY_NAME", "ALL_VAL_MO", "QTY_1_MO", "UNIT_QY1", "time"]
    rows = [["8105206000", "1220", "CANADA", "500", "20", "KG", "2023-05"],
            ["8105206000", "4XXX", "EUROPE", "900", "40", "KG", "2023-05"],
            ["8105206000", "-", "TOTAL FOR ALL COUNTRIES", "500", "20", "KG", "2023-05"]]
    frame, report = read_json(write_json(tmp_path / "exports.json", header, rows))
    assert report.flow == "exports" and report.primary_measure == "fas_value"
    assert report.measures == ["fas_value", "quantity_1"]
    assert list(frame["value"]) == [500.0, 20.0] and list(frame["unit"]) == ["USD", "KG"]
    assert report.rows_dropped[census_json.GROUP_ROW] == [3]
    assert report.checksum.ok and report.hs_editions == ["Schedule B"]


def test_api_duplicated_columns_that_disagree_and_malformed_rows(tmp_path):
    header, rows = api_rows()
    rows[0][-1] = "HS6"                                   # second COMM_LVL copy differs
    rows[1] = rows[1][:-1]                                # one value short
    rows[4][6] = "12x"                                    # non-numeric
    frame, report = read_json(write_json(tmp_path / "odd.json", header, rows))
    assert any("COMM_LVL appears twice and the copies disagree (first at row 2)" in w
               for w in report.warnings)
    assert report.rows_dropped[census_json.MALFORMED] == [3]
    assert report.rows_dropped["non-numeric GEN_VAL_MO"] == [6]
    assert any("non-numeric GEN_VAL_MO (row 6)" in w for w in report.warnings)
    assert 3 not in set(frame["row"]) and 6 not in set(frame["row"])
    assert not report.checksum.ok                          # missing rows show in the checksum
    assert any("do not add up to TOTAL FOR ALL COUNTRIES" in w for w in report.warnings)


def test_api_nested_levels_and_bad_codes(tmp_path):
    header = ["I_COMMODITY", "CTY_NAME", "CON_VAL_MO", "time"]
    rows = [["8105", "CHINA", "900", "2024-01"], ["8105206000", "CHINA", "700", "2024-01"],
            ["810520600", "CHINA", "5", "2024-01"], ["8105206000", "CHINA", "1", "2024-13"]]
    frame, report = read_json(write_json(tmp_path / "n.json", header, rows, indent=1))
    assert list(frame["row"]) == [3]
    assert report.rows_dropped == {census_json.BAD_CODE: [4], census_json.BAD_TIME: [5],
                                   census_json.NESTED: [2]}


@pytest.mark.parametrize("text, message", [
    ('[["CTY_NAME", "GEN_VAL_MO", "time"], ["CHINA", "1", "2024-01"]', "not valid JSON at line 1"),
    ('{"error": "unknown variable"}', "expected an array of arrays"),
    ("[]", "expected an array of arrays"),
    ('[["CTY_NAME", 5]]', "variable names"),
    ('[["CTY_NAME", "time"], ["CHINA", "2024-01"]]', "no value variable"),
    ('[["CTY_NAME", "GEN_VAL_MO"], ["CHINA", "1"]]', "no time variable"),
])
def test_api_refusals(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_json(path)


def test_api_bom_and_sniffing(tmp_path):
    path = write_json(tmp_path / "bom.json", *api_rows(), bom=True)
    assert census_json.sniff(path, path.read_bytes())
    frame, report = read_json(path)
    assert report.encoding == "utf-8-sig" and len(frame) == 8
    assert not census_json.sniff(path, b'[{"CTY_NAME": "CHINA"}]')
    assert not census_json.sniff(path, b"Commodity,Country,Time\r\n")


# --- only InputError escapes -------------------------------------------------------------

def _mutate(data, good: bytes) -> bytes:
    blob = bytearray(good[:data.draw(st.integers(0, len(good)))])
    for _ in range(data.draw(st.integers(0, 4))):
        if blob:
            blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    return bytes(blob)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), which=st.sampled_from(["csv", "json"]))
def test_mutated_census_files_raise_only_input_error(tmp_path, data, which):
    if which == "csv":
        good, reader = write_text(tmp_path / "g.csv", census_rows()).read_bytes(), read_csv
    else:
        good, reader = write_json(tmp_path / "g.json", *api_rows()).read_bytes(), read_json
    path = tmp_path / f"mutated.{which}"
    path.write_bytes(_mutate(data, good))
    try:
        frame, _ = reader(path)
    except InputError:
        return
    assert np.isfinite(frame["value"].to_numpy()).all()


def test_api_rows_of_the_wrong_type_are_dropped_not_split(tmp_path):
    header, rows = api_rows(ytd=False, duplicate_filter=False)
    width = len(header)
    rows[0] = "x" * width                       # a string as long as a row: never split
    rows[1] = {"CTY_NAME": "CANADA"}
    rows[5][6] = 200                            # a number where the API writes strings
    frame, report = read_json(write_json(tmp_path / "types.json", header, rows))
    assert report.rows_dropped[census_json.MALFORMED] == [2, 3]
    assert frame.loc[frame["row"] == 7, "value"].tolist() == [200.0]


def test_api_year_and_month_variables(tmp_path):
    header = ["I_COMMODITY", "CTY_CODE", "CTY_NAME", "CON_VAL_MO", "YEAR", "MONTH"]
    rows = [["8105206000", "7880", "MADAGASCAR", "45", "2024", "03"],
            ["8105206000", "7880", "MADAGASCAR", "46", "2024", "13"],
            ["8105206000", "7880", "MADAGASCAR", "47", "2024", ""]]
    frame, report = read_json(write_json(tmp_path / "ym.json", header, rows))
    assert list(frame["month"].astype(object)) == [3, pd.NA] and list(frame["value"]) == [45.0, 47.0]
    assert report.rows_dropped == {census_json.BAD_TIME: [3]}
    assert report.query_parameters["CTY_CODE"] == "7880=MADAGASCAR"
    assert report.flow == "imports_consumption"


def test_blank_lines_and_unknown_columns_are_reported(tmp_path):
    rows = census_rows(CENSUS_ROWS[:2], trailing="Notes")
    rows[1][-1] = "checked by hand"
    rows.insert(2, [])
    frame, report = read_csv(write_text(tmp_path / "b.csv", rows + [[], []]))
    assert list(frame["row"]) == [2, 4] and report.rows_dropped == {"blank line": [3]}
    assert any("column 'Notes' is not a column the workbench reads" in w for w in report.warnings)
