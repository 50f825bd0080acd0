"""Column-mapping profiles: JSON round trip, validation naming the field, the per-user store
and reuse of a saved profile for a new file by its header signature."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from mineral_workbench.core.errors import WorkbenchError
from mineral_workbench.core.importing.profile import (DEFAULT_TOTAL_PATTERN, Profile,
                                                       ProfileError, ProfileStore, as_profile,
                                                       default_profile_dir, header_signature,
                                                       load_profile, save_profile)

from mapped_fixtures import MESSY_WIDE_PROFILE, MESSY_WIDE_ROWS, write_messy_wide, write_xlsx


def full_profile() -> Profile:
    return Profile(
        name="Partner workbook", header_row=4, sheet="Data",
        columns={"code": "HTS", "country": 2, "year": "Year", "value": "Value ($)",
                 "quantity": "Qty", "unit": "Unit", "flow": "Flow"},
        country_system="iso3", flow_values={"M": "imports_general"}, measure="cif_value",
        scale=1000, quantity_scale=0.001, fixed={}, partner_overrides={"Other Asia, nes": "TWN"},
        fill_down=["country"], hs_edition="H6", delimiter=";", signature="hts|country|year",
        citation="Partner agency, 2025", notes="made by hand")


# --- JSON --------------------------------------------------------------------------------------

def test_json_round_trip_keeps_every_field():
    profile = full_profile()
    data = json.loads(json.dumps(profile.to_json()))
    assert data["version"] == 1 and data["layout"] == "long"
    assert Profile.from_json(data) == profile
    assert Profile.from_json(profile.dumps()) == profile


def test_file_round_trip_is_atomic_and_readable(tmp_path):
    path = save_profile(full_profile(), tmp_path / "sub" / "p.json")
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "Partner workbook"
    assert load_profile(path) == full_profile()
    assert [p.name for p in path.parent.iterdir()] == ["p.json"]      # no temp file left


def test_wide_profile_round_trip_and_defaults():
    profile = Profile.from_json(MESSY_WIDE_PROFILE)
    assert profile.layout == "wide_years"
    assert profile.total_pattern == DEFAULT_TOTAL_PATTERN
    assert profile.problems() == []
    assert Profile.from_json(profile.to_json()) == profile
    assert replace(profile, columns={**profile.columns, "year_columns": "auto"}).problems() == []


@pytest.mark.parametrize("data, field, words", [
    ({"version": 1, "name": "x", "colums": {}}, "colums", "unknown field"),
    ({"version": 1, "name": "x", "header_row": "3"}, "header_row", "whole number"),
    ({"version": 1, "name": "x", "scale": True}, "scale", "number"),
    ({"version": 1, "name": "x", "columns": []}, "columns", "object"),
    ({"version": 2, "name": "x"}, "version", "newer version"),
    ({"name": "x"}, "version", "unsupported version"),
    ({"version": 1}, "name", "missing"),
    ({"version": 1, "name": "x", "layout": "long", "columns": {"year_columns": ["2022"]}},
     "layout", "wide_years"),
])
def test_malformed_json_names_the_field(data, field, words):
    with pytest.raises(ProfileError) as info:
        Profile.from_json(data)
    assert info.value.field == field
    assert words in str(info.value) and field in str(info.value)


def test_not_json_and_not_an_object():
    with pytest.raises(ProfileError, match="not valid JSON"):
        Profile.from_json("{name: x")
    with pytest.raises(ProfileError, match="JSON object"):
        Profile.from_json("[1, 2]")


# --- consistency -------------------------------------------------------------------------------

@pytest.mark.parametrize("change, field, words", [
    ({"columns": {"country": "Country", "year": "Year", "value": "V"}}, "columns.code", "missing"),
    ({"columns": {"code": "HTS", "year": "Year", "value": "V"}}, "columns.country", "missing"),
    ({"columns": {"code": "HTS", "country": "C", "value": "V"}}, "columns.year", "missing"),
    ({"columns": {"code": "HTS", "country": "C", "year": "Y"}}, "columns.value", "missing"),
    ({"columns": {"code": "HTS", "country": "C", "year_columns": ["2022"], "value": "V"}},
     "columns.value", "period columns hold the values"),
    ({"columns": {"code": "HTS", "country": "C", "year_columns": [], }}, "columns.year_columns",
     "non-empty list"),
    ({"columns": {"code": "HTS", "country": "HTS", "year": "Y", "value": "V"}},
     "columns.country", "same column"),
    ({"columns": {"code": 0, "country": "C", "year": "Y", "value": "V"}}, "columns.code",
     "start at 1"),
    ({"columns": {"code": "HTS", "country": "C", "year": "Y", "value": "V", "colour": "X"}},
     "columns.colour", "unknown role"),
    ({"columns": {"code": "HTS", "country": "C", "year_columns": "auto"}, "fixed": {"year": 2023}},
     "fixed.year", "not used with year columns"),
    ({"columns": {"code": "HTS", "country": "C", "month": "M", "year_columns": "auto"}},
     "columns.month", "long layout"),
    ({"header_row": 0}, "header_row", "row number"),
    ({"sheet": 0}, "sheet", "start at 1"),
    ({"country_system": "klingon"}, "country_system", "unknown"),
    ({"measure": "value"}, "measure", "unknown"),
    ({"quantity_measure": "customs_value"}, "quantity_measure", "unknown"),
    ({"flow": "imports"}, "flow", "unknown"),
    ({"flow_values": {"M": "in"}}, "flow_values.M", "unknown flow"),
    ({"scale": 0}, "scale", "positive"),
    ({"scale": float("nan")}, "scale", "positive"),
    ({"total_pattern": "(Total"}, "total_pattern", "regular expression"),
    ({"fixed": {"year": "2023"}}, "fixed.year", "year"),
    ({"fixed": {"colour": "red"}}, "fixed.colour", "cannot be fixed"),
    ({"fixed": {"country": "China"}}, "fixed.country", "both fixed and read"),
    ({"fill_down": ["unit"]}, "fill_down", "not a role"),
    ({"delimiter": ";;"}, "delimiter", "one character"),
    ({"partner_overrides": {"Other Asia, nes": "Taiwan"}}, "partner_overrides.Other Asia, nes",
     "ISO3"),
    ({"name": " "}, "name", "needs a name"),
])
def test_problems_name_the_field(change, field, words):
    base = Profile(name="p", columns={"code": "HTS", "country": "Country", "year": "Year",
                                      "value": "Value"})
    assert base.problems() == []
    bad = replace(base, **change)
    problems = bad.problems()
    assert any(p.startswith(f"{field}: ") and words in p for p in problems), problems
    with pytest.raises(ProfileError) as info:
        bad.check()
    assert field in str(info.value)


def test_fixed_values_stand_in_for_missing_columns():
    profile = Profile(name="one country", columns={"code": "HTS", "year_columns": "auto"},
                      fixed={"country": "China"})
    assert profile.problems() == []
    profile = Profile(name="one year", columns={"code": "HTS", "country": "C", "value": "V"},
                      fixed={"year": 2023, "month": 4})
    assert profile.problems() == []


def test_several_problems_are_listed_in_one_error():
    with pytest.raises(ProfileError) as info:
        Profile(name="empty").check()
    message = str(info.value)
    assert "4 problems" in message
    for field in ("columns.code", "columns.country", "columns.year", "columns.value"):
        assert field in message
    assert isinstance(info.value, WorkbenchError)
    assert [f for f, _ in info.value.problems][:2] == ["columns.code", "columns.country"]


def test_wrong_types_built_in_code_are_problems_not_crashes():
    bad = Profile(name="p", header_row="3", columns={"code": "HTS"})  # type: ignore[arg-type]
    assert any(p.startswith("header_row: ") for p in bad.problems())


# --- files -------------------------------------------------------------------------------------

def test_load_profile_names_the_file_and_field(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"version": 1, "name": "b", "columns": {"code": "HTS"}}))
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(info.value).startswith("broken.json, profile 'b'")
    assert "columns.country" in str(info.value)
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "missing.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ProfileError, match="bin.json"):
        load_profile(tmp_path / "bin.json")


def test_save_refuses_an_incomplete_profile(tmp_path):
    with pytest.raises(ProfileError, match="columns.code"):
        save_profile(Profile(name="half", columns={"country": "C"}), tmp_path / "half.json")
    assert not (tmp_path / "half.json").exists()


def test_as_profile_accepts_object_dict_and_path(tmp_path):
    profile = Profile.from_json(MESSY_WIDE_PROFILE)
    path = save_profile(profile, tmp_path / "p.json")
    assert as_profile(profile) is profile
    assert as_profile(MESSY_WIDE_PROFILE) == profile
    assert as_profile(path) == profile and as_profile(str(path)) == profile
    with pytest.raises(ProfileError):
        as_profile(42)  # type: ignore[arg-type]


# --- signatures and the store ------------------------------------------------------------------

def test_header_signature_ignores_case_spacing_and_which_years():
    a = header_signature(["HTS Number", " Country ", "Description", "2022", "2023", None, ""])
    b = header_signature(["hts  number", "COUNTRY", "description", "'2019", "2020", "2021", "2022"])
    assert a == b == "hts number|country|description|{years}"
    assert header_signature(["HTS", "Country", "Value"]) != a


def test_default_folder_follows_the_settings_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MINERAL_WORKBENCH_SETTINGS_DIR", str(tmp_path / "mw"))
    assert default_profile_dir() == tmp_path / "mw" / "profiles"
    monkeypatch.delenv("MINERAL_WORKBENCH_SETTINGS_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert default_profile_dir() == tmp_path / "cfg" / "mineral-workbench" / "profiles"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_profile_dir() == tmp_path / "home" / ".config" / "mineral-workbench" / "profiles"


def test_store_saves_lists_loads_and_deletes(tmp_path):
    store = ProfileStore(tmp_path / "profiles")
    assert store.profiles() == [] and store.names() == []
    wide = Profile.from_json(MESSY_WIDE_PROFILE)
    path = store.save(wide)
    assert path == tmp_path / "profiles" / "hand-made-wide-sheet.json"
    store.save(full_profile())
    assert store.names() == ["Hand-made wide sheet", "Partner workbook"]
    assert store.load("Hand-made wide sheet") == wide
    store.save(replace(wide, scale=1000))                     # same name: replaced
    assert store.load("Hand-made wide sheet").scale == 1000 and len(store.names()) == 2
    (tmp_path / "profiles" / "junk.json").write_text("{oops")
    assert len(store.profiles()) == 2
    assert len(store.errors) == 1 and "junk.json" in store.errors[0]
    assert store.delete("Partner workbook") and not store.delete("Partner workbook")
    assert store.names() == ["Hand-made wide sheet"]


def test_store_defaults_to_the_settings_folder():
    store = ProfileStore()
    assert store.folder == default_profile_dir()
    store.save(Profile.from_json(MESSY_WIDE_PROFILE))
    assert store.folder.is_dir() and ProfileStore().names() == ["Hand-made wide sheet"]


def test_saved_profile_is_reused_for_next_years_file(tmp_path):
    store = ProfileStore(tmp_path / "profiles")
    first = write_messy_wide(tmp_path / "imports_2023.xlsx")
    profile = Profile.from_json(MESSY_WIDE_PROFILE).with_header(MESSY_WIDE_ROWS[2])
    store.save(replace(profile, columns={**profile.columns, "year_columns": "auto"}))
    assert store.match_file(first).name == "Hand-made wide sheet"
    assert store.match(["hts number", "COUNTRY", "Description", "2030"]).name == profile.name
    # next year: one more title row above the header and other years
    rows = [["Prepared by the partner agency"]] + [list(r) for r in MESSY_WIDE_ROWS]
    rows[3] = ["HTS Number", "Country", "Description", "2023", "2024", "2025"]
    later = write_xlsx(tmp_path / "imports_2025.xlsx", rows, sheet="Imports")
    found = store.match_file(later)
    assert found is not None and found.header_row == 4
    assert store.load(profile.name).header_row == 3          # the stored one is unchanged
    other = write_xlsx(tmp_path / "other.xlsx", [["Code", "Partner", "Value"], ["2504", "X", 1]],
                       sheet="Imports")
    assert store.match_file(other) is None
    assert store.match_file(tmp_path / "missing.xlsx") is None


def test_profiles_without_a_signature_are_never_matched(tmp_path):
    store = ProfileStore(tmp_path)
    store.save(Profile.from_json(MESSY_WIDE_PROFILE))
    assert store.match_file(write_messy_wide(tmp_path / "a.xlsx")) is None
    assert isinstance(Path(store.path_for("Ünïcode / name")).name, str)
