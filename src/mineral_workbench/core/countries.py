"""Country normalization: the names trade files use -> ISO3 or an explicit aggregate code.

The tables live in `resources/countries/` (sources in its README):
- `countries.csv`: ISO 3166-1 entries plus Kosovo (XKX) and former entities (ANT, SCG, SUN...),
  each with its short English name and the name Census / USA Trade Online writes;
- `aliases.csv`: variants (ISO full names, DataWeb, USGS, Comtrade/BACI, World Bank, old names);
- `aggregates.csv`: partners that are not one country (World, the USGS remainder 'Other',
  Comtrade 'Other Asia, nes', Census country groups...), each with an explicit code;
- `codes.csv`: extra values of code systems (system, value, code): Comtrade 'W00' for World
  today; Comtrade/BACI numeric codes slot in here as a new system without code changes.

Names match case-, space-, accent- and punctuation-insensitively (`name_key`). A name nobody
listed becomes UNMAPPED: it stays in the data with its value and is listed by `partner_report`,
never dropped. Deliberately ambiguous names ('Congo', 'Korea') stay UNMAPPED too.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import ReferenceDataError
from .resources import resource_path
from .tradeframe import TEXT, UNMAPPED

#: systems whose values are names (all use the same name tables)
NAME_SYSTEMS = ("census", "dataweb", "usgs", "name")

#: catch-all for "... nes" / "not elsewhere specified" areas no table lists
NES = "NES"

_FOLDER = "countries"
_COUNTRY_COLUMNS = ("iso3", "iso2", "name", "census_name", "status", "note")
_STATUSES = ("iso", "user_assigned", "former")


# --- name keys ---------------------------------------------------------------------------------

_MOJIBAKE = ("\u00c3", "\u00c2")  # 'Ã', 'Â': UTF-8 bytes once decoded as Latin-1/cp1252
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`\u00b4\u02bc")
_WORD_RULES = {"saint": "st", "rep": "republic", "dem": "democratic", "isds": "islands"}
_WORDS = re.compile(r"\b(" + "|".join(_WORD_RULES) + r")\b")
_NES = re.compile(r"(^|[ ,(])(nes|not elsewhere specified)\)?$")
_COMMA, _OPEN, _CLOSE = re.compile(r"\s*,\s*"), re.compile(r"\s*\(\s*"), re.compile(r"\s*\)")
_LEADING_THE, _TRAILING_THE = re.compile(r"^the "), re.compile(r",? the$")


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The matching key of a country name: 'Côte d`Ivoire ' and 'COTE D'IVOIRE' share one.

    Drops accents and apostrophes, lower-cases, reads '&' as 'and', drops dots, reads hyphens
    as spaces, normalizes spaces around commas and brackets, expands a few abbreviations
    (St/Saint, Rep., Dem., Isds) and drops a leading or trailing 'the'. Text that was UTF-8
    decoded as Latin-1 ('CuraÃ§ao', seen in real BACI files) is repaired first.
    """
    text = str(name)
    if any(mark in text for mark in _MOJIBAKE):
        text = _repair_mojibake(text)
    text = text.translate(_APOSTROPHES)
    if not text.isascii():  # ASCII has no accents to drop (NFKD leaves it as it is)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").replace(".", "").replace("-", " ")
    text = _COMMA.sub(", ", text)
    text = _OPEN.sub(" (", text)
    text = _CLOSE.sub(")", text)
    text = " ".join(text.split())
    text = _WORDS.sub(_expand_word, text)
    text = _LEADING_THE.sub("", text)
    return _TRAILING_THE.sub("", text).strip(" ,")


def _expand_word(match: re.Match) -> str:
    return _WORD_RULES[match.group(1)]


def _repair_mojibake(text: str) -> str:
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


def _code_key(code: str) -> str:
    return str(code).strip().upper()


# --- tables ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Tables:
    countries: pd.DataFrame            # countries.csv as text, plus a `display` column
    by_name: dict[str, str]            # name_key -> ISO3 or aggregate code
    by_code: dict[str, dict[str, str]]  # system -> upper-case value -> code
    display: dict[str, str]            # code -> display name
    aggregate_codes: frozenset[str]


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows as dicts of stripped text; empty cells stay '' (Namibia's ISO2 is 'NA')."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ReferenceDataError(path, f"missing columns {missing}")
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except OSError as exc:
        raise ReferenceDataError(path, f"cannot read the table: {exc}") from exc


class _NameIndex:
    """name_key -> code, refusing a key that two entries send to different codes."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    def add(self, name: str, code: str, path: Path, row: int, column: str) -> None:
        key = name_key(name)
        if not key:
            return
        previous = self.codes.setdefault(key, code)
        if previous != code:
            raise ReferenceDataError(path, f"{name!r} would map to both {previous} and {code}",
                                     column=column, row=row)


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    folder = resource_path(_FOLDER)
    countries_path, aliases_path = folder / "countries.csv", folder / "aliases.csv"
    aggregates_path, codes_path = folder / "aggregates.csv", folder / "codes.csv"
    countries = _read_csv(countries_path, _COUNTRY_COLUMNS)
    aliases = _read_csv(aliases_path, ("alias", "code", "note"))
    aggregates = _read_csv(aggregates_path, ("name", "code", "note"))
    extra_codes = _read_csv(codes_path, ("system", "value", "code", "note"))

    names = _NameIndex()
    by_iso3: dict[str, str] = {}
    by_iso2: dict[str, str] = {}
    display: dict[str, str] = {UNMAPPED: "Unmapped", NES: "Areas, nes"}
    for row_no, row in enumerate(countries, start=2):
        iso3, iso2, status = row["iso3"], row["iso2"], row["status"]
        if not re.fullmatch(r"[A-Z]{3}", iso3) or iso3 in by_iso3:
            raise ReferenceDataError(countries_path, f"bad or repeated ISO3 {iso3!r}",
                                     column="iso3", row=row_no)
        if status not in _STATUSES:
            raise ReferenceDataError(countries_path, f"status {status!r} not one of {_STATUSES}",
                                     column="status", row=row_no)
        if iso2:
            if not re.fullmatch(r"[A-Z]{2}", iso2) or iso2 in by_iso2:
                raise ReferenceDataError(countries_path, f"bad or repeated ISO2 {iso2!r}",
                                         column="iso2", row=row_no)
            by_iso2[iso2] = iso3
        if not row["name"]:
            raise ReferenceDataError(countries_path, "empty name", column="name", row=row_no)
        by_iso3[iso3] = iso3
        display[iso3] = row["census_name"] or row["name"]
        names.add(row["name"], iso3, countries_path, row_no, "name")
        names.add(row["census_name"], iso3, countries_path, row_no, "census_name")

    aggregate_codes = {NES}
    for row_no, row in enumerate(aggregates, start=2):
        code = row["code"]
        is_country = code in by_iso3 and code not in aggregate_codes
        if not re.fullmatch(r"[A-Z0-9_]{3,}", code) or is_country:
            raise ReferenceDataError(aggregates_path, f"bad aggregate code {code!r} (or an ISO3)",
                                     column="code", row=row_no)
        aggregate_codes.add(code)
        by_iso3[code] = code
        display.setdefault(code, row["name"])
        names.add(row["name"], code, aggregates_path, row_no, "name")

    for row_no, row in enumerate(aliases, start=2):
        if row["code"] not in by_iso3:
            raise ReferenceDataError(aliases_path, f"unknown code {row['code']!r}",
                                     column="code", row=row_no)
        names.add(row["alias"], row["code"], aliases_path, row_no, "alias")

    by_code = {"iso3": dict(by_iso3), "iso2": by_iso2}
    for row_no, row in enumerate(extra_codes, start=2):
        system, value, code = row["system"].lower(), _code_key(row["value"]), row["code"]
        if code not in by_iso3 or not value or system in NAME_SYSTEMS:
            raise ReferenceDataError(codes_path, f"bad row {system!r}, {value!r} -> {code!r}",
                                     row=row_no)
        if by_code.setdefault(system, {}).setdefault(value, code) != code:
            raise ReferenceDataError(codes_path, f"{system} {value!r} is listed twice", row=row_no)

    frame = pd.DataFrame({column: _text([row[column] for row in countries])  # all text: no
                          for column in _COUNTRY_COLUMNS}, copy=False)     # inference needed
    frame["display"] = _text([display[row["iso3"]] for row in countries])
    return _Tables(frame, names.codes, by_code, display, frozenset(aggregate_codes))


def _text(values: list[str]) -> pd.arrays.ArrowStringArray:
    return pd.arrays.ArrowStringArray(pa.array(values, pa.large_string()))


#: every aggregate code (WLD, OTH, S19, EUN, NES, Census groups ...); never an ISO3
AGGREGATE_CODES: frozenset[str] = _tables().aggregate_codes
#: code systems (iso3, iso2 and any system codes.csv adds)
CODE_SYSTEMS: tuple[str, ...] = tuple(_tables().by_code)
#: every value `system=` accepts
SYSTEMS: tuple[str, ...] = NAME_SYSTEMS + CODE_SYSTEMS


# --- resolving ---------------------------------------------------------------------------------

def _resolver(system: str, overrides: Mapping[str, str] | None) -> Callable[[object], str]:
    """A function raw value -> code for one code system, analyst overrides first."""
    tables = _tables()
    system = str(system).lower()
    if system in NAME_SYSTEMS:
        key_of, lookup = name_key, tables.by_name
    elif system in tables.by_code:
        key_of, lookup = _code_key, tables.by_code[system]
    else:
        raise ValueError(f"unknown country code system {system!r}; expected one of {SYSTEMS}")
    if overrides:
        lookup = {**lookup, **{key_of(k): _code_key(v) for k, v in overrides.items()}}
    name_system = system in NAME_SYSTEMS

    def resolve(value: object) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return UNMAPPED
        key = key_of(str(value))
        code = lookup.get(key)
        if code is not None:
            return code
        return NES if name_system and _NES.search(key) else UNMAPPED

    return resolve


def normalize_partners(names: pd.Series, system: str = "census", *,
                       overrides: Mapping[str, str] | None = None) -> pd.Series:
    """Map partner names (or codes, for code systems) to ISO3 / aggregate code / UNMAPPED.

    Vectorized: each distinct value is resolved once, then spread back with an Arrow take, so
    a million rows with a few hundred partners cost tens of milliseconds. `overrides` maps raw
    names to codes the analyst chose (e.g. {'Other Asia, nes': 'TWN'}) ahead of the tables.
    Returns Arrow-backed strings with the same index (and name) as `names`.
    """
    series = names if isinstance(names, pd.Series) else pd.Series(names)
    resolve = _resolver(system, overrides)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = [resolve(value) for value in uniques] + [UNMAPPED]
    positions = np.where(codes < 0, len(mapped) - 1, codes)
    values = pa.array(mapped, type=pa.large_string()).take(pa.array(positions))
    return pd.Series(pd.arrays.ArrowStringArray(values), index=series.index, name=series.name)


def code_for(name: str, system: str = "census") -> str:
    """The code of one name (UNMAPPED when unknown)."""
    return _resolver(system, None)(name)


def is_aggregate(code: str) -> bool:
    """True for codes that stand for several or unknown countries (World, Other, nes, groups)."""
    return code in AGGREGATE_CODES


def country_name(code: str) -> str:
    """Display name of a code: the Census / USA Trade Online name where Census reports one.

    So 'KOR' -> 'Korea, South', 'COD' -> 'Congo (Kinshasa)', 'MMR' -> 'Burma', 'TUR' ->
    'Turkey' (the names US government trade tables and memos use); entities Census does not
    report get their short English name ('PSE' -> 'Palestine'); aggregates the first name in
    aggregates.csv ('WLD' -> 'World'); an unknown code comes back unchanged.
    """
    if code is None or code is pd.NA:
        return ""
    return _tables().display.get(_code_key(code), code)


def country_table() -> pd.DataFrame:
    """A copy of countries.csv (iso3, iso2, name, census_name, status, note) plus `display`."""
    return _tables().countries.copy()


def partner_report(frame: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """(unmapped partners, aggregate partners) with their summed value, largest first."""
    if frame.empty:
        return [], []
    flagged = frame["partner_code"].isin([UNMAPPED, *AGGREGATE_CODES]).to_numpy()
    if not flagged.any():
        return [], []
    grouped = frame.loc[flagged].groupby(["partner_raw", "partner_code"], observed=True,
                                         dropna=False)["value"].sum()
    unmapped, aggregates = [], []
    for (raw, code), value in grouped.sort_values(ascending=False).items():
        raw = "" if pd.isna(raw) else raw
        if code == UNMAPPED:
            unmapped.append({"partner": raw, "value_usd": float(value)})
        elif is_aggregate(code):
            aggregates.append({"partner": raw, "code": code, "value_usd": float(value)})
    return unmapped, aggregates
