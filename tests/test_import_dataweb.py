"""USITC DataWeb .xlsx importer: both layouts, scale, checksums, provenance, bad files.

Fixtures are written by tests/dataweb_fixtures.py into tmp_path; the real public exports in
../shared/real_samples are read through `load_file`, as the app does.
"""

from __future__ import annotations

import zipfile
from datetime import datetime

import numpy as np
import openpyxl
import pyarrow as pa
import pytest
from dataweb_fixtures import (LONG_ROWS, WIDE_ROWS, declare_wrong_dimension, many_long_rows,
                              query_parameters, total_text, write_long_workbook,
                              write_monthly_workbook, write_wide_workbook)

from mineral_workbench.core.errors import InputError
from mineral_workbench.core.importing import dataweb_xlsx, detect_format, load_file
from mineral_workbench.core.importing.dataweb_common import (ImportCancelled, clean_codes,
                                                             parse_query_parameters,
                                                             parse_total_number)
from mineral_workbench.core.importing.dataweb_layout import detect_layout, parse_sheet
from mineral_workbench.core.importing.report import file_sha256
from mineral_workbench.core.tradeframe import validate_tradeframe


def read(path, **kwargs):
    frame, report = dataweb_xlsx.read(path, **kwargs)
    validate_tradeframe(frame)
    return frame, report


# --- long layout -------------------------------------------------------------------------

def test_long_layout_values_provenance_and_report(tmp_path):
    path = write_long_workbook(tmp_path / "long.xlsx")
    frame, report = read(path)
    assert report.format == "dataweb_xlsx" and report.layout == "long"
    assert report.flow == "imports_consumption" and report.primary_measure == "customs_value"
    assert list(frame["value"]) == [r[5] for r in LONG_ROWS]           # zero kept: a real row
    assert list(frame["hts"]) == [r[2] for r in LONG_ROWS]
    assert "0106190000" in set(frame["hts"])                           # leading zero kept
    assert list(frame["row"]) == [2, 3, 4, 5, 6]                       # Excel rows under header
    assert set(frame["sheet"]) == {"Customs Value"} and set(frame["unit"]) == {"USD"}
    assert set(frame["source_id"]) == {file_sha256(path)} == {report.sha256}
    assert list(frame["partner_code"][:2]) == ["CHN", "CAN"]
    assert list(frame["year"]) == [2023, 2023, 2023, 2024, 2024] and frame["month"].isna().all()
    assert report.rows_read == 6 and report.rows_kept == 5
    assert report.rows_dropped == {"Customs Value: 'Total:' row (checksum, not data)": [7]}
    assert report.checksum.ok and report.checksum.expected == pytest.approx(sum(r[5] for r in LONG_ROWS))
    assert report.total_usd == pytest.approx(sum(r[5] for r in LONG_ROWS))
    assert report.years == [2023, 2024] and report.scale == 1.0
    assert report.download_date == "2025-04-05" and "accessed 2025-04-05" in report.citation
    assert report.query_parameters["Trade Flow"] == "Imports For Consumption"
    assert report.query_parameters["Select Type (Step 3: Countries)"] == "Use All Countries"
    assert report.query_parameters["Commodity List"].startswith("2504, 280530")


def test_millions_scale_applies_to_values_and_checksum(tmp_path):
    rows = [("China", 2023, "8105206000", "COBALT", "Value for: kilograms", 363765.42),
            ("Chile", 2023, "2836910000", "LITHIUM CARBONATE", "Value for: kilograms", 0.01)]
    path = write_long_workbook(tmp_path / "m.xlsx", sheets={"Customs Value": rows},
                               data_format="1000000", total_decimals=2)
    frame, report = read(path)
    assert report.scale == 1_000_000
    assert list(frame["value"]) == pytest.approx([363_765_420_000.0, 10_000.0])
    assert report.checksum.ok and report.checksum.expected == pytest.approx(363_765_430_000.0)


def test_several_measure_sheets_each_with_unit_scale_and_checksum(tmp_path):
    quantity = [(c, y, h, d, "kilograms", v * 2) for c, y, h, d, _, v in LONG_ROWS]
    sheets = {"Customs Value": LONG_ROWS, "First Unit of Quantity": quantity,
              "Landed Duty-Paid Value": LONG_ROWS[:2]}
    path = write_long_workbook(tmp_path / "multi.xlsx", sheets=sheets, data_format=1000000)
    frame, report = read(path)
    assert report.measures == ["customs_value", "quantity_1", "landed_duty_paid"]
    assert report.primary_measure == "customs_value"
    qty = frame[frame["measure"] == "quantity_1"]
    assert set(qty["unit"]) == {"kilograms"}
    assert list(qty["value"]) == [v for *_, v in quantity]             # not scaled by Data Format
    customs = frame[frame["measure"] == "customs_value"]
    assert list(customs["value"]) == [v * 1e6 for *_, v in LONG_ROWS]
    assert set(report.checksums) == {"customs_value", "quantity_1", "landed_duty_paid"}
    assert all(check.ok for check in report.checksums.values())
    assert report.total_usd == pytest.approx(sum(v for *_, v in LONG_ROWS) * 1e6)


def test_wrong_total_fails_the_checksum(tmp_path):
    path = write_long_workbook(tmp_path / "bad_total.xlsx", totals={"Customs Value": "1,000"})
    _, report = read(path)
    assert report.checksum.ok is False and report.checksum.expected == 1000.0
    assert any("'Total:' row says 1,000.00" in w for w in report.warnings)


def test_dropped_rows_have_reasons_and_excel_row_numbers(tmp_path):
    extra = [[None] * 7,                                                     # row 7: blank
             ["Customs Value", "China", 2023, "8105206000", "X", "kg", "N/A"],  # row 8
             ["Customs Value", "China", 2023, "ABC", "X", "kg", 5.0],           # row 9
             ["Customs Value", "China", 2023, "8105206000", "X", "kg", None],   # row 10
             ["Customs Value", "China", "20x3", "8105206000", "X", "kg", 5.0]]  # row 11
    path = write_long_workbook(tmp_path / "dirty.xlsx", extra_rows={"Customs Value": extra})
    frame, report = read(path)
    assert report.rows_kept == 5 and report.rows_read == 11
    dropped = {k.split(": ", 1)[1]: v for k, v in report.rows_dropped.items()}
    assert dropped == {"blank row": [7], "non-numeric value": [8], "HTS Number is not a 2-10 digit code": [9],
                       "empty value cell": [10], "Year is not a year": [11],
                       "'Total:' row (checksum, not data)": [12]}
    assert any("row 8: 'N/A'" in w for w in report.warnings)
    assert report.checksum.ok                        # the total never counted the bad rows


def test_blank_row_between_data_is_dropped_with_its_row(tmp_path):
    extra = [[None] * 7, ["Customs Value", "Peru", 2024, "2602000040", "MN ORE", "kg", 7.0]]
    path = write_long_workbook(tmp_path / "blank.xlsx", extra_rows={"Customs Value": extra},
                               totals={"Customs Value": total_text(sum(r[5] for r in LONG_ROWS) + 7, 2)})
    frame, report = read(path)
    assert report.rows_dropped["Customs Value: blank row"] == [7]
    assert frame["row"].iloc[-1] == 8 and report.checksum.ok


def test_numeric_code_cells_are_re_padded_with_a_warning(tmp_path):
    path = write_long_workbook(tmp_path / "num.xlsx", hts_as_number=True)
    frame, report = read(path)
    assert "0106190000" in set(frame["hts"])
    assert any("lost their leading zero" in w for w in report.warnings)


# --- wide layout -------------------------------------------------------------------------

def test_wide_layout_reshapes_years_and_keeps_row_numbers(tmp_path):
    path = write_wide_workbook(tmp_path / "wide.xlsx")
    frame, report = read(path)
    assert report.layout == "wide" and report.years == [2023, 2024]
    assert len(frame) == 6 and report.rows_kept == 6
    first = frame[frame["row"] == 4]                       # row 4 = first data row, both years
    assert list(first["year"]) == [2023, 2024] and list(first["hts"]) == ["01", "01"]
    assert list(first["value"]) == [31289669.0, 0.0]
    assert report.rows_dropped == {"Customs Value: 'Total:' row (checksum, not data)": [7]}
    assert report.checksum.ok
    assert report.checksum.found == pytest.approx(sum(sum(r[3]) for r in WIDE_ROWS))


def test_wide_layout_data_row_count_mismatch_warns(tmp_path):
    path = write_wide_workbook(tmp_path / "count.xlsx", row_count=99)
    _, report = read(path)
    assert any("'Data Row Count' says 99 rows, 3 data rows were read" in w for w in report.warnings)


def test_wide_per_year_total_mismatch_is_named(tmp_path):
    path = write_wide_workbook(tmp_path / "yt.xlsx", totals={"Customs Value": ["1", "2"]})
    _, report = read(path)
    assert report.checksum.ok is False
    assert any("column 2023 sums to" in w for w in report.warnings)


def test_wide_without_country_is_one_world_partner(tmp_path):
    rows = [(None, "81", "BASE METALS", [10.0, 20.0]), (None, "28", "CHEMICALS", [1.0, 2.0])]
    path = write_wide_workbook(tmp_path / "nocountry.xlsx", sheets={"Customs Value": rows},
                               with_country=False)
    frame, report = read(path)
    assert set(frame["partner_raw"]) == {"World"} and set(frame["partner_code"]) == {"WLD"}
    assert any("no Country column" in w for w in report.warnings)


def test_wide_without_country_uses_a_single_listed_country(tmp_path):
    params = [("Country List", "China") if label == "Country List" else (label, value)
              for label, value in query_parameters()]
    rows = [(None, "81", "BASE METALS", [10.0, 20.0])]
    path = write_wide_workbook(tmp_path / "china.xlsx", sheets={"Customs Value": rows},
                               with_country=False, params=params)
    frame, _ = read(path)
    assert set(frame["partner_raw"]) == {"China"} and set(frame["partner_code"]) == {"CHN"}


def test_wide_without_hts_is_read_with_a_warning_and_no_codes(tmp_path):
    rows = [("China", None, None, [10.0, 20.0])]
    path = write_wide_workbook(tmp_path / "nohts.xlsx", sheets={"FAS Value": rows},
                               with_hts=False, flow="Total Exports")
    frame, report = dataweb_xlsx.read(path)
    assert frame["value"].tolist() == [10.0, 20.0] and (frame["hts"] == "").all()
    assert any("sheet 'FAS Value'" in w and "no 'HTS Number' column" in w for w in report.warnings)


def test_wide_without_query_parameters_takes_flow_from_title(tmp_path):
    path = write_wide_workbook(tmp_path / "noqp.xlsx", flow="General Imports", query=False,
                               sheets={"General Customs Value": WIDE_ROWS})
    frame, report = read(path)
    assert report.flow == "imports_general" and set(frame["measure"]) == {"customs_value"}
    assert report.download_date is None and any("no 'Query Parameters'" in w for w in report.warnings)
    assert dataweb_xlsx.sniff(path, path.read_bytes()[:8192])


def test_wrong_declared_dimension_is_read_fully(tmp_path):
    path = declare_wrong_dimension(write_wide_workbook(tmp_path / "dim.xlsx"))
    book = openpyxl.load_workbook(path, read_only=True)
    assert len(list(book["Customs Value"].iter_rows())) == 1      # the trap is real here
    book.close()
    frame, report = read(path)
    assert len(frame) == 6 and report.checksum.ok


def test_exports_use_fas_value_as_primary_measure(tmp_path):
    path = write_wide_workbook(tmp_path / "x.xlsx", flow="Domestic Exports",
                               sheets={"FAS Value": WIDE_ROWS})
    _, report = read(path)
    assert report.flow == "exports" and report.primary_measure == "fas_value"


def test_wide_non_numeric_cell_drops_that_cell_only(tmp_path):
    extra = [["Customs Value", "Japan", "81", "BASE METALS", "N/A", 40.0]]      # row 7
    path = write_wide_workbook(tmp_path / "na.xlsx", extra_rows={"Customs Value": extra})
    frame, report = read(path)
    assert report.rows_dropped["Customs Value: non-numeric value"] == [7]
    assert list(frame.loc[frame["row"] == 7, "year"]) == [2024]
    assert any("column '2023'" in w and "row 7: 'N/A'" in w for w in report.warnings)


def test_months_as_columns_reshape_with_empty_months_dropped(tmp_path):
    path = write_monthly_workbook(tmp_path / "monthly.xlsx")
    frame, report = read(path)
    assert report.layout == "wide_months" and report.flow == "imports_general"
    assert list(frame["month"]) == [1, 2, 1, 2] and list(frame["year"]) == [2024] * 4
    assert list(frame["value"]) == [100.0, 200.0, 5.0, 0.0]
    assert report.rows_dropped["Customs Value: empty value cell"] == [4, 5]
    assert report.checksum.ok


def test_wide_quantity_sheet_takes_unit_from_quantity_description(tmp_path):
    path = write_wide_workbook(tmp_path / "q.xlsx", data_format="1000000",
                               sheets={"Customs Value": WIDE_ROWS,
                                       "First Unit of Quantity": WIDE_ROWS},
                               quantity_description="kilograms")
    frame, report = read(path)
    qty = frame[frame["measure"] == "quantity_1"]
    assert set(qty["unit"]) == {"kilograms"} and qty["value"].iloc[0] == 31289669.0
    assert frame.loc[frame["measure"] == "customs_value", "value"].iloc[0] == 31289669.0e6
    assert report.checksums["quantity_1"].ok and report.checksums["customs_value"].ok


@pytest.mark.parametrize("peeked", [
    [["Data Type", "Bogus"]],                                               # peek unusable
    [["Data Type", "Country", "Year", "HTS Number", "Description", "Quantity Description",
      "Some Other Value"]],                                                 # peek disagrees
])
def test_layout_found_without_the_xml_peek(tmp_path, monkeypatch, peeked):
    """If the quick header peek fails or disagrees with calamine, the sheet is read again in
    full as text and gives the same frame."""
    path = write_long_workbook(tmp_path / "peek.xlsx")
    expected, _ = read(path)
    monkeypatch.setattr(dataweb_xlsx, "peek_rows", lambda *a, **k: peeked)
    frame, report = read(path)
    assert frame.equals(expected) and report.checksum.ok


@pytest.mark.parametrize("data_format, scale, warns", [
    ("1", 1.0, False), (1000000, 1e6, False), ("1,000,000", 1e6, False),
    ("Millions of dollars", 1e6, False), ("whatever", 1.0, True)])
def test_data_format_written_in_several_ways(data_format, scale, warns):
    params = parse_query_parameters([("Data Format", data_format), ("Trade Flow", "Odd Flow")])
    assert params.scale == scale
    assert any("Data Format" in w for w in params.warnings) is warns
    assert params.flow is None and any("unknown Trade Flow" in w for w in params.warnings)


def test_download_date_from_excel_datetime_serial_or_text():
    as_date = parse_query_parameters([("Download Date", datetime(2026, 3, 27, 12, 52))])
    assert as_date.download_date == "2026-03-27"
    assert parse_query_parameters([("Download Date", "46108.5363")]).download_date == "2026-03-27"
    assert parse_query_parameters([("Download Date", "4/5/2025")]).download_date == "2025-04-05"


def test_text_numbers_and_codes_helpers():
    assert parse_total_number("72,806,911,050") == 72806911050.0
    assert parse_total_number(" 363,765.42 ") == 363765.42
    assert parse_total_number("(1,234)") == -1234.0 and parse_total_number("n/a") is None
    codes, ok, padded = clean_codes(pa.array(["01", "106190000", "8105.20.60.00", "ABC", None]))
    assert codes.to_pylist()[:3] == ["01", "0106190000", "8105206000"]
    assert list(ok) == [True, True, True, False, False] and padded == 1


# --- progress, cancel, sniffing ----------------------------------------------------------

def test_progress_is_reported_and_cancel_stops(tmp_path):
    path = write_long_workbook(tmp_path / "p.xlsx")
    seen = []
    read(path, progress=lambda fraction, message: seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(ImportCancelled):
        dataweb_xlsx.read(path, cancel=lambda: True)


def test_sniff_accepts_dataweb_and_rejects_others(tmp_path):
    long_path = write_long_workbook(tmp_path / "a.xlsx")
    other = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Name", "Value"])
    book.save(other)
    text = tmp_path / "t.csv"
    text.write_text("a,b\n1,2\n")
    assert dataweb_xlsx.sniff(long_path, long_path.read_bytes()[:8192])
    assert not dataweb_xlsx.sniff(other, other.read_bytes()[:8192])
    assert not dataweb_xlsx.sniff(text, text.read_bytes())
    assert detect_format(long_path) == "dataweb_xlsx"


# --- bad files ---------------------------------------------------------------------------

def _error(path) -> str:
    with pytest.raises(InputError) as err:
        dataweb_xlsx.read(path)
    assert path.name in str(err.value)
    return str(err.value)


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("Data Type,Country\n")
    assert "not a zip archive" in _error(path)


def test_missing_file_is_an_input_error(tmp_path):
    assert "cannot open the file" in _error(tmp_path / "gone.xlsx")


def test_truncated_zip_is_refused(tmp_path):
    good = write_long_workbook(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) // 2])
    assert "corrupt .xlsx" in _error(path)
    assert dataweb_xlsx.sniff(path, path.read_bytes()[:8192])   # claimed, so read() explains


def test_ole_files_say_encrypted_or_legacy(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64
                          + "EncryptedPackage".encode("utf-16-le"))
    legacy = tmp_path / "old.xlsx"
    legacy.write_bytes(ole + "Workbook".encode("utf-16-le") + b"\0" * 64)
    assert "password-protected" in _error(encrypted)
    assert "legacy Excel 97-2003 (.xls)" in _error(legacy)
    assert dataweb_xlsx.sniff(encrypted, encrypted.read_bytes()[:8192])


def test_zip_bomb_is_refused_before_parsing(tmp_path, monkeypatch):
    path = write_long_workbook(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (8 * 1024**2))    # ~1000x ratio
    assert "zip bomb" in _error(path)
    from mineral_workbench.core.importing import xlsx_guard
    monkeypatch.setattr(xlsx_guard, "MAX_COMPRESSION_RATIO", 10**6)
    monkeypatch.setattr(xlsx_guard, "MAX_UNCOMPRESSED_BYTES", 1024**2)
    assert "would inflate" in _error(path)


def test_workbook_without_measure_sheets_is_refused(tmp_path):
    path = tmp_path / "none.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Query Parameters"
    book.create_sheet("Notes")
    book.save(path)
    assert "no measure sheet" in _error(path)


def test_empty_measure_sheet_is_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Customs Value"
    book.save(path)
    message = _error(path)
    assert "sheet 'Customs Value'" in message and "empty" in message


def test_sheet_without_header_is_refused(tmp_path):
    path = tmp_path / "nohead.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Customs Value"
    book.active.append(["Country", "Value"])
    book.active.append(["China", 5])
    book.save(path)
    message = _error(path)
    assert "sheet 'Customs Value'" in message and "no header row starting with 'Data Type'" in message


# --- real public exports -----------------------------------------------------------------

def test_real_hts2_export_through_load_file(real_samples):
    path = real_samples / "dataweb_wide_hts2.xlsx"
    frame, report = load_file(path)
    assert report.format == "dataweb_xlsx" and report.layout == "wide"
    assert report.flow == "exports" and report.primary_measure == "fas_value"
    assert len(frame) == 97 and report.years == [2023]
    assert frame["hts"].iloc[0] == "01" and frame["value"].iloc[0] == 31289669.0
    assert list(frame["row"][:2]) == [4, 5]
    assert report.checksum.ok and report.checksum.expected == 125_801_943_398.0
    assert frame["value"].sum() == 125_801_943_398.0                  # to the dollar
    assert report.download_date == "2025-04-05" and "accessed 2025-04-05" in report.citation
    assert set(frame["partner_raw"]) == {"China"}                       # Country List: China


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_real_files_declare_a_wrong_dimension_and_are_read_fully(real_samples):
    for name, rows in (("dataweb_wide_hts2.xlsx", 97), ("dataweb_wide_dollars.xlsx", 250)):
        with zipfile.ZipFile(real_samples / name) as archive:
            assert b'<dimension ref="A1"/>' in archive.read("xl/worksheets/sheet2.xml")
        book = openpyxl.load_workbook(real_samples / name, read_only=True)
        assert len(list(book["FAS Value"].iter_rows())) == 1
        book.close()
    frame, _ = dataweb_xlsx.read(real_samples / "dataweb_wide_hts2.xlsx")
    assert len(frame) == 97


def test_real_dollars_export_without_codes_is_read_and_checked_but_maps_nothing(real_samples):
    path = real_samples / "dataweb_wide_dollars.xlsx"
    frame, report = load_file(path)
    assert len(frame) == 250 * 38 and (frame["hts"] == "").all()
    assert report.flow == "exports" and report.primary_measure == "fas_value"
    assert report.checksum.ok and report.checksum.expected == frame["value"].sum()
    assert any("sums all commodities" in w and "Break Out Commodities" in w for w in report.warnings)
    [unmapped] = report.unmapped_codes
    assert unmapped["code"] == "" and unmapped["value_usd"] == frame["value"].sum()
    assert "sums all commodities" in unmapped["reason"]


def test_real_dollars_sheet_totals_match_to_the_dollar(real_samples):
    """Parsed below the TradeFrame level: 250 countries x 38 years, every year's column equal
    to its `Total:` text number exactly."""
    import fastexcel

    path = real_samples / "dataweb_wide_dollars.xlsx"
    grid = dataweb_xlsx.load_grid(fastexcel.read_excel(path), path, "FAS Value")
    layout = detect_layout(dataweb_xlsx._head(grid), file=path, sheet="FAS Value")
    assert layout.kind == "wide" and layout.declared_rows == 250 and len(layout.periods) == 38
    parsed = parse_sheet(grid, layout, file=path, sheet="FAS Value")
    assert len(parsed.value) == 250 * 38 and not parsed.warnings
    assert parsed.total == sum(total for _, total, _ in parsed.period_checks)
    assert all(total == found for _, total, found in parsed.period_checks)
    label, total, _ = parsed.period_checks[0]
    assert (label, total) == ("1989", 363_765_499_644.0)
    assert float(np.sum(parsed.value)) == parsed.total


def test_long_file_of_many_rows(tmp_path):
    rows = many_long_rows(3000)
    path = write_long_workbook(tmp_path / "big.xlsx", sheets={"Customs Value": rows})
    frame, report = read(path)
    assert len(frame) == 3000 and report.checksum.ok and frame["row"].iloc[-1] == 3001


def test_an_empty_measure_sheet_adds_no_label_category(tmp_path):
    """Label columns carry only the values that occur (as `astype('category')` would), so an
    empty sheet leaves no trace in the frame a workspace saves."""
    path = tmp_path / "x.xlsx"
    write_long_workbook(path, sheets={"Customs Value": LONG_ROWS, "First Unit of Quantity": []})
    frame, _report = load_file(path)
    for column in ("sheet", "measure"):
        assert sorted(frame[column].cat.categories) == sorted(frame[column].unique())
