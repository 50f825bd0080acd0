"""UN Comtrade CSV importer: Plus and legacy layouts, US-as-reporter imports, World checksums,
aggregates, HS editions, periods, and headers that no longer line up with their values."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

import comtrade_fixtures as cf
from conftest import REPO_ROOT
from mineral_workbench.core.errors import InputError
from mineral_workbench.core.importing import comtrade, detect_format, load_file
from mineral_workbench.core.importing.column_checks import describe_value
from mineral_workbench.core.importing.dataweb_common import ImportCancelled

REAL_EXCERPT = "comtrade_plus_critical_minerals_USA_excerpt.csv"


def _primary(frame, report):
    rows = frame[(frame["measure"] == report.primary_measure) & (frame["flow"] == report.flow)]
    return rows.sort_values("row")


# --- detection ----------------------------------------------------------------------------------

def test_plus_and_legacy_files_are_detected_from_their_header(tmp_path):
    assert detect_format(cf.write_quirks(tmp_path)) == "comtrade_csv"
    assert detect_format(cf.write_legacy(tmp_path)) == "comtrade_csv"
    renamed = tmp_path / "export.txt"
    renamed.write_bytes(cf.write_quirks(tmp_path).read_bytes())
    assert detect_format(renamed) == "comtrade_csv"
    assert not comtrade.sniff(tmp_path / "x.csv", b"t,i,j,k,v,q\n2023,4,842,071320,1,2\n")
    assert not comtrade.sniff(tmp_path / "x.csv", b"Data Type,Country,Year,HTS Number\n")


# --- Comtrade Plus ------------------------------------------------------------------------------

def test_plus_quirks_keep_us_imports_by_partner_with_cif_as_primary(tmp_path):
    frame, report = load_file(cf.write_quirks(tmp_path))
    assert (report.format, report.layout) == ("comtrade_csv", "comtrade_plus")
    assert (report.flow, report.primary_measure) == ("imports_general", "cif_value")
    primary = _primary(frame, report)
    got = list(zip(primary["row"], primary["hts"], primary["partner_code"],
                   primary["hs_edition"], primary["value"]))
    assert got == cf.QUIRK_IMPORTS
    assert report.total_usd == pytest.approx(sum(v for *_, v in cf.QUIRK_IMPORTS)) == 21100.0
    assert primary["year"].unique().tolist() == [2023] and primary["month"].isna().all()
    assert set(frame["unit"][frame["measure"].isin(["cif_value", "fob_value"])]) == {"USD"}
    assert report.measures == ["cif_value", "fob_value", "primary_value", "net_weight",
                               "quantity"]
    assert report.years == [2023] and report.rows_read == len(cf.QUIRK_ROWS)


def test_world_rows_are_a_checksum_never_data(tmp_path):
    frame, report = load_file(cf.write_quirks(tmp_path))
    assert "WLD" not in set(frame["partner_code"])
    assert report.rows_dropped["partner World: a total, used as a checksum"] == [2, 7, 18]
    assert report.checksum.ok and report.checksum.expected == 8500.0 + 7250.0
    assert report.checksum.found == 15750.0
    assert report.checksums["fob_value"].ok and report.checksums["fob_value"].expected == 672.0


def test_world_total_that_disagrees_with_its_partners_is_reported(tmp_path):
    rows = [cf.plus_row("World", 9000.0), cf.plus_row("CHN", 5000.0), cf.plus_row("JPN", 3000.0)]
    _, report = load_file(cf.write_plus(tmp_path / "off.csv", rows))
    assert not report.checksum.ok
    assert (report.checksum.expected, report.checksum.found) == (9000.0, 8000.0)
    assert any("World 9,000, partners 8,000" in w for w in report.warnings)


def test_aggregates_are_kept_and_groups_dropped(tmp_path):
    frame, report = load_file(cf.write_quirks(tmp_path))
    aggregates = {a["code"]: (a["partner"], a["value_usd"]) for a in report.aggregate_partners}
    assert aggregates == {"S19": ("Other Asia, nes", 1500.0), "R20": ("Europe EFTA, nes", 400.0),
                          "NES": ("Areas, nes", 250.0)}
    assert report.unmapped_partners == []
    assert "EUN" not in set(frame["partner_code"])
    assert report.rows_dropped["partner is a group of countries (a subtotal of partners)"] == [17]


def test_rows_not_read_are_listed_with_their_reason(tmp_path):
    _, report = load_file(cf.write_quirks(tmp_path))
    dropped = report.rows_dropped
    assert dropped["reporter is not the United States"] == [21]
    assert dropped["flow RM not read (only M imports and X exports)"] == [20]
    assert dropped["motCode breakdown row (the file also has its total)"] == [22]
    assert dropped["values do not fit their columns (damaged row)"] == [23]
    assert dropped["commodity code TOTAL (all commodities) is not a product"] == [24]
    assert dropped["4-digit code also given in more detail in the file (the detail is kept)"] == [15]
    assert any("column 'cifvalue' holds 'n/a' on line 23" in w for w in report.warnings)
    assert any("other reporters" in w and "China (1)" in w for w in report.warnings)


def test_hs_editions_codes_and_padding(tmp_path):
    frame, report = load_file(cf.write_quirks(tmp_path))
    assert report.hs_editions == ["H5", "H6"]
    assert any("HS editions H5, H6" in w for w in report.warnings)
    assert any("1 commodity codes had lost their leading zero" in w for w in report.warnings)
    unmapped = {u["code"]: u for u in report.unmapped_codes}
    assert unmapped["071320"]["value_usd"] == 100.0
    assert unmapped["071320"]["reason"] == "not in crosswalk"
    assert unmapped["28"]["value_usd"] == 50.0   # 2 digits: kept, reported as too coarse
    assert frame["hts"].str.fullmatch(r"\d{2}|\d{6}").all()


def test_measures_cif_fob_weight_and_quantity(tmp_path):
    frame, _ = load_file(cf.write_quirks(tmp_path))
    by = {(m, r): (u, v) for m, r, u, v in
          zip(frame["measure"], frame["row"], frame["unit"], frame["value"])}
    assert by[("cif_value", 5)] == ("USD", 2000.0)           # blank cifvalue: primaryValue
    assert by[("fob_value", 3)] == ("USD", 4800.0)
    assert by[("primary_value", 3)] == ("USD", 5000.0)
    assert by[("net_weight", 8)] == ("kg", 500.0)
    assert by[("quantity", 8)] == ("u", 100.0)
    assert ("quantity", 11) not in by and ("quantity", 12) not in by   # qty 0 / -1: unknown
    assert ("net_weight", 11) not in by                                  # blank netWgt
    assert by[("fob_value", 19)] == ("USD", 672.0)
    assert ("cif_value", 19) not in by


def test_us_exports_are_read_as_exports(tmp_path):
    frame, report = load_file(cf.write_quirks(tmp_path))
    exports = frame[frame["flow"] == "exports"]
    assert set(exports["row"]) == {19} and set(exports["partner_code"]) == {"CAN"}
    assert any("1 US export rows" in w for w in report.warnings)
    assert any("general imports" in w and "CIF" in w for w in report.warnings)


def test_annual_and_monthly_periods(tmp_path):
    frame, report = load_file(cf.write_monthly(tmp_path))
    primary = _primary(frame, report)
    periods = list(zip(primary["year"], primary["month"].astype(object).where(
        primary["month"].notna(), None), primary["value"]))
    assert periods == [(2023, None, 1000.0), (2024, 1, 100.0), (2024, 2, 200.0),
                       (2024, 3, 300.0)]
    assert report.rows_dropped == {
        "monthly row of a year the file also gives as an annual total": [6]}
    assert report.years == [2023, 2024]


def test_excel_unicode_text_tab_delimited_reads_the_same(tmp_path):
    path = cf.write_quirks(tmp_path, "unicode.txt", encoding="utf-16", delimiter="\t")
    frame, report = load_file(path)
    assert report.encoding == "utf-16" and report.total_usd == 21100.0
    assert report.checksum.ok


def test_file_with_no_us_partner_rows_is_refused(tmp_path):
    only_world = cf.write_plus(tmp_path / "world.csv", [cf.plus_row("World", 10.0)])
    with pytest.raises(InputError, match="no rows left to read: 1 rows: partner World"):
        load_file(only_world)
    other = cf.write_plus(tmp_path / "chn.csv", [cf.plus_row("USA", 10.0, reporterISO="CHN",
                                                             reporterCode="156")])
    with pytest.raises(InputError, match="reporter is not the United States"):
        load_file(other)


def test_cancel_raises_import_cancelled(tmp_path):
    with pytest.raises(ImportCancelled):
        comtrade.read(cf.write_quirks(tmp_path), cancel=lambda: True)


# --- legacy layout ------------------------------------------------------------------------------

def test_legacy_layout(tmp_path):
    frame, report = load_file(cf.write_legacy(tmp_path))
    assert report.layout == "comtrade_legacy" and report.hs_editions == ["H5"]
    primary = _primary(frame, report)
    assert list(zip(primary["row"], primary["partner_code"], primary["value"])) == [
        (3, "CHN", 5000.0), (4, "S19", 1000.0), (7, "JPN", 70.0)]
    assert report.checksum.ok and report.checksum.expected == 6000.0
    assert report.rows_dropped["flow RM not read (only M imports and X exports)"] == [6]
    quantity = frame[frame["measure"] == "quantity"]
    assert set(quantity["unit"]) == {"kg"} and 7 not in set(quantity["row"])
    exports = frame[(frame["flow"] == "exports") & (frame["measure"] == "fob_value")]
    assert exports["value"].tolist() == [300.0]


# --- headers that do not line up ----------------------------------------------------------------

def test_shifted_header_is_refused_naming_the_first_offending_column(tmp_path):
    with pytest.raises(InputError) as caught:
        load_file(cf.write_shifted_header(tmp_path))
    error = caught.value
    assert "the header does not line up with the values" in str(error)
    assert "column 'typeCode' holds 'A' on line 2" in str(error)
    assert "one column left of their names" in str(error)
    assert (error.row, error.column) == (2, "typeCode")


def test_swapped_names_are_refused(tmp_path):
    with pytest.raises(InputError, match=r"column 'refMonth' holds '2023' on line 2 \(looks "
                                         r"like a year, not a month 1-12 or 52"):
        load_file(cf.write_swapped_header(tmp_path))


def test_header_with_a_column_deleted_is_refused(tmp_path):
    header = [h for h in cf.PLUS_HEADER if h != "qty"]
    path = tmp_path / "deleted.csv"
    path.write_text(cf.csv_text(header, [[r[h] for h in cf.PLUS_HEADER] for r in cf.QUIRK_ROWS]))
    with pytest.raises(InputError, match="the header does not line up with the values: it has "
                                         "46 columns but line 2 has 47 fields"):
        load_file(path)


def test_real_excerpt_with_edited_header_is_refused(real_samples):
    with pytest.raises(InputError) as caught:
        load_file(real_samples / REAL_EXCERPT)
    message = str(caught.value)
    assert message.startswith(f"{REAL_EXCERPT}: row 2, column 'typeCode': the header does not "
                              "line up with the values: column 'typeCode' holds 'A' on line 2")
    assert "was the header edited?" in message and "\n" not in message


def test_cli_refuses_the_real_excerpt_with_one_line(real_samples):
    result = subprocess.run(
        [sys.executable, "-m", "mineral_workbench", "import", str(real_samples / REAL_EXCERPT),
         "--json"], capture_output=True, text=True, cwd=REPO_ROOT,
        env={"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "the header does not line up with the values" in lines[0]
    assert "'typeCode'" in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize("value, looks", [("2023", "a year"), ("USA", "an ISO3 country code"),
                                          ("20230101", "a date written YYYYMMDD"),
                                          ("W00", "an area code such as W00 (World)"),
                                          ("1077002.0", "a number"), ("TRUE", "a TRUE/FALSE flag"),
                                          ("Import", "a flow name"), ("Cobalt ores", "text")])
def test_misplaced_values_are_described(value, looks):
    assert describe_value(value) == looks


# --- untrusted input ----------------------------------------------------------------------------

def test_mutated_files_fail_only_with_input_error(tmp_path):
    """Truncations, byte flips, swapped cells and junk rows: a result or an InputError."""
    original = cf.write_quirks(tmp_path).read_bytes()
    rng = random.Random(7)
    for case in range(60):
        data = bytearray(original)
        kind = case % 4
        if kind == 0:
            data = data[: rng.randrange(1, len(data))]
        elif kind == 1:
            for _ in range(rng.randrange(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 2:
            lines = bytes(data).split(b"\r\n")
            i = rng.randrange(1, len(lines) - 1)
            cells = lines[i].split(b",")
            a, b = rng.sample(range(len(cells)), 2)
            cells[a], cells[b] = cells[b], cells[a]
            lines[i] = b",".join(cells)
            data = bytearray(b"\r\n".join(lines))
        else:
            data += bytes(rng.randrange(32, 127) for _ in range(rng.randrange(1, 400)))
        path = tmp_path / f"mutated_{case}.csv"
        path.write_bytes(bytes(data))
        try:
            frame, report = load_file(path)
        except InputError:
            continue
        assert np.isfinite(frame["value"]).all() and report.rows_read > 0
