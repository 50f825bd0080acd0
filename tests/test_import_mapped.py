"""Any spreadsheet or CSV through a column-mapping profile (FORMATS.md §7): exact frames from
messy sheets, the three period shapes, .xlsx/.ods/.xls/.csv alike, preview and first guesses
for the mapping dialog, live validation, and only InputError/ProfileError ever escaping."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mineral_workbench.core.errors import InputError, OperationCancelled
from mineral_workbench.core.importing import load_file, mapped
from mineral_workbench.core.importing.grid import read_grid, sniff_delimiter
from mineral_workbench.core.importing.mapped_headers import parse_period
from mineral_workbench.core.importing.profile import Profile, ProfileError, save_profile
from mineral_workbench.core.importing.report import file_sha256
from mineral_workbench.core.tradeframe import validate_tradeframe

from mapped_fixtures import (MESSY_WIDE_EXPECTED, MESSY_WIDE_PROFILE, MESSY_WIDE_ROWS,
                             write_long_csv, write_messy_wide, write_ods, write_xls, write_xlsx)

COLS = ["row", "hts", "partner_raw", "partner_code", "year", "value"]
LONG_PROFILE = Profile(
    name="Partner CSV", header_row=2,
    columns={"code": "Commodity", "country": "Partner", "year": "Year", "value": "Value (USD)",
             "quantity": "Quantity", "unit": "Unit"},
    flow="imports_consumption")


def as_tuples(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame[COLS].itertuples(index=False, name=None)]


def assert_messy_wide(frame: pd.DataFrame, report, sheet: str = "Imports") -> None:
    assert as_tuples(frame) == MESSY_WIDE_EXPECTED
    assert (frame["flow"] == "imports_general").all() and (frame["measure"] == "customs_value").all()
    assert (frame["unit"] == "USD").all() and frame["month"].isna().all()
    assert (frame["sheet"] == sheet).all()
    assert report.format == "mapped" and report.layout == "wide_years"
    assert report.query_parameters["profile"] == "Hand-made wide sheet"
    assert report.rows_dropped == {"blank row": [6], "total row (checksum, not data)": [10],
                                   "code is not a 2-10 digit HS/HTS code": [8],
                                   "empty value cell": [7], "non-numeric value": [9]}
    assert report.rows_read == 7 and report.rows_kept == 6
    assert report.years == [2022, 2023] and report.flow == "imports_general"
    assert report.primary_measure == "customs_value" and report.measures == ["customs_value"]
    assert report.total_usd == pytest.approx(3005.75)
    assert report.checksum.ok and report.checksum.expected == pytest.approx(1210.5 + 1795.25)
    assert any("lost their leading zero" in w for w in report.warnings)
    assert any("row 9: 'n/a'" in w for w in report.warnings)


# --- the messy sheet, in every container -------------------------------------------------------

def test_messy_wide_xlsx_gives_the_exact_frame(tmp_path):
    path = write_messy_wide(tmp_path / "messy.xlsx")
    frame, report = mapped.read(path, MESSY_WIDE_PROFILE)
    validate_tradeframe(frame)
    assert_messy_wide(frame, report)
    assert (frame["source_id"] == file_sha256(path)).all() and report.sha256 == file_sha256(path)
    assert report.sheets == ["Imports", "Notes"]


def test_load_file_with_a_profile_end_to_end(tmp_path):
    path = write_messy_wide(tmp_path / "messy.xlsx")
    profile_file = save_profile(Profile.from_json(MESSY_WIDE_PROFILE), tmp_path / "p.json")
    for profile in (Profile.from_json(MESSY_WIDE_PROFILE), profile_file):
        frame, report = load_file(path, profile=profile)
        assert_messy_wide(frame, report)
        assert report.unmapped_partners == [] and report.aggregate_partners == []
    json.dumps(report.to_json())


def test_per_file_profiles_mix_a_mapped_file_with_a_recognised_export(tmp_path):
    from mineral_workbench.core.analysis import load_sources  # noqa: PLC0415
    from mineral_workbench.core.resources import sample_workbook  # noqa: PLC0415

    path = write_messy_wide(tmp_path / "messy.xlsx")
    alone = load_sources([sample_workbook()])
    both = load_sources([sample_workbook(), path],
                        profiles={str(path): Profile.from_json(MESSY_WIDE_PROFILE)})
    assert [r.format for r in both.reports] == ["dataweb_xlsx", "mapped"]
    mapped_rows = both.frame[both.frame["source_id"] == file_sha256(path)]
    assert_messy_wide(mapped_rows.reset_index(drop=True), both.reports[1])
    assert len(both.frame) == len(alone.frame) + len(mapped_rows)


def test_ods_reads_like_xlsx(tmp_path):
    path = write_ods(tmp_path / "messy.ods", {"Imports": MESSY_WIDE_ROWS, "Notes": [["x"]]})
    frame, report = mapped.read(path, MESSY_WIDE_PROFILE)
    assert_messy_wide(frame, report)


def test_legacy_xls_reads_like_xlsx(tmp_path):
    pytest.importorskip("xlwt")
    path = write_xls(tmp_path / "messy.xls", MESSY_WIDE_ROWS, sheet="Imports")
    frame, report = mapped.read(path, MESSY_WIDE_PROFILE)
    assert_messy_wide(frame, report)
    assert any("legacy Excel 97-2003" in w for w in report.warnings)
    shown = mapped.preview(path)
    assert shown.kind == "xls" and shown.sheets == ["Imports"] and shown.suggested_header_row == 3


def test_wrong_extension_is_read_as_what_the_file_is(tmp_path):
    path = write_ods(tmp_path / "messy.xlsx", {"Imports": MESSY_WIDE_ROWS})
    frame, report = mapped.read(path, MESSY_WIDE_PROFILE)
    assert as_tuples(frame) == MESSY_WIDE_EXPECTED
    assert any("named .xlsx but is an OpenDocument" in w for w in report.warnings)


def test_macro_enabled_workbook_is_read_with_a_warning(tmp_path):
    path = write_messy_wide(tmp_path / "messy.xlsm")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"Attribute VB_Name = \"Evil\"")
    frame, report = mapped.read(path, MESSY_WIDE_PROFILE)
    assert as_tuples(frame) == MESSY_WIDE_EXPECTED
    assert any("macros" in w and "not run" in w for w in report.warnings)


def test_leading_empty_rows_and_columns_keep_excel_numbers(tmp_path):
    rows = [[None]] * 4 + [[None, None, "HTS", "Country", "2023"], [None, None, "2504", "China", 5]]
    path = write_xlsx(tmp_path / "offset.xlsx", rows)
    profile = Profile(name="o", header_row=5, columns={"code": 3, "country": "D",
                                                       "year_columns": ["2023"]})
    with pytest.raises(ProfileError, match="no column headed 'D'"):
        mapped.read(path, profile)
    frame, _ = mapped.read(path, replace(profile, columns={"code": 3, "country": 4,
                                                           "year_columns": "auto"}))
    assert as_tuples(frame) == [(6, "2504", "China", "CHN", 2023, 5.0)]


# --- long CSV ----------------------------------------------------------------------------------

def test_long_csv_in_cp1252_with_semicolons(tmp_path):
    path = write_long_csv(tmp_path / "partner.csv")
    frame, report = load_file(path, profile=LONG_PROFILE)
    values = frame[frame["measure"] == "customs_value"]
    assert as_tuples(values) == [
        (3, "8105206000", "C\u00f4te d'Ivoire", "CIV", 2023, 1250.0),
        (4, "2504101000", "T\u00fcrkiye", "TUR", 2023, 500.0),
        (6, "2846901000", "China", "CHN", 2024, 2000.5)]
    quantities = frame[frame["measure"] == "quantity_1"]
    assert list(quantities["row"]) == [3, 5, 6] and list(quantities["value"]) == [10, 5, 100]
    assert set(quantities["unit"]) == {"kg"} and set(values["unit"]) == {"USD"}
    assert report.encoding == "cp1252" and any("Windows-1252" in w for w in report.warnings)
    assert report.rows_dropped == {"total row (checksum, not data)": [7],
                                   "non-numeric value": [5], "empty quantity cell": [4]}
    assert report.measures == ["customs_value", "quantity_1"]
    assert report.primary_measure == "customs_value" and report.total_usd == 3750.5
    assert report.checksum.ok and report.checksum.expected == 3750.5
    assert report.flow == "imports_consumption" and report.layout == "long"


def test_scale_multiplies_values_and_their_checksum(tmp_path):
    path = write_long_csv(tmp_path / "partner.csv")
    frame, report = mapped.read(path, replace(LONG_PROFILE, scale=1000, quantity_scale=1000))
    assert report.total_usd == 3_750_500 and report.checksum.ok
    assert report.scale == 1000
    assert frame.loc[frame["measure"] == "quantity_1", "value"].tolist() == [10_000, 5_000, 100_000]


def test_codes_are_text_and_repaired(tmp_path):
    lines = ["Code,Country,Year,Value", "106190000,China,2023,1", "71320,China,2023,2",
             "2504.1,China,2023,3", "8105206000 Unwrought Cobalt (kg),China,2023,4",
             "'0106,China,2023,5", "8105.20.60.00,China,2023,6", "12345678901,China,2023,7",
             "ABC,China,2023,8"]
    path = tmp_path / "codes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    profile = Profile(name="c", columns={"code": "Code", "country": "Country", "year": "Year",
                                         "value": "Value"}, flow="imports_general")
    frame, report = mapped.read(path, profile)
    assert frame["hts"].tolist() == ["0106190000", "071320", "250410", "8105206000", "0106",
                                     "8105206000"]
    assert report.rows_dropped == {"code is not a 2-10 digit HS/HTS code": [8, 9]}
    assert any("2 code(s) had lost their leading zero" in w for w in report.warnings)
    assert any("description after the code" in w for w in report.warnings)


def test_csv_row_numbers_are_editor_lines(tmp_path):
    path = tmp_path / "multiline.csv"
    path.write_text('Code,Country,Year,Value,Note\n2504,China,2023,1,"two\nlines"\n'
                    "2602,Gabon,2023,2,\n\n8105,Japan,2023,x,\n", encoding="utf-8")
    profile = Profile(name="m", columns={"code": "Code", "country": "Country", "year": "Year",
                                         "value": "Value"})
    frame, report = mapped.read(path, profile)
    assert frame["row"].tolist() == [2, 4]
    assert report.rows_dropped == {"blank row": [5], "non-numeric value": [6]}
    assert any("flow set to 'unknown'" in w for w in report.warnings)
    assert any("no total row" in w for w in report.warnings)


def test_utf16_tab_separated_text(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("Code\tCountry\tYear\tValue\r\n2504\tChina\t2023\t1\r\n".encode("utf-16"))
    profile = Profile(name="u", columns={"code": "Code", "country": "Country", "year": "Year",
                                         "value": "Value"})
    frame, report = mapped.read(path, profile)
    assert as_tuples(frame) == [(2, "2504", "China", "CHN", 2023, 1.0)]
    assert report.encoding == "utf-16"


# --- period shapes, flows, fixed values --------------------------------------------------------

def test_months_as_columns_with_a_year_column_and_blank_months(tmp_path):
    path = tmp_path / "monthly.csv"
    path.write_text('"General Imports|Monthly data for 2023,2024"\nData Row Count,2\n'
                    "Data Type,Country,Year,January,February,March\n"
                    'General Customs Value,Chile,2023,"1,000",200,30\n'
                    "General Customs Value,Chile,2024,5,,\n"
                    'Total: ,,,"1,005",200,30\n', encoding="utf-8")
    profile = Profile(name="monthly", header_row=3, fixed={"code": "2836910000"},
                      columns={"country": "Country", "year": "Year", "month_columns": "auto"},
                      flow="imports_general")
    frame, report = mapped.read(path, profile)
    assert report.layout == "wide_months"
    assert list(zip(frame["year"], frame["month"], frame["value"])) == [
        (2023, 1, 1000.0), (2023, 2, 200.0), (2023, 3, 30.0), (2024, 1, 5.0)]
    assert set(frame["hts"]) == {"2836910000"} and set(frame["partner_code"]) == {"CHL"}
    assert report.rows_dropped["empty value cell"] == [5]
    assert report.checksum.ok and report.checksum.expected == 1235


def test_month_headers_carrying_years_need_no_year_column(tmp_path):
    rows = [["HTS", "Partner", "Jan 2024", "Feb 2024", "2024-03"],
            ["8105206000", "Japan", 1, 2, 3]]
    path = write_xlsx(tmp_path / "m.xlsx", rows)
    profile = Profile(name="m", columns={"code": "HTS", "country": "Partner",
                                         "month_columns": "auto"})
    frame, _ = mapped.read(path, profile)
    assert list(zip(frame["year"], frame["month"])) == [(2024, 1), (2024, 2), (2024, 3)]
    no_year = Profile(name="m", columns={"code": "HTS", "country": "Partner",
                                         "month_columns": ["January"]})
    rows[0][2] = "January"
    path = write_xlsx(tmp_path / "m2.xlsx", rows)
    assert any("names no year" in p for p in mapped.validate(path, no_year))
    frame, _ = mapped.read(path, replace(no_year, fixed={"year": 2022}))
    assert list(zip(frame["year"], frame["month"], frame["value"])) == [(2022, 1, 1.0)]


def test_long_periods_flow_column_fill_down_and_overrides(tmp_path):
    rows = [["Reporter report"], [],
            ["Partner", "Flow", "Period", "HS", "Trade value"],
            ["Other Asia, nes", "Import", "2023-05", "2504", 10],
            [None, "Import", "202306", "2504", 20],
            ["Chile", "Re-export", "2023", "2836", 30],
            ["Chile", "Export", "not a year", "2836", 40],
            ["World", None, None, None, 100]]
    path = write_xlsx(tmp_path / "long.xlsx", rows)
    profile = Profile(name="flows", header_row=3,
                      columns={"country": "Partner", "flow": "Flow", "year": "Period",
                               "code": "HS", "value": "Trade value"},
                      flow_values={"import": "imports_general"}, fill_down=["country"],
                      partner_overrides={"Other Asia, nes": "TWN"})
    frame, report = mapped.read(path, profile)
    assert list(zip(frame["partner_code"], frame["flow"], frame["year"], frame["month"])) == [
        ("TWN", "imports_general", 2023, 5), ("TWN", "imports_general", 2023, 6),
        ("CHL", "unknown", 2023, pd.NA)]
    assert report.rows_dropped == {"total row (checksum, not data)": [8], "year is not a year": [7]}
    assert report.flow == "mixed"
    assert any("'Re-export'" in w for w in report.warnings)
    assert not report.checksum.ok and report.checksum.expected == 100
    assert "customs_value: rows kept sum to 60.00, the total row says 100.00 (difference " \
           "-40.00)" in report.warnings


def test_subtotals_and_grand_total(tmp_path):
    rows = [["Country", "HTS", "2023"], ["China", "2504", 1], ["China", "2602", 2],
            ["Total China", None, 3], ["Chile", "2504", 4], ["Total Chile", None, 4],
            ["Grand total", None, 7]]
    path = write_xlsx(tmp_path / "sub.xlsx", rows)
    profile = Profile(name="s", columns={"country": "Country", "code": "HTS",
                                         "year_columns": "auto"})
    frame, report = mapped.read(path, profile)
    assert frame["value"].sum() == 7 and report.checksum.ok and report.checksum.expected == 7
    assert report.rows_dropped["total row (checksum, not data)"] == [4, 6, 7]
    frame, report = mapped.read(path, replace(profile, total_pattern=""))
    assert report.rows_dropped == {"code is not a 2-10 digit HS/HTS code": [4, 6, 7]}


def test_accounting_numbers_are_read(tmp_path):
    rows = [["HTS", "Country", "2023"], ["2504", "China", "$1,234"], ["2504", "Chile", "(56)"],
            ["2504", "Peru", "1 000"], ["2504", "Japan", "(D)"]]
    path = write_xlsx(tmp_path / "acct.xlsx", rows)
    profile = Profile(name="a", columns={"code": "HTS", "country": "Country",
                                         "year_columns": "auto"})
    frame, report = mapped.read(path, profile)
    assert frame["value"].tolist() == [1234.0, -56.0, 1000.0]
    assert report.rows_dropped == {"non-numeric value": [5]}
    assert any("row 5: '(D)'" in w for w in report.warnings)


def test_quantity_only_long_sheet(tmp_path):
    rows = [["HTS", "Country", "Year", "Net weight", "Unit"], ["2504", "China", 2023, "1,5", "t"],
            ["2504", "Chile", 2023, "2", "t"]]
    path = write_xlsx(tmp_path / "q.xlsx", rows)
    profile = Profile(name="q", columns={"code": "HTS", "country": "Country", "year": "Year",
                                         "quantity": "Net weight", "unit": "Unit"},
                      quantity_measure="net_weight", quantity_scale=1000)
    frame, report = mapped.read(path, profile)
    assert report.primary_measure == "net_weight" and report.total_usd == 0
    assert frame["value"].tolist() == [15000.0, 2000.0] and set(frame["unit"]) == {"t"}


# --- validation and errors ---------------------------------------------------------------------

def test_validate_names_each_problem(tmp_path):
    path = write_messy_wide(tmp_path / "messy.xlsx")
    good = Profile.from_json(MESSY_WIDE_PROFILE)
    assert mapped.validate(path, good) == []
    cases = {
        "columns.country: missing": replace(good, columns={"code": "HTS Number",
                                                           "year_columns": "auto"}),
        "columns.code: no column headed 'HTS'": replace(good, columns={**good.columns,
                                                                       "code": "HTS"}),
        "header_row: row 40 is past the end of the sheet 'Imports' (10 rows)":
            replace(good, header_row=40),
        "columns.country: column 9 is past the last column (5)":
            replace(good, columns={**good.columns, "country": 9}),
        "columns.year_columns: column 3 ('Description') has no year":
            replace(good, columns={**good.columns, "year_columns": ["2022", "Description"]}),
        "there is no sheet named 'Exports'": replace(good, sheet="Exports"),
        "header_row: no data rows below row 3 could be read (blank row (1), total row "
        "(checksum, not data) (1), code is not a 2-10 digit HS/HTS code (5))":
            replace(good, columns={**good.columns, "code": "Description"}),
    }
    for expected, profile in cases.items():
        problems = mapped.validate(path, profile)
        assert any(expected in p for p in problems), (expected, problems)
    problems = mapped.validate(path, {"version": 1, "name": "x", "colour": 1})
    assert len(problems) == 1 and problems[0].startswith("colour: unknown field (known: ")


def test_read_raises_profile_error_for_a_mismatched_profile(tmp_path):
    path = write_messy_wide(tmp_path / "messy.xlsx")
    bad = replace(Profile.from_json(MESSY_WIDE_PROFILE), header_row=40)
    with pytest.raises(ProfileError) as info:
        load_file(path, profile=bad)
    assert str(info.value).startswith("messy.xlsx, profile 'Hand-made wide sheet', field 'header_row'")
    dup = write_xlsx(tmp_path / "dup.xlsx", [["HTS", "Value", "Value"], ["2504", 1, 2]])
    profile = Profile(name="d", columns={"code": "HTS", "value": "Value", "year": "Value"},
                      fixed={"country": "China"})
    problems = mapped.validate(dup, replace(profile, columns={"code": "HTS", "value": "Value"},
                                            fixed={"country": "China", "year": 2023}))
    assert problems == ["columns.value: 2 columns are headed 'Value' (columns 2, 3): refer to "
                        "it by its column number"]
    frame, _ = mapped.read(dup, replace(profile, columns={"code": "HTS", "value": 3},
                                        fixed={"country": "China", "year": 2023}))
    assert frame["value"].tolist() == [2.0]


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"PK\x03\x04garbage that is no zip", "damaged zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "OLE compound file"),
    (b"\x00\x01\x02binary\x00" * 20, "binary"),
])
def test_bad_files_raise_input_error(tmp_path, content, words):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=words):
        mapped.read(path, MESSY_WIDE_PROFILE)
    assert any(words in p for p in mapped.validate(path, MESSY_WIDE_PROFILE))


def test_guarded_containers(tmp_path):
    other_zip = tmp_path / "notes.ods"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="neither an Excel workbook nor an OpenDocument"):
        mapped.read(other_zip, MESSY_WIDE_PROFILE)
    encrypted = tmp_path / "secret.ods"
    with zipfile.ZipFile(encrypted, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", "<manifest:file-entry><manifest:encryption-data"
                                                  "/></manifest:file-entry>")
        archive.writestr("content.xml", b"\x8f\x01 encrypted bytes")
    with pytest.raises(InputError, match="password-protected"):
        mapped.read(encrypted, MESSY_WIDE_PROFILE)
    with pytest.raises(InputError, match="file not found"):
        mapped.read(tmp_path / "missing.csv", MESSY_WIDE_PROFILE)
    with pytest.raises(InputError, match="sheet number 3"):
        read_grid(write_messy_wide(tmp_path / "m.xlsx"), 3)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict:
    """Valid files to mutate, written once (an .xlsx carries its creation time, and hypothesis
    needs the same bytes on every run to replay an example)."""
    folder = tmp_path_factory.mktemp("seeds")
    return {"folder": folder, "csv": write_long_csv(folder / "p.csv").read_bytes(),
            "xlsx": write_messy_wide(folder / "m.xlsx").read_bytes()}


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_mutated_files_only_raise_our_errors(seeds, data):
    kind = data.draw(st.sampled_from(["csv", "xlsx"]))
    source = seeds[kind]
    profile = LONG_PROFILE if kind == "csv" else Profile.from_json(MESSY_WIDE_PROFILE)
    raw = bytearray(source)
    for _ in range(data.draw(st.integers(1, 8))):
        action = data.draw(st.sampled_from(["flip", "cut", "junk"]))
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if action == "flip" and raw:
            raw[at] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del raw[at:]
        else:
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=40))
    path = seeds["folder"] / f"mutant.{kind}"
    path.write_bytes(bytes(raw))
    try:
        frame, _ = mapped.read(path, profile)
        validate_tradeframe(frame)
    except (InputError, ProfileError):
        pass
    assert isinstance(mapped.validate(path, profile), list)


def test_progress_and_cancel(tmp_path):
    path = write_messy_wide(tmp_path / "messy.xlsx")
    seen = []
    mapped.read(path, MESSY_WIDE_PROFILE, progress=lambda f, text: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(OperationCancelled):
        mapped.read(path, MESSY_WIDE_PROFILE, cancel=lambda: True)


# --- preview and first guesses for the dialog --------------------------------------------------

def test_preview_of_a_dataweb_like_workbook_opens_on_the_data_sheet(tmp_path):
    rows = [["Total Exports|Annual Data"], ["Data Row Count", 2],
            ["Data Type", "Country", "HTS Number", "Description", "2022", "2023"],
            ["FAS Value", "China", "8105206000", "COBALT", "1,000", "2,000"],
            ["FAS Value", "Chile", "2836910000", "LITHIUM CARBONATE", "3", "4"],
            ["Total: ", None, None, None, "1,003", "2,004"]]
    path = write_xlsx(tmp_path / "dw.xlsx", [["Download Date", "2025-01-01"],
                                             ["Trade Flow", "Total Exports"]],
                      sheet="Query Parameters", extra_sheets={"FAS Value": rows})
    shown = mapped.preview(path)
    assert shown.sheets == ["Query Parameters", "FAS Value"] and shown.sheet == "FAS Value"
    assert shown.suggested_header_row == 3 and shown.kind == "xlsx"
    assert shown.rows[0][0] == "Total Exports|Annual Data" and shown.rows[3][2] == "8105206000"
    assert all(len(r) == 6 for r in shown.rows) and shown.row_numbers == [1, 2, 3, 4, 5, 6]
    assert shown.suggested_roles == {"country": "Country", "code": "HTS Number",
                                     "year_columns": ["2022", "2023"]}
    assert mapped.preview(path, sheet="Query Parameters", max_rows=1).rows == [
        ["Download Date", "2025-01-01"]]
    profile = replace(mapped.suggest_profile(path, name="DataWeb FAS"), flow="exports",
                      measure="fas_value")
    assert profile.sheet == "FAS Value" and profile.columns["year_columns"] == "auto"
    assert profile.signature == "data type|country|hts number|description|{years}"
    assert mapped.validate(path, profile) == []
    frame, report = load_file(path, profile=profile)
    assert report.checksum.ok and report.total_usd == 3007 and len(frame) == 4


@pytest.mark.parametrize("rows, expected", [
    ([["General Imports|Monthly data"], ["Data Row Count", "50"], ["Data Type", "Country", "Year",
      "January"], ["Customs Value", "China", "2023", "1,234"]], 3),
    ([["HTS", "Country", "2022", "2023"], ["2504", "China", "1", "2"]], 1),
    ([["Report of imports"], [], ["Prepared 2024-01-01", "by X"], ["Code", "Partner", "Value"],
      ["2504", "Chile", "12"]], 4),
    ([["Code", "Partner"], ["Code", "Partner"], ["Only", "text"]], None),
    ([["1", "2", "3"], ["4", "5", "6"]], None),
    ([], None),
])
def test_detect_header_row(rows, expected):
    assert mapped.detect_header_row(rows) == expected


@pytest.mark.parametrize("header, sample, expected", [
    (["Commodity", "Country", "District", "Time", "Customs  Value (Cons) ($US)"],
     [["8105206000 Unwrought Cobalt (kg)", "China", "x", "2024", "45,728,453"]],
     {"code": "Commodity", "country": "Country", "year": "Time",
      "value": "Customs  Value (Cons) ($US)"}),
    (["Partner ISO", "HS code", "Year", "Trade Value (US$)", "Qty", "Qty Unit", "Trade Flow"],
     [["CHN", "810520", "2023", "5", "1", "kg", "Import"]],
     {"country": "Partner ISO", "code": "HS code", "year": "Year", "value": "Trade Value (US$)",
      "quantity": "Qty", "unit": "Qty Unit", "flow": "Trade Flow", "country_system": "iso3"}),
    (["Data Type", "Country", "Year", "January", "Feb", "March"], [],
     {"country": "Country", "year": "Year", "month_columns": ["January", "Feb", "March"]}),
    (["Product code", "Product description", "Value", "Value"], [["2504", "x", "1", "2"]],
     {"code": "Product code", "value": 3}),
])
def test_suggest_roles(header, sample, expected):
    assert mapped.suggest_roles(header, sample) == expected


@pytest.mark.parametrize("text, month_numbers, expected", [
    ("2023", False, (2023, None)), ("2023.0", False, (2023, None)), ("'2023", False, (2023, None)),
    ("March", False, (None, 3)), ("sep.", False, (None, 9)), ("2023-03", False, (2023, 3)),
    ("202303", False, (2023, 3)), ("Mar 2023", False, (2023, 3)), ("2023 - March", False, (2023, 3)),
    ("03/2023", False, (2023, 3)), ("2023-03-01 00:00:00", False, (2023, 3)), ("3", True, (None, 3)),
    ("3", False, None), ("13", True, None), ("2023-13", False, None), ("Total", False, None),
    ("1850", False, None), (None, False, None),
])
def test_parse_period(text, month_numbers, expected):
    assert parse_period(text, month_numbers) == expected


def test_sniff_delimiter():
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"
    assert sniff_delimiter('"x, y";b\n1;2\n') == ";"
    assert sniff_delimiter("a\tb\n") == "\t" and sniff_delimiter("abc\n") == ","


# --- real exports, mapped by hand --------------------------------------------------------------

@pytest.mark.real_samples
def test_real_exports_through_suggested_profiles(real_samples):
    utod = real_samples / "usa_trade_online_customs_value_cons_critical_minerals_excerpt.csv"
    frame, report = load_file(utod, profile=replace(mapped.suggest_profile(utod),
                                                    flow="imports_consumption"))
    assert report.rows_kept == 47 and report.rows_dropped == {} and report.years == [2024]
    assert frame["hts"].str.fullmatch(r"\d{10}").all()
    hts2 = real_samples / "dataweb_wide_hts2.xlsx"
    profile = replace(mapped.suggest_profile(hts2), fixed={"country": "World"}, flow="exports",
                      measure="fas_value")
    frame, report = load_file(hts2, profile=profile)
    assert report.checksum.ok and report.checksum.expected == 125_801_943_398
    assert frame["hts"].str.len().eq(2).all() and "01" in set(frame["hts"])
    monthly = real_samples / "dataweb_monthly_general_customs_value.csv"
    profile = replace(mapped.suggest_profile(monthly), fixed={"code": "2504"},
                      flow="imports_general")
    frame, report = load_file(monthly, profile=profile)
    assert report.layout == "wide_months" and report.checksum.ok
    assert np.isclose(frame["value"].sum(), report.checksum.expected)


def test_validate_never_raises_for_a_malformed_profile(tmp_path):
    path = write_messy_wide(tmp_path / "messy.xlsx")
    good = Profile.from_json(MESSY_WIDE_PROFILE)
    for bad in (replace(good, header_row="3"), replace(good, columns={"code": "HTS Number",
                "country": "Country", "year_columns": 5}), replace(good, columns=[])):
        problems = mapped.validate(path, bad)
        assert problems and all(isinstance(p, str) for p in problems)
    assert mapped.validate(path, good, max_rows=1) == []
