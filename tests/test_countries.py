"""Country normalization: Census/DataWeb/USGS names -> ISO3 or documented aggregate codes."""

from __future__ import annotations

import csv
import re
import time

import numpy as np
import pandas as pd
import pytest

from mineral_workbench.core import countries
from mineral_workbench.core.countries import (
    AGGREGATE_CODES, SYSTEMS, code_for, country_name, country_table, is_aggregate, name_key,
    normalize_partners, partner_report,
)
from mineral_workbench.core.errors import ReferenceDataError
from mineral_workbench.core.resources import resource_path
from mineral_workbench.core.tradeframe import TEXT, UNMAPPED, build_tradeframe

# Census short names (USA Trade Online; the trade API's CTY_NAME is the same in upper case),
# in Schedule C order: North America, Caribbean, South America, Europe, Asia, Oceania, Africa,
# US territories, then entries of past years.
CENSUS_NAMES = [
    "Greenland", "Canada", "St Pierre and Miquelon", "Mexico", "Guatemala", "Belize",
    "El Salvador", "Honduras", "Nicaragua", "Costa Rica", "Panama", "Bermuda", "Bahamas", "Cuba",
    "Jamaica", "Turks and Caicos Islands", "Cayman Islands", "Haiti", "Dominican Republic",
    "Anguilla", "British Virgin Islands", "St Kitts and Nevis", "Antigua and Barbuda",
    "Montserrat", "Dominica", "St Lucia", "St Vincent and the Grenadines", "Grenada", "Barbados",
    "Trinidad and Tobago", "Sint Maarten", "Curacao", "Aruba", "Guadeloupe", "Martinique",
    "Colombia", "Venezuela", "Guyana", "Suriname", "French Guiana", "Ecuador", "Peru", "Bolivia",
    "Chile", "Brazil", "Paraguay", "Uruguay", "Argentina", "Falkland Islands (Islas Malvinas)",
    "Iceland", "Sweden", "Svalbard, Jan Mayen Island", "Norway", "Finland", "Faroe Islands",
    "Denmark", "United Kingdom", "Ireland", "Netherlands", "Belgium", "Luxembourg", "Andorra",
    "Monaco", "France", "Germany", "Austria", "Czech Republic", "Slovakia", "Hungary",
    "Liechtenstein", "Switzerland", "Estonia", "Latvia", "Lithuania", "Poland", "Russia",
    "Belarus", "Ukraine", "Armenia", "Azerbaijan", "Georgia", "Kazakhstan", "Kyrgyzstan",
    "Moldova", "Tajikistan", "Turkmenistan", "Uzbekistan", "Spain", "Portugal", "Gibraltar",
    "Malta", "San Marino", "Vatican City", "Italy", "Croatia", "Slovenia",
    "Bosnia and Herzegovina", "North Macedonia", "Macedonia", "Serbia", "Kosovo", "Montenegro",
    "Albania", "Greece", "Romania", "Bulgaria", "Turkey", "Cyprus", "Syria", "Lebanon", "Iraq",
    "Iran", "Israel", "Gaza Strip Administered by Israel", "West Bank Administered by Israel",
    "Jordan", "Kuwait", "Saudi Arabia", "Qatar", "United Arab Emirates", "Yemen", "Oman",
    "Bahrain", "Afghanistan", "India", "Pakistan", "Nepal", "Bangladesh", "Sri Lanka", "Burma",
    "Thailand", "Vietnam", "Laos", "Cambodia", "Malaysia", "Singapore", "Indonesia",
    "Timor-Leste", "Brunei", "Philippines", "Macau", "Bhutan", "Maldives", "China", "Mongolia",
    "Korea, North", "Korea, South", "Hong Kong", "Taiwan", "Japan", "Australia",
    "Norfolk Island", "Cocos (Keeling) Islands", "Christmas Island",
    "Heard and McDonald Islands", "Papua New Guinea", "New Zealand", "Cook Islands", "Tokelau",
    "Niue", "Samoa", "Solomon Islands", "Vanuatu", "Pitcairn Islands", "Kiribati", "Tuvalu",
    "New Caledonia", "Wallis and Futuna", "French Polynesia", "Marshall Islands", "Micronesia",
    "Palau", "Nauru", "Fiji", "Tonga", "Morocco", "Algeria", "Tunisia", "Libya", "Egypt",
    "Sudan", "South Sudan", "Equatorial Guinea", "Mauritania", "Cameroon", "Senegal", "Mali",
    "Guinea", "Sierra Leone", "Cote d'Ivoire", "Ghana", "Gambia", "Niger", "Togo", "Nigeria",
    "Central African Republic", "Gabon", "Chad", "St Helena", "Burkina Faso", "Benin", "Angola",
    "Congo (Brazzaville)", "Guinea-Bissau", "Cabo Verde", "Cape Verde", "Sao Tome and Principe",
    "Liberia", "Congo (Kinshasa)", "Burundi", "Rwanda", "Somalia", "Eritrea", "Ethiopia",
    "Djibouti", "Uganda", "Kenya", "Seychelles", "British Indian Ocean Territories", "Tanzania",
    "Mauritius", "Mozambique", "Madagascar", "Mayotte", "Comoros", "Reunion",
    "French Southern and Antarctic Lands", "South Africa", "Namibia", "Botswana", "Zambia",
    "Eswatini", "Swaziland", "Zimbabwe", "Malawi", "Lesotho", "Western Sahara", "Puerto Rico",
    "Virgin Islands of the United States", "Guam", "American Samoa", "Northern Mariana Islands",
    "United States Minor Outlying Islands", "Netherlands Antilles", "Serbia and Montenegro",
    "Yugoslavia", "Czechoslovakia", "Soviet Union", "East Germany",
]

# Census Schedule C official long names (countryname.html), where they differ from the above.
SCHEDULE_C_LONG = {
    "DENMARK, EXCEPT GREENLAND": "DNK", "GERMANY (FEDERAL REPUBLIC OF GERMANY)": "DEU",
    "MOLDOVA (REPUBLIC OF MOLDOVA)": "MDA", "HOLY SEE (VATICAN CITY)": "VAT",
    "SYRIA (SYRIAN ARAB REPUBLIC)": "SYR", "YEMEN (REPUBLIC OF YEMEN)": "YEM",
    "BURMA (MYANMAR)": "MMR", "LAOS (LAO PEOPLE'S DEMOCRATIC REPUBLIC)": "LAO", "MACAO": "MAC",
    "NORTH KOREA (DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA)": "PRK",
    "SOUTH KOREA (REPUBLIC OF KOREA)": "KOR", "CHRISTMAS ISLAND (IN THE INDIAN OCEAN)": "CXR",
    "HEARD ISLAND AND MCDONALD ISLANDS": "HMD", "SAMOA (WESTERN SAMOA)": "WSM",
    "MICRONESIA, FEDERATED STATES OF": "FSM", "SAINT HELENA": "SHN",
    "CONGO, REPUBLIC OF THE CONGO": "COG", "CONGO, DEMOCRATIC REPUBLIC OF THE CONGO": "COD",
    "TANZANIA (UNITED REPUBLIC OF TANZANIA)": "TZA", "UNITED STATES OF AMERICA": "USA",
    "SAINT KITTS AND NEVIS": "KNA", "SAINT VINCENT AND THE GRENADINES": "VCT",
    "SVALBARD AND JAN MAYEN": "SJM",
}

VARIANTS = {
    "Korea, South": "KOR", "South Korea": "KOR", "Republic of Korea": "KOR",
    "Korea, Republic of": "KOR", "Korea, North": "PRK", "North Korea": "PRK",
    "Congo, Democratic Republic of the": "COD", "DR Congo": "COD", "Congo (Kinshasa)": "COD",
    "Democratic Republic of the Congo": "COD", "Republic of the Congo": "COG",
    "Congo (Brazzaville)": "COG", "Myanmar": "MMR", "Burma": "MMR", "Myanmar (Burma)": "MMR",
    "Turkey": "TUR", "Turkiye": "TUR", "Türkiye": "TUR", "Russia": "RUS",
    "Russian Federation": "RUS", "Czech Republic": "CZE", "Czechia": "CZE",
    "Czechia (Czech Republic)": "CZE", "Hong Kong": "HKG", "Macau": "MAC", "Macao": "MAC",
    "Taiwan": "TWN", "Vietnam": "VNM", "Viet Nam": "VNM", "Bolivia": "BOL", "Laos": "LAO",
    "Brunei": "BRN", "Iran": "IRN", "Syria": "SYR", "Moldova": "MDA", "Tanzania": "TZA",
    "Venezuela": "VEN", "Macedonia": "MKD", "North Macedonia": "MKD", "Eswatini": "SWZ",
    "Swaziland": "SWZ", "Eswatini (Swaziland)": "SWZ", "Cabo Verde": "CPV", "Cape Verde": "CPV",
    "Cote d'Ivoire": "CIV", "Côte d’Ivoire": "CIV", "Côte d`Ivoire": "CIV", "Ivory Coast": "CIV",
    "Curacao": "CUW", "Curaçao": "CUW", "Sint Maarten": "SXM", "Reunion": "REU",
    "Vatican City": "VAT", "Holy See": "VAT", "Kosovo": "XKX", "Micronesia": "FSM",
    "Netherlands Antilles": "ANT", "Serbia and Montenegro": "SCG",
    "Heard and McDonald Islands": "HMD", "Gaza Strip Administered by Israel": "PSE",
    "West Bank Administered by Israel": "PSE", "Puerto Rico/US": "PRI",
    "Venezuela (Maduro regime)": "VEN", "Dem. Rep. of the Congo": "COD",
    "China, Hong Kong SAR": "HKG", "Rep. of Korea": "KOR", "Solomon Isds": "SLB",
    "Gambia, The": "GMB", "The Bahamas": "BHS", "Saint Lucia": "LCA", "St. Lucia": "LCA",
    "St Kitts & Nevis": "KNA", "Bosnia-Herzegovina": "BIH", "Guinea Bissau": "GNB",
}

AGGREGATES = {
    "World": "WLD", "World Total": "WLD", "World total": "WLD", "Total": "WLD",
    "TOTAL FOR ALL COUNTRIES": "WLD", "Other": "OTH", "Other countries": "OTH",
    "Other Asia, nes": "S19", "Europe EFTA, nes": "R20", "Areas, nes": "NES",
    "Other Africa, nes": "NES", "Unspecified": "NES", "European Union": "EUN",
    "EUROPEAN UNION": "EUN", "USMCA (NAFTA)": "USMCA", "PACIFIC RIM COUNTRIES": "PACIFIC_RIM",
    "AUSTRALIA AND OCEANIA": "OCEANIA", "CAFTA-DR": "CAFTA_DR", "Transshipment": "TRANSSHIP",
}


def _codes(names) -> list[str]:
    return normalize_partners(pd.Series(list(names), dtype=TEXT)).tolist()


def test_census_names_all_map_and_only_known_pairs_share_a_code():
    codes = _codes(CENSUS_NAMES)
    assert [n for n, c in zip(CENSUS_NAMES, codes) if c == UNMAPPED] == []
    assert not any(is_aggregate(c) for c in codes)
    shared = {c: [n for n, k in zip(CENSUS_NAMES, codes) if k == c] for c in set(codes)}
    shared = {c: names for c, names in shared.items() if len(names) > 1}
    assert shared == {"PSE": ["Gaza Strip Administered by Israel", "West Bank Administered by Israel"],
                      "MKD": ["North Macedonia", "Macedonia"], "CPV": ["Cabo Verde", "Cape Verde"],
                      "SWZ": ["Eswatini", "Swaziland"]}


def test_census_api_upper_case_and_schedule_c_long_names():
    upper = [n.upper() for n in CENSUS_NAMES]
    assert _codes(upper) == _codes(CENSUS_NAMES)
    assert dict(zip(SCHEDULE_C_LONG, _codes(SCHEDULE_C_LONG))) == SCHEDULE_C_LONG


@pytest.mark.parametrize(("name", "code"), sorted(VARIANTS.items()))
def test_variants(name, code):
    assert code_for(name) == code


def test_matching_ignores_case_space_accents_and_punctuation():
    names = ["  korea,south ", "KOREA ,  SOUTH", "Korea,\u00a0South", "korea, south\t",
             "COTE D\u2019IVOIRE", "côte d'ivoire", "Sao Tomé & Príncipe", "CURAÇAO",
             "Congo ( Kinshasa )", "CuraÃ§ao"]
    assert _codes(names) == ["KOR"] * 4 + ["CIV", "CIV", "STP", "CUW", "COD", "CUW"]
    assert name_key("Côte d`Ivoire") == name_key("COTE D'IVOIRE") == "cote divoire"


@pytest.mark.parametrize(("name", "code"), sorted(AGGREGATES.items()))
def test_aggregates_are_flagged(name, code):
    assert code_for(name) == code
    assert is_aggregate(code)
    assert code in AGGREGATE_CODES


def test_aggregate_codes_never_collide_with_countries_and_are_documented():
    table = country_table()
    assert AGGREGATE_CODES.isdisjoint(set(table["iso3"]))
    assert not is_aggregate("CHN") and not is_aggregate(UNMAPPED)
    readme = resource_path("countries", "README.md").read_text(encoding="utf-8")
    undocumented = [c for c in AGGREGATE_CODES if f"`{c}`" not in readme]
    assert undocumented == []


def test_ambiguous_and_unknown_names_stay_unmapped():
    assert _codes(["Congo", "Korea", "Atlantis", "", "Virgin Islands"]) == [UNMAPPED] * 5
    assert code_for(None) == UNMAPPED


def test_result_keeps_index_and_dtype_and_maps_missing_to_unmapped():
    names = pd.Series(["China", None, "Korea, South", "Chile"], index=[10, 11, 12, 13],
                      dtype=TEXT, name="partner_raw")
    codes = normalize_partners(names)
    assert codes.dtype == pd.StringDtype("pyarrow")
    assert list(codes.index) == [10, 11, 12, 13]
    assert codes.tolist() == ["CHN", UNMAPPED, "KOR", "CHL"]
    for other in (names.astype(object), names.astype("category")):
        assert normalize_partners(other).tolist() == codes.tolist()
    empty = normalize_partners(pd.Series([], dtype=TEXT))
    assert len(empty) == 0 and empty.dtype == pd.StringDtype("pyarrow")


def test_overrides_let_the_analyst_map_an_aggregate():
    names = pd.Series(["Other Asia, nes", "China", "Atlantis"], dtype=TEXT)
    assert normalize_partners(names).tolist() == ["S19", "CHN", UNMAPPED]
    mapped = normalize_partners(names, overrides={"OTHER ASIA, NES": "twn", "Atlantis": "GRC"})
    assert mapped.tolist() == ["TWN", "CHN", "GRC"]


def test_code_systems():
    assert set(SYSTEMS) >= {"census", "dataweb", "usgs", "iso3", "iso2"}
    iso3 = pd.Series(["CHN", "kor", "W00", "S19", "XKX", "ANT", "ZZZ"], dtype=TEXT)
    assert normalize_partners(iso3, system="iso3").tolist() == \
        ["CHN", "KOR", "WLD", "S19", "XKX", "ANT", UNMAPPED]
    iso2 = pd.Series(["CN", "NA", "XK", "KR", "Namibia"], dtype=TEXT)
    assert normalize_partners(iso2, system="iso2").tolist() == ["CHN", "NAM", "XKX", "KOR", UNMAPPED]
    assert code_for("China", system="usgs") == "CHN"
    with pytest.raises(ValueError, match="unknown country code system"):
        code_for("China", system="klingon")


def test_country_name_uses_census_names():
    assert country_name("KOR") == "Korea, South"
    assert country_name("COD") == "Congo (Kinshasa)"
    assert country_name("MMR") == "Burma"
    assert country_name("TUR") == "Turkey"
    assert country_name("PSE") == "Palestine"
    assert country_name("WLD") == "World"
    assert country_name("OTH") == "Other"
    assert country_name("S19") == "Other Asia, nes"
    assert country_name(UNMAPPED) == "Unmapped"
    assert country_name("ZZZ") == "ZZZ"
    table = country_table()
    assert len(table) == 260 and (table["status"] == "iso").sum() == 249


def test_partner_report_lists_unmapped_and_aggregates_with_values():
    raw = ["China", "Atlantis", "Atlantis", "World", "Other Asia, nes", None]
    codes = normalize_partners(pd.Series(raw, dtype=TEXT))
    frame = build_tradeframe({"partner_raw": raw, "partner_code": codes,
                              "value": [100.0, 5.0, 7.0, 500.0, 30.0, 2.0],
                              "year": 2024, "row": list(range(2, 8))})
    unmapped, aggregates = partner_report(frame)
    assert unmapped == [{"partner": "Atlantis", "value_usd": 12.0},
                        {"partner": "", "value_usd": 2.0}]
    assert aggregates == [{"partner": "World", "code": "WLD", "value_usd": 500.0},
                          {"partner": "Other Asia, nes", "code": "S19", "value_usd": 30.0}]
    assert partner_report(frame.iloc[:0]) == ([], [])


def test_one_million_rows_are_mapped_through_distinct_names_only():
    """Vectorized: each distinct name is resolved once. The bound is deliberately loose (a busy
    CI machine must not fail it); benchmarks, not tests, measure speed."""
    names = np.array(CENSUS_NAMES[:190] + ["Atlantis", "World"] + list(AGGREGATES)[:8], dtype=object)
    rows = pd.Series(names[np.random.default_rng(1).integers(0, len(names), 1_000_000)], dtype=TEXT)
    normalize_partners(rows.iloc[:1000])  # warm the key cache like a second import would
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        codes = normalize_partners(rows)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 1.0, timings
    assert len(codes) == 1_000_000 and codes.iloc[:5].tolist() == _codes(rows.iloc[:5])


# --- reference data and real samples ------------------------------------------------------------

def _usgs_import_names(text: str) -> list[str]:
    """Country names of 'Country:pct;...' strings, also inside 'Form: Country:pct | ...'."""
    found = []
    for segment in text.split("|"):
        for part in segment.split(";"):
            match = re.fullmatch(r"\s*(?:[^:]*:\s)?([^:]+):\s*[<>]?\d+(?:\.\d+)?\s*", part)
            if match:
                found.append(match.group(1).strip())
    return found


def _reference_rows(name: str) -> list[dict[str, str]]:
    with resource_path("reference", name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_usgs_country_name_maps_to_iso3_or_documented_aggregate():
    names = set()
    for row in _reference_rows("net_import_reliance.csv"):
        names.update(_usgs_import_names(row["major_import_sources"]))
        names.update(_usgs_import_names(row["import_sources_other_forms"]))
    names.update(r["country"] for r in _reference_rows("world_production.csv"))
    names.update(r["country"] for r in _reference_rows("country_groups.csv"))
    assert {"Republic of Korea", "Korea, Republic of", "Congo (Kinshasa)", "Other",
            "Other countries", "World total", "Côte d’Ivoire"} <= names
    codes = dict(zip(sorted(names), _codes(sorted(names))))
    allowed_aggregates = {"OTH", "WLD"}
    bad = {n: c for n, c in codes.items()
           if c == UNMAPPED or (is_aggregate(c) and c not in allowed_aggregates)}
    assert bad == {}


def test_country_groups_iso3_column_agrees():
    rows = _reference_rows("country_groups.csv")
    mismatched = [(r["country"], r["iso3"], code_for(r["country"])) for r in rows
                  if code_for(r["country"]) != r["iso3"]]
    assert mismatched == []


def test_agrees_with_the_reference_usgs_country_table():
    path = resource_path("reference", "usgs_countries.csv")
    if not path.is_file():
        pytest.skip("reference/usgs_countries.csv is absent")
    rows = _reference_rows("usgs_countries.csv")
    disagree = [(r["usgs_name"], r["iso3"], code_for(r["usgs_name"])) for r in rows
                if code_for(r["usgs_name"]) != r["iso3"]
                and not (r["iso3"] == "" and is_aggregate(code_for(r["usgs_name"])))]
    assert disagree == []


def test_every_dataweb_country_of_a_real_export_maps(real_samples):
    frame = pd.read_excel(real_samples / "dataweb_wide_dollars.xlsx", sheet_name="FAS Value",
                          header=None, dtype=str, engine="calamine")
    names = frame.iloc[3:, 1].dropna()
    names = names[~names.str.startswith("Total")]
    assert len(names) > 240
    codes = normalize_partners(names.astype(TEXT))
    assert names[codes == UNMAPPED].tolist() == []
    assert codes[names.str.strip() == "Other"].empty
    assert dict(zip(names, codes))["Democratic Republic of the Congo"] == "COD"


def test_baci_country_table_names_and_codes(real_samples):
    table = pd.read_csv(real_samples / "baci_country_codes_V202501.csv", dtype=str,
                        keep_default_na=False)
    expected = table["country_iso3"].replace({"PUS": "UMI"})
    assert normalize_partners(table["country_iso3"], system="iso3").tolist() == expected.tolist()
    by_name = normalize_partners(table["country_name"])
    differs = table.loc[by_name.to_numpy() != expected.to_numpy(), "country_name"].tolist()
    assert differs == ["Congo"]  # ambiguous by name on purpose; use the code column


# --- table loading -------------------------------------------------------------------------------

@pytest.fixture
def tables_from(tmp_path, monkeypatch):
    """Load the country tables from a copy the test may break; restore the cache afterwards."""
    source = resource_path("countries")
    for path in source.glob("*.csv"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(countries, "resource_path", lambda *parts: tmp_path.joinpath(*parts[1:]))
    countries._tables.cache_clear()
    yield tmp_path
    countries._tables.cache_clear()


def test_conflicting_alias_is_a_reference_data_error(tables_from):
    with (tables_from / "aliases.csv").open("a", encoding="utf-8") as handle:
        handle.write("\"KOREA,  SOUTH\",PRK,wrong on purpose\n")
    with pytest.raises(ReferenceDataError, match=r"aliases\.csv.*row \d+.*KOR and PRK"):
        countries._tables()


def test_alias_to_unknown_code_is_a_reference_data_error(tables_from):
    with (tables_from / "aliases.csv").open("a", encoding="utf-8") as handle:
        handle.write("Atlantis,ATL,not a code\n")
    with pytest.raises(ReferenceDataError, match="unknown code 'ATL'"):
        countries._tables()
