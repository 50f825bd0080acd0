"""CEPII BACI importer: flows into the US, k as text, v in thousands (FOB), q in tonnes, the
country table beside the file (or the bundled one), and the table itself refused as data."""

from __future__ import annotations

import random
import shutil
import time

import numpy as np
import pytest

import comtrade_fixtures as cf
from mineral_workbench.core.countries import normalize_partners
from mineral_workbench.core.errors import InputError
from mineral_workbench.core.importing import baci, detect_format, load_file
from mineral_workbench.core.importing.dataweb_common import ImportCancelled


def _values(frame, measure):
    rows = frame[frame["measure"] == measure].sort_values("row")
    return list(zip(rows["row"], rows["hts"], rows["partner_code"], rows["value"]))


def test_detected_from_the_header(tmp_path):
    path = cf.write_baci(tmp_path)
    assert detect_format(path) == "baci_csv"
    assert baci.sniff(path, b'"t", "i", "j", "k", "v", "q"\r\n2023,4,842,071320,1,2\r\n')
    assert not baci.sniff(path, b"t,i,j,k,v\n")
    assert not baci.sniff(path, b"typeCode,freqCode,refYear\n")


def test_us_imports_by_exporter_with_values_in_thousands(tmp_path):
    frame, report = load_file(cf.write_baci(tmp_path))
    assert _values(frame, "fob_value") == [
        (2, "071320", "CHN", 12500.0), (4, "810520", "S19", 1250.0),
        (5, "260200", "UNMAPPED", 2000.0), (6, "260200", "NAM", 7000.0),
        (8, "260200", "BEL", 400.0), (9, "810520", "COD", 100000.0),
        (10, "711011", "CHE", 30000.0)]
    assert (report.format, report.flow, report.primary_measure) == (
        "baci_csv", "imports_general", "fob_value")
    assert report.scale == 1000.0 and report.total_usd == pytest.approx(153150.0)
    assert report.years == [2023] and report.hs_editions == ["H5"]
    assert set(frame["hs_edition"]) == {"H5"} and frame["month"].isna().all()
    assert any("FOB" in w and "mirror flows" in w for w in report.warnings)
    assert "Gaulier" in report.citation and "BACI_HS17_Y2023_V202501.csv" in report.citation


def test_quantities_in_tonnes_and_missing_q_counted(tmp_path):
    frame, report = load_file(cf.write_baci(tmp_path))
    quantity = frame[frame["measure"] == "quantity"]
    assert set(quantity["unit"]) == {"t"}
    assert sorted(quantity["row"]) == [4, 5, 8, 9, 10]          # lines 2 and 6 have q NA
    assert dict(zip(quantity["row"], quantity["value"]))[9] == 20.0
    assert any("2 of 7 rows have no quantity" in w for w in report.warnings)
    assert report.measures == ["fob_value", "quantity"]


def test_other_importers_are_filtered_and_counted(tmp_path):
    frame, report = load_file(cf.write_baci(tmp_path))
    assert 3 not in set(frame["row"]) and 7 not in set(frame["row"])
    assert report.rows_read == 9
    assert any("2 of 9 rows are flows into other importers" in w for w in report.warnings)


def test_k_that_lost_its_leading_zero_is_repadded(tmp_path):
    frame, report = load_file(cf.write_baci(tmp_path))
    assert frame["hts"].str.len().eq(6).all()
    assert any("1 product codes (k) had lost their leading zero" in w for w in report.warnings)
    unmapped = {u["code"]: u["value_usd"] for u in report.unmapped_codes}
    assert unmapped["071320"] == 12500.0      # a code the crosswalk does not know, with value


def test_partners_from_the_country_table(tmp_path):
    frame, report = load_file(cf.write_baci(tmp_path))
    names = dict(zip(frame["partner_code"], frame["partner_raw"]))
    assert names["S19"] == "Other Asia, nes" and names["NAM"] == "Namibia"
    assert names["UNMAPPED"] == "BACI code 999"
    assert report.unmapped_partners == [{"partner": "BACI code 999", "value_usd": 2000.0}]
    assert {a["code"] for a in report.aggregate_partners} == {"S19"}
    assert any("999 (USD 2,000)" in w for w in report.warnings)
    assert any("historical entities: Belgium-Luxembourg (...1998) (USD 400)" in w
               for w in report.warnings)
    assert "countries from country_codes_V202501.csv" in report.warnings


@pytest.mark.parametrize("iso2", ["NA", ""])
def test_namibia_iso2_na_or_lost_breaks_nothing(tmp_path, iso2):
    frame, _ = load_file(cf.write_baci(tmp_path, namibia_iso2=iso2))
    assert frame.loc[frame["row"] == 6, "partner_code"].unique().tolist() == ["NAM"]


def test_without_country_table_the_bundled_codes_are_used(tmp_path):
    frame, report = load_file(cf.write_baci(tmp_path, with_table=False))
    codes = dict(zip(frame["row"], frame["partner_code"]))
    assert codes == {2: "CHN", 4: "S19", 5: "UNMAPPED", 6: "NAM", 8: "BEL", 9: "COD", 10: "CHE"}
    assert any("bundled BACI code table" in w for w in report.warnings)


def test_country_table_of_the_same_version_is_preferred(tmp_path):
    path = cf.write_baci(tmp_path)
    (tmp_path / "country_codes_V202401.csv").write_text(
        "country_code,country_name,country_iso2,country_iso3\n156,Wrong,XX,FRA\n")
    frame, report = load_file(path)
    assert dict(zip(frame["row"], frame["partner_code"]))[2] == "CHN"
    (tmp_path / "country_codes_V202501.csv").unlink()
    frame, report = load_file(path)
    assert dict(zip(frame["row"], frame["partner_code"]))[2] == "FRA"
    assert any("no country table of version V202501" in w for w in report.warnings)


def test_real_country_table_maps_every_code_it_lists(tmp_path, real_samples):
    shutil.copy(real_samples / "baci_country_codes_V202501.csv",
                tmp_path / "country_codes_V202501.csv")
    table = (real_samples / "baci_country_codes_V202501.csv").read_text(encoding="utf-8")
    codes = [line.split(",")[0] for line in table.splitlines()[1:]]
    lines = [f"2023,{code},842,260200,1.000,1.000" for code in codes if code != "842"]
    frame, report = load_file(cf.write_baci(tmp_path, lines=lines, with_table=False))
    assert report.unmapped_partners == []
    assert "countries from country_codes_V202501.csv" in report.warnings
    named = dict(zip(frame["partner_raw"], frame["partner_code"]))
    assert named["Namibia"] == "NAM" and named["Other Asia, nes"] == "S19"
    assert named["Switzerland"] == "CHE" and named["India"] == "IND"
    assert named["Europe EFTA, nes"] == "R20"


def test_bundled_baci_codes_agree_with_the_real_table(real_samples):
    import pandas as pd
    table = pd.read_csv(real_samples / "baci_country_codes_V202501.csv", dtype=str,
                        keep_default_na=False)
    expected = table["country_iso3"].replace({"PUS": "UMI"}).tolist()
    assert normalize_partners(table["country_code"], system="baci").tolist() == expected


def test_country_table_alone_is_refused_with_a_clear_message(tmp_path, real_samples):
    for path in (real_samples / "baci_country_codes_V202501.csv",
                 cf.write_baci(tmp_path).parent / "country_codes_V202501.csv"):
        assert detect_format(path) == "baci_csv"
        with pytest.raises(InputError, match="this is BACI's country table, not trade data; "
                                             "put it beside the BACI data file"):
            load_file(path)


def test_malformed_lines_are_reported_and_line_numbers_stay_right(tmp_path):
    lines = list(cf.BACI_LINES)
    lines.insert(2, "2023,156,842")                       # line 4: 3 fields
    lines.insert(5, "2023,156,842,810520,abc,1")          # line 7: v not a number
    frame, report = load_file(cf.write_baci(tmp_path, lines=lines))
    assert report.rows_dropped["3 fields where the header has 6"] == [4]
    assert report.rows_dropped["v is empty or not a number"] == [7]
    rows = dict(zip(frame["row"], frame["partner_code"]))
    assert rows[5] == "S19" and rows[11] == "COD"


def test_no_us_rows_is_refused(tmp_path):
    path = cf.write_baci(tmp_path, lines=["2023,156,251,260200,1.0,1.0"])
    with pytest.raises(InputError, match="no flows into the United States"):
        load_file(path)


def test_wrong_header_and_cancel(tmp_path):
    path = tmp_path / "BACI_HS17_Y2023_V202501.csv"
    path.write_text("t,i,j,k,v\n2023,1,842,260200,1\n")
    with pytest.raises(InputError, match="header must be t,i,j,k,v,q"):
        baci.read(path)
    with pytest.raises(ImportCancelled):
        baci.read(cf.write_baci(tmp_path), cancel=lambda: True)


def test_a_large_file_is_streamed_and_filtered(tmp_path):
    """200,000 rows, 1 in 50 into the US: read with Arrow batches, filtered on j first."""
    n = 200_000
    rng = np.random.default_rng(3)
    exporters = rng.choice([156, 251, 490, 699, 757], n)
    importers = np.where(np.arange(n) % 50 == 0, 842, 251)
    codes = rng.choice(["260200", "71320", "810520", "850760"], n)
    body = "\n".join(f"2022,{i},{j},{k},{v:.3f},{q}" for i, j, k, v, q in zip(
        exporters, importers, codes, rng.random(n) * 100, np.where(
            rng.random(n) < 0.02, "NA", "1.000")))
    path = tmp_path / "BACI_HS12_Y2022_V202501.csv"
    path.write_text("t,i,j,k,v,q\n" + body + "\n")
    started = time.perf_counter()
    frame, report = load_file(path)
    elapsed = time.perf_counter() - started
    value = frame[frame["measure"] == "fob_value"]
    assert len(value) == n // 50 and report.hs_editions == ["H4"]
    assert set(value["row"]) == set(np.arange(0, n, 50) + 2)
    assert elapsed < 20


def test_mutated_files_fail_only_with_input_error(tmp_path):
    original = cf.write_baci(tmp_path).read_bytes()
    rng = random.Random(11)
    for case in range(40):
        data = bytearray(original)
        if case % 2:
            data = data[: rng.randrange(1, len(data))]
        else:
            for _ in range(rng.randrange(1, 10)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"BACI_HS17_Y2023_V202501_{case}.csv"
        path.write_bytes(bytes(data))
        try:
            frame, _ = load_file(path)
        except InputError:
            continue
        assert np.isfinite(frame["value"]).all()
