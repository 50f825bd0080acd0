"""USITC DataWeb .csv importer: months as columns, blank months, Total: rows, encodings.

Fixtures are written by tests/text_fixtures.py; the real export in ../shared/real_samples is
checked against its own `Total:` row, computed here independently with the csv module.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from text_fixtures import (DATAWEB_LONG, DATAWEB_MONTHLY, MONTH_NAMES, dataweb_long_rows,
                           dataweb_monthly_rows, monthly_totals, write_text)

from mineral_workbench.core.errors import InputError
from mineral_workbench.core.importing import dataweb_csv, detect_format, load_file
from mineral_workbench.core.importing.dataweb_common import ImportCancelled
from mineral_workbench.core.importing.report import file_sha256
from mineral_workbench.core.tradeframe import validate_tradeframe

REAL = "dataweb_monthly_general_customs_value.csv"
EMPTY = "empty value cell (not published yet or withheld: not read as zero)"
TOTAL = "'Total:' row (checksum, not data)"


def read(path, **kwargs):
    frame, report = dataweb_csv.read(path, **kwargs)
    validate_tradeframe(frame)
    return frame, report


def expected_values(rows=DATAWEB_MONTHLY):
    return [v for _, _, values in rows for v in values if v is not None]


# --- months as columns ---------------------------------------------------------------------

def test_monthly_csv_values_periods_blank_months_and_checksum(tmp_path):
    path = write_text(tmp_path / "monthly.csv", dataweb_monthly_rows())
    assert b"\r\n" in path.read_bytes()                                 # CRLF, as exported
    frame, report = read(path)
    assert report.format == "dataweb_csv" and report.layout == "wide_months"
    assert report.flow == "imports_general" and report.measures == ["customs_value"]
    assert report.primary_measure == "customs_value"
    assert list(frame["value"]) == expected_values()                    # 0.0 kept: a real zero
    assert len(frame) == 34 and report.rows_kept == 34                  # 36 cells - 2 blank
    china_2024 = frame[(frame["partner_raw"] == "China") & (frame["year"] == 2024)]
    assert list(china_2024["month"]) == list(range(1, 11))              # Nov, Dec: not zeros
    assert list(frame["row"][:12]) == [4] * 12 and set(frame["row"]) == {4, 5, 6}
    assert report.rows_dropped == {TOTAL: [7], EMPTY: [6]}
    assert report.rows_read == 4
    assert any("November 2024, line 6" in w and "not read as zero" in w for w in report.warnings)
    assert report.checksum.ok and report.checksum.expected == pytest.approx(sum(monthly_totals()))
    assert report.total_usd == pytest.approx(sum(expected_values()))
    assert report.years == [2023, 2024] and report.sheets == []
    assert set(frame["sheet"]) == {""} and set(frame["unit"]) == {"USD"}
    assert set(frame["source_id"]) == {file_sha256(path)} == {report.sha256}
    assert set(frame["hts"]) == {""}
    assert any("no HTS Number column" in w and "no value maps to a mineral" in w
               for w in report.warnings)
    assert list(frame["partner_code"].unique()) == ["CIV", "CHN"]
    assert "access date unknown (CSV exports carry no download date)" in report.citation
    assert report.citation.startswith("Compiled using the USITC DataWeb")
    assert report.query_parameters == {"Title": "General Imports|Monthly data for 2023,2024",
                                       "Data Row Count": "3"}
    assert report.encoding == "utf-8"


@pytest.mark.parametrize("encoding, bom, delimiter, note", [
    ("utf-8", True, ",", False),
    ("utf-16", False, "\t", False),          # Excel "Unicode text": UTF-16 LE, tab-separated
    ("cp1252", False, ",", True),            # 'Côte d'Ivoire' as a Windows tool writes it
])
def test_encodings_read_alike(tmp_path, encoding, bom, delimiter, note):
    path = write_text(tmp_path / "monthly.txt", dataweb_monthly_rows(), encoding=encoding,
                      bom=bom, delimiter=delimiter)
    assert detect_format(path) == "dataweb_csv"
    frame, report = read(path)
    assert list(frame["value"]) == expected_values() and report.checksum.ok
    assert frame["partner_raw"].iloc[0] == "Côte d'Ivoire" and frame["partner_code"].iloc[0] == "CIV"
    assert report.encoding == {"utf-8": "utf-8-sig", "utf-16": "utf-16", "cp1252": "cp1252"}[encoding]
    assert any("Windows-1252" in w for w in report.warnings) == note


def test_period_total_mismatch_is_reported_per_month(tmp_path):
    rows = dataweb_monthly_rows()
    rows[-1][3 + 4] = "999"                                            # May total is wrong
    frame, report = read(write_text(tmp_path / "bad_total.csv", rows))
    assert not report.checksum.ok
    assert any("column May sums to" in w for w in report.warnings)
    assert list(frame["value"]) == expected_values()                    # data untouched


# --- flow and measure without query parameters ------------------------------------------

def test_no_title_flow_from_general_customs_value(tmp_path):
    frame, report = read(write_text(tmp_path / "t.csv", dataweb_monthly_rows(title=None)))
    assert report.flow == "imports_general" and set(frame["flow"]) == {"imports_general"}
    assert any("inferred from the Data Type" in w for w in report.warnings)


def test_no_title_and_plain_customs_value_flow_unknown(tmp_path):
    frame, report = read(write_text(tmp_path / "t.csv",
                                    dataweb_monthly_rows(title=None, data_type="Customs Value")))
    assert report.flow == "unknown" and set(frame["flow"]) == {"unknown"}
    assert report.primary_measure == "customs_value"
    assert any("trade flow is unknown" in w for w in report.warnings)


def test_unknown_data_type_gives_unknown_measure(tmp_path):
    path = write_text(tmp_path / "t.csv", dataweb_monthly_rows(data_type="Mystery Value"))
    frame, report = read(path)
    assert report.measures == ["unknown"] and set(frame["measure"]) == {"unknown"}
    assert set(frame["unit"]) == {""}
    assert any("'Mystery Value' is not a DataWeb measure" in w for w in report.warnings)


def test_title_flows(tmp_path):
    for title, flow in (("Imports For Consumption|Monthly data for 2023,2024", "imports_consumption"),
                        ("Total Exports|Monthly data for 2023,2024", "exports"),
                        ("Something|Monthly data for 2023,2024", "unknown")):
        rows = dataweb_monthly_rows(title=title, data_type="Customs Value")
        _, report = read(write_text(tmp_path / "t.csv", rows))
        assert report.flow == flow, title
    rows = dataweb_monthly_rows(title="Imports For Consumption|Monthly data for 2023,2024")
    _, report = read(write_text(tmp_path / "t.csv", rows))       # Data Type says general
    assert report.flow == "imports_consumption"
    assert any("the title row is used" in w for w in report.warnings)


# --- other layouts -------------------------------------------------------------------------

def test_long_layout_keeps_codes_as_text(tmp_path):
    path = write_text(tmp_path / "long.csv", dataweb_long_rows(), bom=True, newline="\n")
    frame, report = read(path)
    assert report.layout == "long" and report.flow == "imports_consumption"
    assert list(frame["hts"]) == [r[2] for r in DATAWEB_LONG]            # '0106190000' kept
    assert list(frame["value"]) == [r[4] for r in DATAWEB_LONG]
    assert list(frame["row"]) == [4, 5, 6] and frame["month"].isna().all()
    assert report.checksum.ok and report.checksum.expected == pytest.approx(98772432.25)
    assert not any("HTS Number" in w for w in report.warnings)


def test_years_as_columns_exports(tmp_path):
    rows = [["Total Exports|Annual Data", "", "", "", ""], ["Data Row Count", "2", "", "", ""],
            ["Data Type", "Country", "HTS Number", "2023", "2024"],
            ["FAS Value", "Canada", "8105206000", "1,000", "2,500"],
            ["FAS Value", "Mexico", "2504101000", "7", ""],
            ["Total: ", "", "", "1,007", "2,500"]]
    frame, report = read(write_text(tmp_path / "wide.csv", rows))
    assert report.layout == "wide" and report.flow == "exports"
    assert report.primary_measure == "fas_value"
    assert list(frame["value"]) == [1000.0, 2500.0, 7.0] and list(frame["year"]) == [2023, 2024, 2023]
    assert report.checksum.ok and report.rows_dropped[EMPTY] == [5]


def test_quoted_line_break_keeps_file_line_numbers(tmp_path):
    rows = dataweb_long_rows()
    rows[3][4] = "COBALT\nUNWROUGHT"                                     # a cell spanning lines
    frame, report = read(write_text(tmp_path / "multi.csv", rows))
    assert list(frame["row"]) == [4, 6, 7] and report.rows_dropped == {TOTAL: [8]}


def test_corrupt_value_dropped_with_line(tmp_path):
    rows = dataweb_monthly_rows()
    rows[4][3 + 2] = "31O,000"                                          # letter O for zero
    frame, report = read(write_text(tmp_path / "corrupt.csv", rows))
    assert report.rows_dropped["non-numeric value"] == [5]
    assert any("'31O,000'" in w for w in report.warnings)
    assert len(frame) == 33 and not report.checksum.ok


def test_two_data_types_become_two_measures(tmp_path):
    rows = dataweb_monthly_rows(data_type="Customs Value")
    rows[4][0] = "First Unit of Quantity"
    frame, report = read(write_text(tmp_path / "two.csv", rows))
    assert report.measures == ["customs_value", "quantity_1"]
    assert set(frame.loc[frame["row"] == 5, "measure"]) == {"quantity_1"}
    assert report.checksum is None and any("2 Data Types" in w for w in report.warnings)


# --- refusals, sniffing, progress ----------------------------------------------------------

def test_bad_files_raise_input_error(tmp_path):
    no_header = write_text(tmp_path / "no_header.csv", [["General Imports|Monthly data for 2024"],
                                                        ["Country", "Year"], ["China", "2024"]])
    with pytest.raises(InputError, match="no header row starting with 'Data Type'"):
        read(no_header)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\r\n\r\n")
    with pytest.raises(InputError, match="empty"):
        read(empty)
    no_period = write_text(tmp_path / "no_period.csv", [["Data Type", "Country", "Value"],
                                                        ["Customs Value", "China", "1"]])
    with pytest.raises(InputError, match="neither a 'Year' column"):
        read(no_period)


def test_sniff_claims_dataweb_csv_only(tmp_path):
    path = write_text(tmp_path / "m.csv", dataweb_monthly_rows())
    head = path.read_bytes()[:65536]
    assert dataweb_csv.sniff(path, head)
    assert not dataweb_csv.sniff(path, b"Commodity,Country,District,Time,Customs  Value\r\n")
    assert not dataweb_csv.sniff(path, b'[["CTY_CODE","CTY_NAME"]]')
    assert not dataweb_csv.sniff(path, b"PK\x03\x04" + b"\x00" * 40)


def test_progress_and_cancel(tmp_path):
    path = write_text(tmp_path / "m.csv", dataweb_monthly_rows())
    seen = []
    read(path, progress=lambda fraction, message: seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0
    with pytest.raises(ImportCancelled):
        read(path, cancel=lambda: True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_files_raise_only_input_error(tmp_path, data):
    good = write_text(tmp_path / "good.csv", dataweb_monthly_rows()).read_bytes()
    blob = bytearray(good[:data.draw(st.integers(0, len(good)))])
    for _ in range(data.draw(st.integers(0, 4))):
        if blob:
            blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / "mutated.csv"
    path.write_bytes(bytes(blob))
    try:
        frame, _ = read(path)
    except InputError:
        return
    assert np.isfinite(frame["value"].to_numpy()).all()


# --- the real export -------------------------------------------------------------------------

def test_real_monthly_export_matches_its_total_row(real_samples):
    path = real_samples / REAL
    with open(path, newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    header_at = next(i for i, r in enumerate(records) if r and r[0] == "Data Type")
    data = [r for r in records[header_at + 1:] if r and not r[0].startswith("Total")]
    total = next(r for r in records if r and r[0].startswith("Total"))
    month_cols = range(3, 15)
    assert [records[header_at][j] for j in month_cols] == MONTH_NAMES
    column_sums = [sum(round(float(r[j]) * 100) for r in data if r[j].strip()) for j in month_cols]
    column_totals = [round(float(total[j].replace(",", "")) * 100) for j in month_cols]
    assert column_sums == column_totals                                 # per month, to the cent

    frame, report = load_file(path)
    assert report.format == "dataweb_csv" and report.layout == "wide_months"
    assert report.flow == "imports_general" and report.primary_measure == "customs_value"
    assert report.checksum.ok
    assert round(report.checksum.found * 100) == round(report.checksum.expected * 100) == sum(column_totals)
    assert round(report.total_usd * 100) == sum(column_totals)
    by_month = frame.groupby(frame["month"].astype(int))["value"].sum()
    assert [round(by_month[m] * 100) for m in range(1, 13)] == column_totals
    assert not any("sums to" in w for w in report.warnings)
    blank = sum(1 for r in data for j in month_cols if not r[j].strip())
    assert len(frame) == len(data) * 12 - blank and blank == 5
    assert report.rows_dropped[EMPTY] == [i + 1 for i, r in enumerate(records)
                                          if r in data and not all(r[j].strip() for j in month_cols)]
    assert report.rows_dropped[TOTAL] == [len(records)]
    assert set(frame["hts"]) == {""} and report.unmapped_codes[0]["code"] == ""
    assert report.unmapped_partners == []


def test_real_monthly_export_through_the_cli(real_samples):
    proc = subprocess.run([sys.executable, "-m", "mineral_workbench", "import",
                           str(real_samples / REAL), "--json"], capture_output=True, text=True,
                          timeout=180, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    (report,) = json.loads(proc.stdout)
    assert report["format"] == "dataweb_csv" and report["checksum"]["ok"]
    assert report["rows_kept"] == 595 and report["flow"] == "imports_general"
    assert report["rows_dropped"][EMPTY]["count"] == 5


def test_ragged_rows_as_a_hand_saved_csv_has_them(tmp_path):
    rows = [list(row) for row in dataweb_monthly_rows()]
    for row in rows[:2]:                              # title, Data Row Count: no trailing commas
        while row[-1] == "":
            row.pop()
    frame, report = read(write_text(tmp_path / "ragged.csv", rows, newline="\n"))
    assert len(rows[0]) == 1 and len(rows[1]) == 2    # title and Data Row Count unpadded
    assert list(frame["value"]) == expected_values() and report.checksum.ok
    assert report.rows_dropped == {TOTAL: [7], EMPTY: [6]}
