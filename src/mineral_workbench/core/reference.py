"""Bundled reference tables (minerals, NIR, HTS crosswalk, sectors, uses, country groups).

`load_reference()` reads the CSVs under `resources/reference/`, checks them against their
schemas and cross-table rules, and returns one immutable-by-convention `Reference` whose
attributes are pandas DataFrames. The bundled set is cached: the GUI recomputes on every
keystroke and must not re-read files. Treat the frames as read-only (copy before editing);
scenario edits live elsewhere.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import ReferenceDataError
from .frames import STR, frame_from_rows, frame_of, str_array, typed_column
from .reference_schema import (
    DERIVATIVE_FORM, SCHEMAS, RawTable, check_crosswalk_rows, check_group_ids,
    check_known_mineral, check_nir_value, check_unique, check_value_qualifiers, column_types,
    expected_match_prefix, load_manifest, parse_import_sources, read_table)
from .resources import resource_path
from .world_production import concentration, production_by_mineral

__all__ = ["IMPORTANCE_WEIGHTS", "NIR_YEARS", "LIST_YEARS", "Reference", "ReferenceDataError",
           "TableInfo", "clear_reference_cache", "default_root", "expected_match_prefix",
           "load_reference"]

IMPORTANCE_WEIGHTS = {"high": 1.0, "medium": 0.5, "low": 0.25}
NIR_YEARS = (2023, 2024)
LIST_YEARS = (2022, 2025)
PLACEHOLDER_PREFIX = "equal split"
SHARE_TOLERANCE = 1e-3  # lets a three-way split be written 0.3333; shares are then rescaled
NIR_COLUMNS = ("mineral", "analysis_unit", "year", "pct", "qualifier", "edition", "note", "source",
               "confidence", "listed")
SOURCE_COLUMNS = ("mineral", "analysis_unit", "country", "iso3", "share", "basis", "source")
CHAPTER_UNITS = {"rare-earths": "rare earths", "magnesium-metal": "magnesium",
                 "zirconium-hafnium": "zirconium"}


@dataclass(frozen=True)
class TableInfo:
    name: str
    file: str
    title: str
    edition: str
    as_of: str
    citation: str
    rows: int


@dataclass(frozen=True, eq=False)
class Reference:
    """All reference tables plus the look-ups the metrics engine needs."""
    root: Path
    tables: dict[str, TableInfo]
    minerals: pd.DataFrame
    nir: pd.DataFrame
    import_sources: pd.DataFrame
    crosswalk: pd.DataFrame
    sectors: pd.DataFrame
    sector_importance: pd.DataFrame
    defense_uses: pd.DataFrame
    defense_categories: tuple[str, ...]
    country_groups: pd.DataFrame
    group_ids: tuple[str, ...]
    mineral_groups: pd.DataFrame
    world_production: pd.DataFrame
    salient_statistics: pd.DataFrame
    countries: pd.DataFrame
    nir_edition: str
    nir_years: tuple[int, ...]
    _group_of: dict[str, str]
    _group_meta: dict[str, dict]
    _year_notes: dict[int, str]
    _world_shares: pd.DataFrame | None = None
    _group_infos: dict = field(default_factory=dict, init=False, repr=False)

    def __repr__(self) -> str:
        return f"Reference(root={str(self.root)!r}, tables={list(self.tables)})"

    def analysis_unit(self, mineral: str) -> str:
        """The unit trade is analysed in: the group for a group member, else the name itself."""
        key = str(mineral).strip().lower()
        return self._group_of.get(key, key)

    def group_info(self, group_id: str) -> dict:
        """Title, as-of date, effective dates, source and members of a country group."""
        if group_id not in self._group_infos:  # values are str and tuples: a copy is enough
            self._group_infos[group_id] = self._group_info(group_id)
        return dict(self._group_infos[group_id])

    def _group_info(self, group_id: str) -> dict:
        groups = self.country_groups
        rows = [i for i, group in enumerate(groups["group"].tolist()) if group == group_id]
        if not rows:
            raise KeyError(f"unknown country group {group_id!r}; known: {', '.join(self.group_ids)}")
        column = {name: [values[i] for i in rows] for name, values in
                  ((name, groups[name].tolist()) for name in ("effective", "source", "iso3", "country"))}
        meta = self._group_meta.get(group_id, {})
        return {"id": group_id, "title": meta.get("title", group_id.replace("_", " ")),
                "as_of": meta.get("as_of", ""), "note": meta.get("note", ""),
                "effective": " | ".join(dict.fromkeys(column["effective"])),
                "source": " | ".join(dict.fromkeys(column["source"])),
                "members": tuple(column["iso3"]), "countries": tuple(column["country"])}

    def group_members(self, group_id: str) -> frozenset[str]:
        return frozenset(self.group_info(group_id)["members"])

    def nir_for(self, year: int) -> pd.DataFrame:
        """NIR of one data year indexed by analysis unit (rare earths: the group value)."""
        if year not in self.nir_years:
            raise ValueError(f"no NIR for {year}; available years: {self.nir_years}")
        rows = self.nir[(self.nir["year"] == year) & self.nir["listed"]]
        out = rows.drop_duplicates("analysis_unit").set_index("analysis_unit")
        out.index.name = "mineral"
        return out[["pct", "qualifier", "edition", "note", "source", "confidence"]]

    def nir_counts(self, year: int, list_year: int = 2022) -> dict:
        """Minerals of a critical-mineral list at 100% NIR and at >= 50% (not 100%).

        Elements are counted one by one, as the lists count them; a '>' bound of 50 or
        more counts as at least 50.
        """
        if list_year not in LIST_YEARS:
            raise ValueError(f"no critical-mineral list {list_year}; available: {LIST_YEARS}")
        if year not in self.nir_years:
            raise ValueError(f"no NIR for {year}; available years: {self.nir_years}")
        names = self.minerals.loc[self.minerals[f"usgs_{list_year}"], "mineral"]
        rows = self.nir[self.nir["year"] == year].set_index("mineral").reindex(names)
        full = (rows["qualifier"] == "=") & (rows["pct"] == 100)
        at_least_50 = rows["qualifier"].isin(["=", ">"]) & (rows["pct"] >= 50) & ~full
        return {"year": year, "list_year": list_year, "listed": len(names),
                "full": int(full.sum()), "at_least_50": int(at_least_50.sum()),
                "full_minerals": sorted(rows.index[full]),
                "at_least_50_minerals": sorted(rows.index[at_least_50]),
                "edition": self.nir_edition, "note": self._year_notes.get(year, "")}

    def world_concentration(self, group_iso3: set[str] | str, year: int | None = None) -> pd.DataFrame:
        """World-production HHI and a country group's share of world production per mineral.

        Series: the chapter's mine stage where it has one, else refinery, smelter or the
        stage it gives; the latest year with a world total unless `year` is given. Shares
        use the printed `World total` as denominator; HHI (0-10,000) leaves out the
        'Other countries' remainder (a lower bound) and countries shown as W or NA.
        `group_iso3` is a set of ISO3 codes or a group id.
        """
        group = self.group_members(group_iso3) if isinstance(group_iso3, str) else set(group_iso3)
        if year is None:
            base = self.world_shares().copy()
            base["group_share"] = [float(sum(v for k, v in shares.items() if k in group))
                                   if shares else math.nan for shares in base["shares"]]
            return base.drop(columns="shares")
        rows = [concentration(unit, records, group, year)
                for unit, records in production_by_mineral(self.world_production)]
        return pd.DataFrame(rows).set_index("mineral").drop(columns="shares")

    def world_shares(self) -> pd.DataFrame:
        """The chosen world-production series per mineral (latest year), with a `shares`
        column {iso3: share of world total}; computed once, so group changes cost microseconds."""
        if self._world_shares is None:
            rows = [concentration(unit, records, set(), None)
                    for unit, records in production_by_mineral(self.world_production)]
            object.__setattr__(self, "_world_shares", pd.DataFrame(rows).set_index("mineral"))
        return self._world_shares

    def summary(self) -> dict:
        """Editions, as-of dates, row counts and NIR counts, for `mineral-workbench reference`."""
        return {"tables": [asdict(info) for info in self.tables.values()],
                "nir_counts": [self.nir_counts(y) for y in sorted(self.nir_years, reverse=True)],
                "country_groups": [{k: v for k, v in self.group_info(g).items() if k != "countries"}
                                   for g in self.group_ids]}


def default_root() -> Path:
    return resource_path("reference")


def load_reference(root: Path | str | None = None) -> Reference:
    """Load and validate the reference tables under `root` (default: the bundled set, cached)."""
    if root is None or Path(root).resolve() == default_root().resolve():
        return _load_bundled()
    return _load(Path(root))


@functools.lru_cache(maxsize=1)
def _load_bundled() -> Reference:
    return _load(default_root())


def clear_reference_cache() -> None:
    _load_bundled.cache_clear()


def _load(root: Path) -> Reference:
    manifest = load_manifest(root)
    entries = manifest["tables"]
    raw = {name: read_table(root, name, entries[name]["file"]) for name in SCHEMAS}
    for name in ("world_production", "salient_statistics"):
        check_value_qualifiers(raw[name])
    countries = _frame(raw["usgs_countries"])
    check_unique(raw["usgs_countries"], "usgs_name")
    iso_of = dict(zip(raw["usgs_countries"].columns["usgs_name"], raw["usgs_countries"].columns["iso3"]))
    minerals, group_of = _minerals(raw["critical_minerals"], raw["mineral_groups"])
    units = set(minerals["analysis_unit"]) | set(group_of.values())
    known = set(minerals["mineral"]) | units
    nir_meta = entries["net_import_reliance"]
    edition = str(nir_meta.get("edition_short") or nir_meta["edition"])
    nir, import_sources = _nir(raw["net_import_reliance"], minerals, group_of, iso_of, edition)
    sectors = _sectors(raw["sectors"])
    categories = tuple(entries["defense_uses"].get("categories", ()))
    groups = _frame(raw["country_groups"])
    check_group_ids(raw["country_groups"])
    tables = {name: TableInfo(name, entry["file"], entry["title"], entry["edition"],
                              str(entry["as_of"]), entry["citation"], len(raw[name]))
              for name, entry in ((n, entries[n]) for n in SCHEMAS)}
    year_notes = {int(y): str(n) for y, n in nir_meta.get("year_notes", {}).items()}
    return Reference(
        root=root, tables=tables, minerals=minerals, nir=nir, import_sources=import_sources,
        crosswalk=_crosswalk(raw["hts_crosswalk"], units), sectors=sectors,
        sector_importance=_sector_importance(raw["mineral_sector_uses"], sectors, known, group_of),
        defense_uses=_defense(raw["defense_uses"], categories, known, group_of),
        defense_categories=categories, country_groups=groups,
        group_ids=tuple(dict.fromkeys(raw["country_groups"].columns["group"])),
        mineral_groups=_frame(raw["mineral_groups"]),
        world_production=_world_production(raw["world_production"], units, iso_of),
        salient_statistics=_frame(raw["salient_statistics"]), countries=countries,
        nir_edition=edition, nir_years=NIR_YEARS, _group_of=group_of,
        _group_meta=dict(entries["country_groups"].get("groups", {})), _year_notes=year_notes)


def _frame(raw: RawTable, rename: dict[str, str] | None = None) -> pd.DataFrame:
    return frame_of(_columns(raw, rename))


def _columns(raw: RawTable, rename: dict[str, str] | None = None) -> dict[str, object]:
    """The table's columns as typed arrays (text as `str`, as pandas would infer them)."""
    rename = rename or {}
    return {rename.get(col, col): typed_column(raw.columns[col], ctype.kind, ctype.optional)
            for col, ctype in column_types(raw.name).items()}


def _lower(texts: list[str]) -> tuple[object, list[str]]:
    """Lower-cased text as pandas' `.str.lower()` gives it (Arrow's utf8_lower), as a column
    and as a list."""
    lowered = pc.utf8_lower(pa.array(texts, pa.large_string()))
    return pd.arrays.ArrowStringArray(lowered, dtype=STR), lowered.to_pylist()


def _minerals(raw: RawTable, groups_raw: RawTable) -> tuple[pd.DataFrame, dict[str, str]]:
    check_unique(raw, "mineral")
    check_unique(groups_raw, "member")
    names = {m.lower() for m in raw.columns["mineral"]}
    group_of = {}
    for i, (group, member) in enumerate(zip(groups_raw.columns["group"], groups_raw.columns["member"])):
        if member.lower() not in names:
            groups_raw.fail(f"member {member!r} is not in critical_minerals.csv", "member", i)
        if group.lower() in names:
            groups_raw.fail(f"group {group!r} has the name of a mineral", "group", i)
        group_of[member.lower()] = group.lower()
    columns = _columns(raw, {"symbol_or_group": "symbol"})
    columns["mineral"], lowered = _lower(raw.columns["mineral"])
    items = list(columns.items())
    items.insert(4, ("analysis_unit", str_array([group_of.get(m, m) for m in lowered])))
    return frame_of(dict(items)), group_of


def _nir(raw, minerals, group_of, iso_of, edition):
    check_unique(raw, "mineral")
    cols = raw.columns
    listed = set(minerals["mineral"])
    missing = listed - {m.lower() for m in cols["mineral"]}
    if missing:
        raw.fail(f"no row for list mineral(s) {sorted(missing)}", "mineral")
    records, sources = [], []
    member_values: dict[tuple[str, int], set] = {}
    for i, mineral in enumerate(m.lower() for m in cols["mineral"]):
        unit = group_of.get(mineral, mineral)
        for year in NIR_YEARS:
            pct, qualifier = cols[f"nir_{year}_pct"][i], cols[f"nir_{year}_qualifier"][i]
            check_nir_value(raw, year, pct, qualifier, i)
            pct = pct if qualifier in ("=", ">", "<") else math.nan
            records.append((mineral, unit, year, pct, qualifier, edition, cols["nir_note"][i],
                            cols["source"][i], cols["confidence"][i], mineral in listed))
            if unit != mineral:  # str(nan) is "nan": blank members agree, as with astype(str)
                member_values.setdefault((unit, year), set()).add((str(pct), qualifier))
        for country, share in parse_import_sources(raw, i):
            if country not in iso_of:
                raw.fail(f"country {country!r} is not in usgs_countries.csv", "major_import_sources", i)
            sources.append((mineral, unit, country, iso_of[country], share,
                            cols["import_sources_basis"][i], cols["source"][i]))
    for unit, year in sorted(member_values):
        if len(member_values[unit, year]) > 1:
            raw.fail(f"members of '{unit}' carry different {year} values; each member must carry "
                     "the group value", f"nir_{year}_pct")
    nir = frame_from_rows(records, NIR_COLUMNS, {"year": np.int64, "pct": float, "listed": bool})
    return nir, frame_from_rows(sources, SOURCE_COLUMNS, {"share": float})


def _crosswalk(raw: RawTable, units: set[str]) -> pd.DataFrame:
    check_unique(raw, "hts_code", "mineral")
    check_crosswalk_rows(raw, units)
    cols = raw.columns
    derivative = [form == DERIVATIVE_FORM for form in cols["form"]]
    rows = [i for i, is_derivative in enumerate(derivative) if not is_derivative]
    shares = np.array(cols["share"], dtype=float)
    # pandas' grouped sum (compensated), exactly as the frame-based loader summed
    totals = pd.Series(shares[rows]).groupby(np.array(cols["hts_code"], dtype=object)[rows]
                                             ).transform("sum").tolist() if rows else []
    for i, total in zip(rows, totals):
        if abs(total - 1) > SHARE_TOLERANCE:
            raw.fail(f"shares of the non-derivative rows of {cols['hts_code'][i]} sum to {total:g}, "
                     "not 1", "share", i)
    shares[rows] = shares[rows] / np.array(totals, dtype=float)
    columns = _columns(raw)
    columns["mineral"] = _lower(cols["mineral"])[0]
    columns["share"] = shares
    columns["is_derivative"] = np.array(derivative, dtype=bool)
    columns["is_placeholder"] = np.array([b.startswith(PLACEHOLDER_PREFIX) for b in cols["share_basis"]],
                                         dtype=bool)
    order = ["hts_code", "match_prefix", "description", "mineral", "form", "share", "share_basis",
             "is_derivative", "is_placeholder", "confidence", "source", "form_detail",
             "ntr_rate_2024", "notes"]
    return frame_of({name: columns[name] for name in order})


def _sectors(raw: RawTable) -> pd.DataFrame:
    check_unique(raw, "sector_id")
    check_unique(raw, "sector_name_nsm22")
    for i, sector_id in enumerate(raw.columns["sector_id"]):
        if not re.fullmatch(r"S\d{2}", sector_id):
            raw.fail(f"sector_id {sector_id!r} is not of the form S01", "sector_id", i)
    return _frame(raw, {"sector_name_nsm22": "name", "former_name_ppd21": "former_name",
                        "sector_risk_management_agency": "agency"})


def _sector_importance(raw, sectors, units, group_of) -> pd.DataFrame:
    check_unique(raw, "mineral", "sector")
    id_of = dict(zip(sectors["name"], sectors["sector_id"]))
    for i, sector in enumerate(raw.columns["sector"]):
        check_known_mineral(raw, "mineral", units, i)
        if sector not in id_of:
            raw.fail(f"sector {sector!r} is not in sectors.csv", "sector", i)
    columns = _columns(raw, {"end_uses_mcs": "end_uses"})
    columns["mineral"], lowered = _lower(raw.columns["mineral"])
    columns["analysis_unit"] = str_array([group_of.get(m, m) for m in lowered])
    columns["sector_id"] = str_array([id_of[sector] for sector in raw.columns["sector"]])
    columns["weight"] = _weights(raw.columns["importance"])
    return frame_of({name: columns[name] for name in (
        "mineral", "analysis_unit", "sector_id", "sector", "importance", "weight", "rationale",
        "basis", "end_uses", "source")})


def _weights(levels: list[str]) -> np.ndarray:
    return np.array([IMPORTANCE_WEIGHTS[level] for level in levels], dtype=float)


def _defense(raw, categories, units, group_of) -> pd.DataFrame:
    allowed = set(categories)
    parsed = []
    for i, cell in enumerate(raw.columns["categories"]):
        check_known_mineral(raw, "mineral", units, i)
        cats = tuple(c.strip() for c in cell.split(";") if c.strip())
        unknown = [c for c in cats if c not in allowed]
        if unknown or not cats:
            raw.fail(f"unknown or missing categories {unknown}; expected from: "
                     f"{'; '.join(categories)}", "categories", i)
        parsed.append(cats)
    columns = _columns(raw)
    columns["mineral"], lowered = _lower(raw.columns["mineral"])
    columns["categories"] = pd.Series(parsed, dtype=object)
    columns["analysis_unit"] = str_array([group_of.get(m, m) for m in lowered])
    columns["weight"] = _weights(raw.columns["importance"])
    return frame_of({name: columns[name] for name in (
        "mineral", "analysis_unit", "defense_use", "system_examples", "categories", "importance",
        "weight", "confidence", "source", "notes")})


def _world_production(raw: RawTable, units: set[str], iso_of: dict[str, str]) -> pd.DataFrame:
    for i, country in enumerate(raw.columns["country"]):
        if country not in iso_of:
            raw.fail(f"country {country!r} is not in usgs_countries.csv", "country", i)
    mapped = []
    for chapter, form in zip(raw.columns["mineral"], raw.columns["form"]):
        unit = form.lower() if chapter == "platinum-group" else CHAPTER_UNITS.get(chapter, chapter)
        mapped.append(unit if unit in units else "")
    items = list(_columns(raw, {"mineral": "chapter"}).items())
    items.insert(1, ("mineral", str_array(mapped)))
    items.insert(5, ("iso3", str_array([iso_of[country] for country in raw.columns["country"]])))
    return frame_of(dict(items))
