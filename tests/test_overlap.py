"""Overlapping sources are detected, reported, and never added twice."""

import pandas as pd
import pytest

from mineral_workbench.core.analysis import AnalysisOptions, analyze_files, compute, load_sources
from mineral_workbench.core.overlap import resolve_overlaps
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.tradeframe import build_tradeframe, concat_tradeframes


def _source(sid, name, flow, codes, years, partners, values):
    frame = build_tradeframe(dict(
        source_id=sid, row=list(range(2, len(codes) + 2)), flow=flow, measure="customs_value",
        unit="USD", hts=codes, year=years, partner_raw=partners, partner_code=partners,
        value=values))
    frame["source_file"] = pd.Categorical([name] * len(frame))
    return frame


@pytest.fixture
def two_sources():
    dataweb = _source("A", "dataweb.xlsx", "imports_consumption",
                      ["8105206000", "8105209000", "2836910000"], [2023, 2023, 2023],
                      ["CHN", "CHN", "CHL"], [60.0, 40.0, 500.0])
    comtrade = _source("B", "comtrade.csv", "imports_general",
                       ["810520", "810520", "283691"], [2023, 2024, 2023],
                       ["CHN", "CHN", "ARG"], [110.0, 90.0, 70.0])
    return concat_tradeframes([dataweb, comtrade])


def test_first_source_wins_each_overlapping_key(two_sources):
    kept, overlaps = resolve_overlaps(two_sources, priority=["A", "B"])
    # B's 2023 cobalt from China overlaps A's two 10-digit lines (same HS6); B's 2024 row and
    # its Argentina lithium row cover keys A lacks, so they stay.
    assert sorted(kept["value"]) == [40.0, 60.0, 70.0, 90.0, 500.0]
    [o] = overlaps
    assert (o.active_file, o.inactive_file) == ("dataweb.xlsx", "comtrade.csv")
    assert o.keys == 1 and o.years == [2023]
    assert o.inactive_value_usd == 110.0 and o.active_value_usd == 100.0
    assert o.flows == "imports_consumption vs imports_general"
    assert "set aside" in o.describe()


def test_analyst_can_make_the_other_source_active(two_sources):
    kept, [o] = resolve_overlaps(two_sources, priority=["B"])
    assert sorted(kept["value"]) == [70.0, 90.0, 110.0, 500.0]
    assert o.active_file == "comtrade.csv" and o.inactive_value_usd == 100.0


def test_no_overlap_between_disjoint_sources(two_sources):
    a = two_sources[two_sources["source_id"] == "A"]
    kept, overlaps = resolve_overlaps(a, priority=[])
    assert overlaps == [] and len(kept) == len(a)


def test_a_resaved_copy_of_the_sample_adds_nothing(tmp_path):
    import openpyxl
    copy = tmp_path / "sample_resaved.xlsx"
    book = openpyxl.load_workbook(sample_workbook())
    book["Query Parameters"]["B1"].value = book["Query Parameters"]["B1"].value.replace(year=2026)
    book.save(copy)
    single, _ = analyze_files([sample_workbook()])
    both, reports = analyze_files([sample_workbook(), copy])
    assert len(reports) == 2 and reports[0].sha256 != reports[1].sha256
    pd.testing.assert_series_equal(both.minerals["import_value_usd"], single.minerals["import_value_usd"])
    [o] = both.inputs["overlaps"]
    assert o["inactive_file"] == "sample_resaved.xlsx"
    assert o["inactive_value_usd"] == pytest.approx(o["active_value_usd"])
    assert any("set aside" in w for w in both.inputs["warnings"])
    preferred = compute(load_sources([sample_workbook(), copy], priority=["sample_resaved.xlsx"]),
                        AnalysisOptions())
    assert preferred.inputs["overlaps"][0]["active_file"] == "sample_resaved.xlsx"
