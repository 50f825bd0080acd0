"""Bundled reference data: the published counts, the crosswalk rules, and schema errors
that point the analyst at the file, column and line to fix."""

from __future__ import annotations

import csv
import json
import math
import shutil
import time

import pytest

from mineral_workbench.core.errors import ReferenceDataError
from mineral_workbench.core.reference import (
    default_root, expected_match_prefix, load_reference)

FULL = ["arsenic", "cesium", "fluorspar", "gallium", "graphite", "indium", "manganese",
        "niobium", "rubidium", "scandium", "tantalum", "yttrium"]
LANTHANIDES = ["cerium", "dysprosium", "erbium", "europium", "gadolinium", "holmium",
               "lanthanum", "lutetium", "neodymium", "praseodymium", "samarium", "terbium",
               "thulium", "ytterbium"]
AT_LEAST_50_2024 = sorted(["antimony", "barite", "bismuth", "chromium", "cobalt", "germanium",
                           "lithium", "magnesium", "platinum", "tin", "titanium", "tungsten",
                           "zinc"] + LANTHANIDES)


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.fixture
def copy_root(tmp_path):
    root = tmp_path / "reference"
    shutil.copytree(default_root(), root)
    return root


def edit_cell(root, file, line, column, value):
    """Set one cell of a CSV copy, addressed as the analyst sees it (line number, column)."""
    path = root / file
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def line_of(root, file, **match):
    with (root / file).open(newline="", encoding="utf-8") as fh:
        for number, row in enumerate(csv.DictReader(fh), start=2):
            if all(row[k] == v for k, v in match.items()):
                return number
    raise LookupError(match)


# --- net import reliance ----------------------------------------------------------------

def test_2024_counts_are_12_full_and_27_at_least_half(ref):
    counts = ref.nir_counts(2024)
    assert (counts["full"], counts["at_least_50"]) == (12, 27)
    assert counts["full_minerals"] == FULL
    assert counts["at_least_50_minerals"] == AT_LEAST_50_2024
    assert counts["listed"] == 50
    assert counts["edition"] == "USGS MCS 2025"


def test_2023_counts_reproduce_the_published_12_plus_29(ref):
    counts = ref.nir_counts(2023)
    assert (counts["full"], counts["at_least_50"]) == (12, 29)
    assert counts["full_minerals"] == FULL
    assert counts["at_least_50_minerals"] == sorted(AT_LEAST_50_2024 + ["nickel", "vanadium"])
    assert "MCS 2024" in counts["note"]


def test_2025_list_adds_potash_rhenium_and_silver_above_half(ref):
    counts = ref.nir_counts(2024, list_year=2025)
    assert counts["listed"] == 60
    assert (counts["full"], counts["at_least_50"]) == (12, 30)
    assert {"potash", "rhenium", "silver"} <= set(counts["at_least_50_minerals"])
    with pytest.raises(ValueError):
        ref.nir_counts(2024, list_year=2019)


def test_rare_earths_carry_the_group_value(ref):
    latest, earlier = ref.nir_for(2024), ref.nir_for(2023)
    assert (latest.at["rare earths", "pct"], latest.at["rare earths", "qualifier"]) == (80, "=")
    assert (earlier.at["rare earths", "pct"], earlier.at["rare earths", "qualifier"]) == (95, ">")
    assert "neodymium" not in latest.index and "yttrium" in latest.index
    assert all(ref.analysis_unit(m) == "rare earths" for m in LANTHANIDES)
    assert ref.analysis_unit("Neodymium ") == "rare earths"
    assert ref.analysis_unit("scandium") == "scandium"


def test_net_exporter_and_not_available_have_no_percent(ref):
    latest = ref.nir_for(2024)
    assert latest.at["beryllium", "qualifier"] == "E" and math.isnan(latest.at["beryllium", "pct"])
    assert latest.at["hafnium", "qualifier"] == "NA" and math.isnan(latest.at["hafnium", "pct"])
    assert (latest.at["tellurium", "pct"], latest.at["tellurium", "qualifier"]) == (25, "<")
    assert ref.nir_for(2023).at["tellurium", "qualifier"] == "E"
    assert (latest.at["silicon", "pct"], latest.at["silicon", "qualifier"]) == (50, "<")
    assert "magnesium compounds (supplementary)" not in latest.index


def test_import_sources_are_fractions_that_sum_to_one(ref):
    sources = ref.import_sources
    sums = sources.groupby("mineral")["share"].sum()
    assert ((sums - 1).abs() < 1e-9).all()
    gallium = sources[sources["mineral"] == "gallium"].set_index("iso3")["share"]
    assert gallium["CHN"] == pytest.approx(0.19)
    assert set(sources.loc[sources["country"] == "Other", "iso3"]) == {""}


SALIENT_NIR_LINE = {  # NIR row -> (MCS chapter, salient-statistics form) it was read from
    "magnesium": ("magnesium-metal", ""), "palladium": ("platinum-group", "Palladium"),
    "platinum": ("platinum-group", "Platinum"), "hafnium": ("zirconium-hafnium", "Hafnium"),
    "zirconium": ("zirconium-hafnium", "Zirconium ores and concentrates"),
    "magnesium compounds (supplementary)": ("magnesium-compounds", ""),
    "arsenic": ("arsenic", "all forms of arsenic"), "lead": ("lead", "refined metal"),
    "manganese": ("manganese", "manganese content"), "silicon": ("silicon", "Total"),
    "titanium": ("titanium", "Titanium sponge metal"), "zinc": ("zinc", "Refined zinc"),
}


def test_nir_agrees_with_the_salient_statistics_tables(ref):
    stats = ref.salient_statistics
    stats = stats[stats["statistic"] == "net_import_reliance_pct"].set_index(["mineral", "form", "year"])
    compared = 0
    for row in ref.nir.itertuples():
        chapter, form = SALIENT_NIR_LINE.get(row.mineral, (row.mineral, ""))
        if row.analysis_unit == "rare earths":
            chapter, form = "rare-earths", "Compounds and metals"
        if (chapter, form, row.year) not in stats.index:
            continue
        line = stats.loc[(chapter, form, row.year)]
        qualifier = line["qualifier"].replace("e;", "").replace("e", "") or "="
        assert qualifier == row.qualifier, (row.mineral, row.year)
        if qualifier in ("=", ">", "<"):
            assert line["value"] == row.pct, (row.mineral, row.year)
        compared += 1
    assert compared == 102


# --- crosswalk ----------------------------------------------------------------------------

def test_match_prefixes_are_digits_following_the_trailing_00_rule(ref):
    cw = ref.crosswalk
    assert cw["match_prefix"].str.fullmatch(r"\d+").all()
    assert (cw["match_prefix"] == cw["hts_code"].map(expected_match_prefix)).all()
    assert expected_match_prefix("2805.30.0000") == "280530"
    assert expected_match_prefix("2805.30.0050") == "2805300050"
    assert expected_match_prefix("7601.10.3000") == "76011030"


def test_non_derivative_shares_sum_to_one_per_code(ref):
    cw = ref.crosswalk
    sums = cw[~cw["is_derivative"]].groupby("hts_code")["share"].sum()
    assert ((sums - 1).abs() < 1e-12).all()
    thirds = cw[cw["hts_code"] == "2827.39.9000"].set_index("mineral")["share"]
    assert sorted(thirds.index) == ["cesium", "germanium", "rubidium"]
    assert thirds.tolist() == pytest.approx([1 / 3] * 3)


def test_derivative_rows_are_flagged_and_listed_in_full(ref):
    cw = ref.crosswalk
    derivative = cw[cw["is_derivative"]]
    assert (derivative["share_basis"] == "contains").all() and (derivative["share"] == 1).all()
    assert (cw.loc[~cw["is_derivative"], "share_basis"] != "contains").all()
    magnets = set(derivative.loc[derivative["hts_code"] == "8505.11.0000", "mineral"])
    assert magnets == {"rare earths", "cobalt"}
    batteries = set(derivative.loc[derivative["hts_code"] == "8507.60.0010", "mineral"])
    assert batteries == {"lithium", "cobalt", "nickel", "manganese", "graphite"}


def test_shared_lines_are_equal_split_placeholders(ref):
    cw = ref.crosswalk.set_index(["hts_code", "mineral"])
    for key in [("2825.60.0000", "germanium"), ("2825.60.0000", "zirconium"),
                ("2846.90.2082", "scandium"), ("2846.90.2082", "yttrium")]:
        assert cw.at[key, "share"] == 0.5 and cw.at[key, "is_placeholder"]
    assert not cw.at[("2805.30.0000", "rare earths"), "is_placeholder"]


def test_crosswalk_minerals_are_analysis_units(ref):
    units = set(ref.minerals["analysis_unit"])
    assert set(ref.crosswalk["mineral"]) <= units
    assert "rare earths" in set(ref.crosswalk["mineral"])


# --- sectors, uses, groups -------------------------------------------------------------------

def test_sixteen_sectors_with_agencies_each_with_a_mineral(ref):
    sectors = ref.sectors
    assert sectors["sector_id"].tolist() == [f"S{i:02d}" for i in range(1, 17)]
    assert (sectors["agency"].str.len() > 0).all()
    assert "Government Services and Facilities" in set(sectors["name"])
    used = set(ref.sector_importance["sector_id"])
    assert used == set(sectors["sector_id"])
    assert set(ref.sector_importance["weight"]) == {1.0, 0.5, 0.25}
    assert set(ref.sector_importance["basis"]) == {"usgs_stated_use", "analyst_judgment"}


def test_defense_categories_are_the_fixed_ten(ref):
    assert len(ref.defense_categories) == 10
    assert ref.defense_categories[0] == "Munitions & missiles"
    assert ref.defense_categories[-1] == "Specialty metals & materials"
    for cats in ref.defense_uses["categories"]:
        assert isinstance(cats, tuple) and cats and set(cats) <= set(ref.defense_categories)


def test_country_groups_include_foreign_adversaries_with_china(ref):
    assert ref.group_ids[0] == "foreign_adversaries"
    assert {"feoc_covered_nations", "us_fta_partners", "minerals_security_partnership",
            "nato"} <= set(ref.group_ids)
    info = ref.group_info("foreign_adversaries")
    assert "CHN" in info["members"] and "RUS" in info["members"]
    assert info["title"] and info["as_of"] and "791.4" in info["source"]
    assert len(ref.group_members("nato")) == 32
    with pytest.raises(KeyError):
        ref.group_info("no_such_group")


def test_world_concentration_matches_the_documented_examples(ref):
    world = ref.world_concentration("foreign_adversaries")
    assert world.at["gallium", "group_share"] == pytest.approx((750_000 + 6_000) / 760_000)  # CHN+RUS
    assert world.at["gallium", "top_country"] == "China"
    for mineral, hhi in [("gallium", 9_700), ("graphite", 6_400), ("cobalt", 5_900),
                         ("rare earths", 5_000), ("lithium", 2_200)]:
        assert world.at[mineral, "hhi"] == pytest.approx(hhi, rel=0.02), mineral
    assert world.at["rare earths", "stage"] == "mine" and world.at["rare earths", "year"] == 2024
    assert math.isnan(world.at["boron", "hhi"])
    china = ref.world_concentration({"CHN"})
    assert china.at["gallium", "group_share"] == pytest.approx(750_000 / 760_000)


# --- provenance and loading -----------------------------------------------------------------

def test_every_row_of_every_table_has_a_source(ref):
    frames = [ref.minerals, ref.nir, ref.import_sources, ref.crosswalk, ref.sectors,
              ref.sector_importance, ref.defense_uses, ref.country_groups, ref.mineral_groups,
              ref.world_production, ref.salient_statistics, ref.countries]
    for frame in frames:
        assert len(frame) and (frame["source"].str.strip().str.len() > 0).all()


def test_every_table_has_an_edition_and_iso_as_of_date(ref):
    assert len(ref.tables) == 11
    for info in ref.tables.values():
        assert info.edition and info.citation and info.rows > 0
        assert len(info.as_of) in (4, 7, 10) and info.as_of[:4].isdigit()
    assert ref.tables["hts_crosswalk"].rows == len(ref.crosswalk)
    assert ref.tables["net_import_reliance"].edition == "USGS Mineral Commodity Summaries 2025"
    summary = ref.summary()
    assert json.dumps(summary) and [c["year"] for c in summary["nir_counts"]] == [2024, 2023]


def test_bundled_load_is_cached_and_fast(copy_root):
    first = load_reference()
    start = time.perf_counter()
    again = load_reference()
    assert again is first and time.perf_counter() - start < 0.01
    start = time.perf_counter()
    fresh = load_reference(copy_root)
    assert time.perf_counter() - start < 2.0
    assert fresh is not first and fresh.nir_counts(2023)["at_least_50"] == 29


def test_a_copy_saved_by_excel_with_a_byte_order_mark_loads(copy_root):
    path = copy_root / "sectors.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_reference(copy_root).sectors) == 16


# --- schema errors name file, column and line -----------------------------------------------

BROKEN_CELLS = [
    ("mineral_sector_uses.csv", {"mineral": "aluminum", "sector": "Energy"}, "importance",
     "critical"),
    ("net_import_reliance.csv", {"mineral": "gallium"}, "nir_2024_qualifier", ">="),
    ("net_import_reliance.csv", {"mineral": "gallium"}, "nir_2024_pct", "about 100"),
    ("net_import_reliance.csv", {"mineral": "hafnium"}, "nir_2024_pct", "40"),
    ("net_import_reliance.csv", {"mineral": "cobalt"}, "major_import_sources", "Norway:27;Other:29"),
    ("hts_crosswalk.csv", {"hts_code": "7601.10.3000"}, "source", ""),
    ("hts_crosswalk.csv", {"hts_code": "7601.10.3000"}, "match_prefix", "7601103000"),
    ("hts_crosswalk.csv", {"hts_code": "7601.10.3000"}, "match_prefix", "7601.10"),
    ("hts_crosswalk.csv", {"hts_code": "2805.19.9000", "mineral": "cesium"}, "share", "0.7"),
    ("hts_crosswalk.csv", {"hts_code": "8505.11.0000", "mineral": "cobalt"}, "share_basis",
     "single mineral"),
    ("hts_crosswalk.csv", {"hts_code": "7601.10.3000"}, "mineral", "unobtainium"),
    ("critical_minerals.csv", {"mineral": "gallium"}, "usgs_2022", "yes"),
    ("defense_uses.csv", {"mineral": "gallium"}, "categories", "Cyber"),
    ("country_groups.csv", {"group": "nato", "iso3": "FRA"}, "iso3", "France"),
    ("world_production.csv", {"mineral": "gallium", "country": "China", "year": "2024"},
     "qualifier", "est."),
    ("world_production.csv", {"mineral": "gallium", "country": "China", "year": "2024"},
     "country", "Cathay"),
    ("salient_statistics.csv", {"mineral": "cobalt", "statistic": "price", "year": "2024"},
     "source", "not retrieved"),
]


@pytest.mark.parametrize(("file", "match", "column", "value"), BROKEN_CELLS,
                         ids=[f"{c[0]}:{c[2]}={c[3]!r}" for c in BROKEN_CELLS])
def test_a_broken_cell_is_reported_with_file_column_and_line(copy_root, file, match, column, value):
    line = line_of(copy_root, file, **match)
    edit_cell(copy_root, file, line, column, value)
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(copy_root)
    err = caught.value
    assert err.file.endswith(file) and err.column == column and err.row == line
    assert str(err).startswith(f"{file}, column '{column}', row {line}: ")


def test_a_missing_column_is_named(copy_root):
    path = copy_root / "hts_crosswalk.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [row[:5] + row[6:] for row in csv.reader(fh)]  # drop 'share'
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(copy_root)
    assert caught.value.column == "share" and "hts_crosswalk.csv" in str(caught.value)


def test_an_unknown_sector_is_rejected(copy_root):
    line = line_of(copy_root, "mineral_sector_uses.csv", mineral="aluminum", sector="Energy")
    edit_cell(copy_root, "mineral_sector_uses.csv", line, "sector", "Energy and Mining")
    with pytest.raises(ReferenceDataError, match="not in sectors.csv") as caught:
        load_reference(copy_root)
    assert caught.value.row == line


def test_manifest_without_an_edition_is_rejected(copy_root):
    path = copy_root / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["tables"]["sectors"]["edition"] = ""
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="sectors' has no edition") as caught:
        load_reference(copy_root)
    assert caught.value.file.endswith("manifest.json")


def test_a_missing_table_is_reported(copy_root):
    (copy_root / "defense_uses.csv").unlink()
    with pytest.raises(ReferenceDataError, match="file is missing") as caught:
        load_reference(copy_root)
    assert caught.value.file.endswith("defense_uses.csv")
