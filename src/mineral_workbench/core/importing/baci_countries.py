"""BACI's country table (`country_codes_V*.csv`): BACI numbers -> names and ISO3 codes.

BACI numbers countries its own way (Comtrade's: USA 842, Switzerland 757, India 699), keeps
historical entities (`Belgium-Luxembourg (...1998)`) and residual areas (`490 Other Asia,
nes` -> S19). The table ships beside the data files; when it is not there, the bundled
`baci` code system (ISO 3166 numeric plus BACI's own numbers, resources/countries/codes.csv)
stands in. Cells are read as plain text, so Namibia's ISO2 `NA` (or an empty ISO2, as a
careless reader leaves it) never turns into a missing value.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..countries import country_name, normalize_partners
from ..errors import InputError
from ..tradeframe import UNMAPPED
from .textfile import read_text

#: column roles -> header names used by BACI releases (V202501 and the older layout)
TABLE_COLUMNS = {
    "code": ("country_code",),
    "name": ("country_name", "country_name_abbreviation", "country_name_full"),
    "iso3": ("country_iso3", "iso_3digit_alpha"),
    "iso2": ("country_iso2", "iso_2digit_alpha"),
}
_TABLE_NAME = re.compile(r"country_codes_v\w*\.csv", re.IGNORECASE)
_VERSION = re.compile(r"_(V\d{6}\w*?)(?:\.csv)?$", re.IGNORECASE)


@dataclass
class CountryTable:
    source: str                              # the table file name, or "bundled"
    names: dict[int, str] = field(default_factory=dict)
    iso3: dict[int, str] = field(default_factory=dict)

    def code_of(self, iso3: str, default: int) -> int:
        return next((code for code, value in self.iso3.items() if value == iso3), default)


def is_country_table_header(cells: list[str]) -> bool:
    keys = {cell.lower() for cell in cells}
    return "country_code" in keys and bool(keys & set(TABLE_COLUMNS["iso3"]))


def find_table(data_path: Path, warnings: list[str]) -> Path | None:
    """The `country_codes_V*.csv` beside the data file; the one of the same BACI version
    when there are several."""
    try:
        candidates = sorted(p for p in data_path.parent.iterdir()
                            if _TABLE_NAME.fullmatch(p.name) and p.is_file())
    except OSError:
        return None
    if not candidates:
        return None
    version = _VERSION.search(data_path.stem + ".csv")
    same = [p for p in candidates if version and version.group(1).lower() in p.name.lower()]
    chosen = same[0] if same else candidates[-1]
    if version and not same:
        warnings.append(f"no country table of version {version.group(1)} beside the file: "
                        f"{chosen.name} used")
    elif len(candidates) > 1 and not same:
        warnings.append(f"several country tables beside the file: {chosen.name} used")
    return chosen


def read_table(path: Path) -> CountryTable:
    """Parse a BACI country table; InputError names the table, row and column at fault."""
    text = read_text(path)
    rows = list(csv.reader(io.StringIO(text.text, newline="")))
    if not rows:
        raise InputError(path, "the BACI country table is empty")
    header = [cell.strip().lower() for cell in rows[0]]
    position = {}
    for role, names in TABLE_COLUMNS.items():
        position[role] = next((header.index(n) for n in names if n in header), None)
    if position["code"] is None or position["name"] is None:
        raise InputError(path, "not a BACI country table: it needs columns country_code and "
                               "country_name")
    table = CountryTable(source=path.name)
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        code = cells[position["code"]].strip()
        if not code.isdigit():
            raise InputError(path, f"country_code {code!r} is not a number", row=line,
                             column="country_code")
        table.names[int(code)] = cells[position["name"]].strip()
        if position["iso3"] is not None:
            table.iso3[int(code)] = cells[position["iso3"]].strip().upper()
    return table


def bundled_table() -> CountryTable:
    return CountryTable(source="bundled")


def partners(codes: np.ndarray, table: CountryTable) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Distinct BACI numbers -> (partner_raw, partner_code, numbers the table lacks).

    The table's ISO3 decides; a blank or unknown ISO3 falls back to the name; a number the
    table lacks stays UNMAPPED under the name `BACI code N`, so it is listed with its value.
    """
    distinct = [int(c) for c in codes]
    if table.source == "bundled":
        found = normalize_partners(pd.Series([str(c) for c in distinct], dtype=object),
                                   system="baci").to_numpy(dtype=object)
        raw = np.array([country_name(code) if code != UNMAPPED else f"BACI code {number}"
                        for number, code in zip(distinct, found)], dtype=object)
        missing = [n for n, code in zip(distinct, found) if code == UNMAPPED]
        return raw, found, missing
    raw = np.array([table.names.get(n, f"BACI code {n}") for n in distinct], dtype=object)
    iso3 = pd.Series([table.iso3.get(n, "") for n in distinct], dtype=object)
    found = normalize_partners(iso3, system="iso3").to_numpy(dtype=object)
    found[(iso3 == "").to_numpy()] = UNMAPPED
    retry = (found == UNMAPPED) & np.array([n in table.names for n in distinct], dtype=bool)
    if retry.any():
        by_name = normalize_partners(pd.Series(raw[retry], dtype=object), system="name")
        found[retry] = by_name.to_numpy(dtype=object)
    missing = [n for n in distinct if n not in table.names]
    return raw, found, missing
