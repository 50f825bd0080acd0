"""Schemas of the bundled reference CSVs and the reader that enforces them.

The schemas live here, in code, so an edited manifest cannot loosen them; the loader
checks that `manifest.json` documents exactly these columns. Every failure raises
`ReferenceDataError` naming the file, the column and the CSV line number, because the
analyst who edited the table has to find the cell to fix.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ReferenceDataError

MANIFEST = "manifest.json"
NIR_QUALIFIERS = ("=", ">", "<", "E", "NA")
CONFIDENCE = "enum[high|medium|low]"
DERIVATIVE_FORM, CONTAINS = "derivative product", "contains"
VALUE_QUALIFIER_CODES = frozenset({"e", "W", "NA", "E", "XX", ">", "<", "<0.5"})
PLACEHOLDER_SOURCES = frozenset({"not retrieved", "n/a", "na", "none", "unknown", "-", "tbd", "?"})

SCHEMAS: dict[str, dict[str, str]] = {
    "critical_minerals": {
        "mineral": "text", "symbol_or_group": "text", "usgs_2022": "yn", "usgs_2025": "yn",
        "notes": "text?", "source": "text"},
    "net_import_reliance": {
        "mineral": "text", "nir_2024_pct": "float?", "nir_note": "text?",
        "major_import_sources": "text?", "source": "text",
        "nir_2024_qualifier": "enum[=|>|<|E|NA]", "nir_2023_pct": "float?",
        "nir_2023_qualifier": "enum[=|>|<|E|NA]", "import_sources_basis": "text?",
        "import_sources_other_forms": "text?", "confidence": CONFIDENCE},
    "hts_crosswalk": {
        "hts_code": "text", "match_prefix": "digits", "description": "text", "mineral": "text",
        "form": "enum[ore/concentrate|chemical/compound|unwrought metal|scrap|"
                "wrought/semifinished|derivative product]",
        "share": "float", "share_basis": "text", "form_detail": "text?", "ntr_rate_2024": "text?",
        "confidence": CONFIDENCE, "source": "text", "notes": "text?"},
    "sectors": {
        "sector_id": "text", "sector_name_nsm22": "text", "former_name_ppd21": "text?",
        "sector_risk_management_agency": "text", "srma_confidence": CONFIDENCE,
        "notes": "text?", "source": "text"},
    "mineral_sector_uses": {
        "mineral": "text", "end_uses_mcs": "text?", "sector": "text",
        "importance": "enum[high|medium|low]", "rationale": "text",
        "basis": "enum[usgs_stated_use|analyst_judgment]", "source": "text"},
    "defense_uses": {
        "mineral": "text", "defense_use": "text", "system_examples": "text?", "categories": "text",
        "importance": "enum[high|medium|low]", "confidence": CONFIDENCE, "source": "text",
        "notes": "text?"},
    "country_groups": {
        "group": "text", "country": "text", "iso3": "iso3", "effective": "text", "source": "text",
        "note": "text?"},
    "mineral_groups": {"group": "text", "member": "text", "note": "text?", "source": "text"},
    "world_production": {
        "mineral": "text", "stage": "enum[mine|refinery|smelter|other]", "form": "text?",
        "country": "text", "year": "int", "value": "float?", "unit": "text", "qualifier": "text?",
        "source": "text", "note": "text?"},
    "salient_statistics": {
        "mineral": "text",
        "statistic": "enum[imports_for_consumption|imports|imports_general|exports|"
                     "apparent_consumption|reported_consumption|estimated_consumption|price|"
                     "net_import_reliance_pct]",
        "form": "text?", "year": "int", "value": "float?", "qualifier": "text?", "unit": "text",
        "source": "text", "note": "text?"},
    "usgs_countries": {
        "usgs_name": "text", "iso3": "iso3?", "kind": "enum[country|territory|economy|aggregate]",
        "note": "text?", "source": "text"},
}

_TYPE = re.compile(r"^(text|float|int|yn|digits|iso3|enum)(\?)?(?:\[(.*)\])?$")
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_WHOLE_NUMBER = re.compile(r"-?\d+")
_ISO3 = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class ColumnType:
    kind: str
    optional: bool
    choices: tuple[str, ...] = ()

    @classmethod
    def parse(cls, spec: str) -> "ColumnType":
        match = _TYPE.match(spec)
        if not match:
            raise ValueError(f"bad column type {spec!r}")
        kind, optional, choices = match.groups()
        return cls(kind, bool(optional), tuple(choices.split("|")) if choices else ())


@dataclass
class RawTable:
    """A parsed CSV: typed column lists plus the CSV line number of each record."""
    name: str
    path: Path
    columns: dict[str, list]
    lines: list[int]

    def __len__(self) -> int:
        return len(self.lines)

    def fail(self, problem: str, column: str | None = None, index: int | None = None):
        row = self.lines[index] if index is not None else None
        raise ReferenceDataError(self.path, problem, column=column, row=row)


def _convert(raw: str, ctype: ColumnType):
    """Parse one cell; raise ValueError with a human message when it does not fit."""
    text = raw.strip()
    if text == "":
        if not ctype.optional:
            raise ValueError("is empty")
        return math.nan if ctype.kind in ("float", "int") else ""
    if ctype.kind == "text":
        return text
    if ctype.kind == "float":
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if ctype.kind == "int":
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValueError(f"{text!r} is not a whole number")
        return int(text)
    if ctype.kind == "yn":
        if text.lower() not in ("y", "n"):
            raise ValueError(f"{text!r} is not y or n")
        return text.lower() == "y"
    if ctype.kind == "digits":
        if not text.isdigit() or not text.isascii():
            raise ValueError(f"{text!r} must be digits only")
        return text
    if ctype.kind == "iso3":
        if not _ISO3.fullmatch(text):
            raise ValueError(f"{text!r} is not a three-letter ISO code")
        return text
    if text not in ctype.choices:  # enum
        raise ValueError(f"{text!r} is not one of {', '.join(ctype.choices)}")
    return text


@functools.lru_cache(maxsize=None)
def column_types(name: str) -> dict[str, ColumnType]:
    """The parsed column types of table `name` (shared: do not modify)."""
    return {col: ColumnType.parse(spec) for col, spec in SCHEMAS[name].items()}


def read_table(root: Path, name: str, file: str) -> RawTable:
    """Read `file` under `root` and check it against `SCHEMAS[name]`.

    Problems are reported in reading order: the first bad cell or line of the file.
    """
    path = root / file
    schema = column_types(name)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise ReferenceDataError(path, "file is missing") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ReferenceDataError(path, "file is empty (no header line)") from None
        except UnicodeDecodeError:
            raise ReferenceDataError(path, "file is not UTF-8 text") from None
        for col in schema:
            if col not in header:
                raise ReferenceDataError(path, "required column is missing", column=col, row=1)
        where = {col: header.index(col) for col in schema}
        records: list[list[str]] = []
        lines: list[int] = []
        start = reader.line_num + 1
        width = len(header)
        try:
            for record in reader:
                line, start = start, reader.line_num + 1
                if not "".join(record).strip():  # blank: every cell empty or whitespace
                    continue
                if len(record) != width:
                    if len(record) > width:
                        _convert_columns(path, schema, where, records, lines)  # earlier cells first
                        raise ReferenceDataError(
                            path, f"{len(record)} fields but the header has {width}", row=line)
                    record += [""] * (width - len(record))
                records.append(record)
                lines.append(line)
        except UnicodeDecodeError:
            _convert_columns(path, schema, where, records, lines)
            raise ReferenceDataError(path, "file is not UTF-8 text") from None
        except csv.Error as exc:
            _convert_columns(path, schema, where, records, lines)
            raise ReferenceDataError(path, f"malformed CSV: {exc}", row=reader.line_num) from None
    table = RawTable(name, path, _convert_columns(path, schema, where, records, lines), lines)
    _check_sources(table)
    return table


def _convert_columns(path: Path, schema: dict[str, ColumnType], where: dict[str, int],
                     records: list[list[str]], lines: list[int]) -> dict[str, list]:
    """Typed columns of `records`, a column at a time (text cells, most of them, in one
    comprehension); any bad cell sends the table through `_convert` cell by cell, in reading
    order, so the first bad cell of the file is the one reported."""
    try:
        return {col: _convert_column([record[where[col]] for record in records], ctype)
                for col, ctype in schema.items()}
    except ValueError:
        pass
    columns: dict[str, list] = {col: [] for col in schema}
    for record, line in zip(records, lines):
        for col, ctype in schema.items():
            try:
                columns[col].append(_convert(record[where[col]], ctype))
            except ValueError as exc:
                raise ReferenceDataError(path, f"value {exc}", column=col, row=line) from None
    return columns


def _convert_column(cells: list[str], ctype: ColumnType) -> list:
    """`_convert` over a column, one tight loop per kind; raises ValueError when any cell
    does not fit (the caller then finds the first bad cell with `_convert`)."""
    texts, kind = [cell.strip() for cell in cells], ctype.kind
    if "" in texts:
        if not ctype.optional:
            raise ValueError("is empty")
        if kind not in ("text", "float"):
            return [_convert(text, ctype) for text in texts]
    if kind == "float":
        values = [float(text.replace(",", "")) if text else math.nan for text in texts]
        if not all(math.isfinite(value) or not text for text, value in zip(texts, values)):
            raise ValueError("is not a finite number")
        return values
    if kind == "int":
        if not all(map(_WHOLE_NUMBER.fullmatch, texts)):
            raise ValueError("is not a whole number")
        return [int(text) for text in texts]
    if kind == "yn":
        lowered = [text.lower() for text in texts]
        if not {"y", "n"}.issuperset(lowered):
            raise ValueError("is not y or n")
        return [text == "y" for text in lowered]
    fits = {"digits": _is_digits, "iso3": _ISO3.fullmatch}.get(kind, set(ctype.choices).__contains__)
    if kind != "text" and not all(map(fits, texts)):
        raise ValueError("does not fit")
    return texts


def _is_digits(text: str) -> bool:
    return text.isdigit() and text.isascii()


def _check_sources(table: RawTable) -> None:
    sources = table.columns["source"]
    if PLACEHOLDER_SOURCES.isdisjoint(source.strip().lower() for source in sources):
        return
    for i, source in enumerate(sources):
        if source.strip().lower() in PLACEHOLDER_SOURCES:
            table.fail(f"source {source!r} is a placeholder, not a source", "source", i)


def check_value_qualifiers(table: RawTable) -> None:
    """Qualifier cells of the MCS tabulations hold ';'-joined codes from a fixed set."""
    for i, cell in enumerate(table.columns["qualifier"]):
        codes = {c.strip() for c in cell.split(";")} if cell else set()
        unknown = codes - VALUE_QUALIFIER_CODES
        if unknown:
            table.fail(f"unknown qualifier code(s) {sorted(unknown)}; expected codes from "
                       f"{sorted(VALUE_QUALIFIER_CODES)}", "qualifier", i)


def load_manifest(root: Path) -> dict:
    """Read `manifest.json` and check each table entry: file, edition, as-of date, citation."""
    path = root / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError(path, "file is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(path, f"not valid JSON: {exc}") from None
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if not isinstance(tables, dict):
        raise ReferenceDataError(path, "has no 'tables' object")
    for name, schema in SCHEMAS.items():
        entry = tables.get(name)
        if not isinstance(entry, dict):
            raise ReferenceDataError(path, f"no entry for table '{name}'")
        for key in ("file", "title", "edition", "as_of", "citation"):
            if not str(entry.get(key, "")).strip():
                raise ReferenceDataError(path, f"table '{name}' has no {key}", column=key)
        if not _ISO_DATE.match(str(entry["as_of"])):
            raise ReferenceDataError(
                path, f"table '{name}' as_of {entry['as_of']!r} is not an ISO date "
                      "(YYYY, YYYY-MM or YYYY-MM-DD)", column="as_of")
        if entry.get("columns") != schema:
            raise ReferenceDataError(
                path, f"table '{name}' columns do not match the loader's schema {schema}",
                column="columns")
    return manifest


# --- row checks shared by the table builders in reference.py ------------------------------

def check_unique(raw: RawTable, *keys: str) -> None:
    """A key seen twice names both lines: the analyst must choose which one to keep."""
    seen: dict[tuple, int] = {}
    for i, key in enumerate(zip(*(raw.columns[k] for k in keys))):
        if key in seen:
            raw.fail(f"duplicate {'/'.join(keys)} {'/'.join(map(str, key))} "
                     f"(first on line {raw.lines[seen[key]]})", keys[-1], i)
        seen[key] = i


def check_known_mineral(raw: RawTable, column: str, units: set[str], i: int) -> None:
    """A misspelt mineral would otherwise drop out of every roll-up silently."""
    if raw.columns[column][i].lower() not in units:
        raw.fail(f"unknown mineral {raw.columns[column][i]!r}: not in critical_minerals.csv "
                 "or a mineral group", column, i)


def expected_match_prefix(hts_code: str) -> str:
    """Digits of an HTS code with trailing '00' pairs dropped down to six digits."""
    digits = re.sub(r"\D", "", hts_code)
    while len(digits) > 6 and digits.endswith("00"):
        digits = digits[:-2]
    return digits


def check_nir_value(raw: RawTable, year: int, pct: float, qualifier: str, i: int) -> None:
    """The qualifier decides what the percent means, so the two must agree."""
    column = f"nir_{year}_pct"
    if qualifier in ("=", ">", "<") and not (0 <= pct <= 100):
        raw.fail(f"qualifier '{qualifier}' needs a percent between 0 and 100", column, i)
    if qualifier == "E" and not (math.isnan(pct) or pct == -1):
        raw.fail("qualifier 'E' (net exporter) needs -1 or a blank value", column, i)
    if qualifier == "NA" and not math.isnan(pct):
        raw.fail("qualifier 'NA' needs a blank value", column, i)


def parse_import_sources(raw: RawTable, i: int) -> list[tuple[str, float]]:
    """'China:63;Other:37' -> [('China', 0.63), ('Other', 0.37)]; the shares must total 100%."""
    text = raw.columns["major_import_sources"][i]
    if not text:
        return []
    pairs = []
    for part in text.split(";"):
        country, sep, pct = part.rpartition(":")
        try:
            value = float(pct)
        except ValueError:
            value = math.nan
        if not sep or not country.strip() or not 0 <= value <= 100:
            raw.fail(f"'{part}' is not 'Country:percent'", "major_import_sources", i)
        pairs.append((country.strip(), value / 100))
    if abs(sum(s for _, s in pairs) - 1) > 0.015:
        raw.fail(f"import shares sum to {sum(s for _, s in pairs):.0%}, not 100%", "major_import_sources", i)
    return pairs


def check_crosswalk_rows(raw: RawTable, units: set[str]) -> None:
    """HTS code format, the trailing-00 prefix rule, known analysis units, derivative rules."""
    cols = raw.columns
    for i, code in enumerate(cols["hts_code"]):
        digits = re.sub(r"\D", "", code)
        if not re.fullmatch(r"[\d.]+", code) or len(digits) not in (4, 6, 8, 10):
            raw.fail(f"'{code}' is not an HTS code of 4, 6, 8 or 10 digits", "hts_code", i)
        if cols["match_prefix"][i] != expected_match_prefix(code):
            raw.fail(f"match_prefix {cols['match_prefix'][i]} does not follow hts_code {code}: "
                     f"expected {expected_match_prefix(code)} (trailing 00 pairs dropped to 6 digits)",
                     "match_prefix", i)
        check_known_mineral(raw, "mineral", units, i)
        if not 0 < cols["share"][i] <= 1:
            raw.fail("share must be above 0 and at most 1", "share", i)
        derivative = cols["form"][i] == DERIVATIVE_FORM
        if derivative != (cols["share_basis"][i] == CONTAINS):
            raw.fail("derivative products, and only they, take share_basis 'contains'", "share_basis", i)
        if derivative and cols["share"][i] != 1:
            raw.fail("a derivative product is listed in full (share 1) under each mineral it contains",
                     "share", i)


def check_group_ids(raw: RawTable) -> None:
    """Group ids are used on the command line (`--group ID`), so keep them plain."""
    check_unique(raw, "group", "iso3")
    for i, group in enumerate(raw.columns["group"]):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", group):
            raw.fail(f"group id {group!r} must be lower-case letters, digits and _", "group", i)
