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
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from .errors import ReferenceDataError
from .reference_schema import (
    DERIVATIVE_FORM, SCHEMAS, RawTable, check_crosswalk_rows, check_group_ids,
    check_known_mineral, check_nir_value, check_unique, check_value_qualifiers,
    expected_match_prefix, load_manifest, parse_import_sources, read_table)
from .resources import resource_path

__all__ = ["IMPORTANCE_WEIGHTS", "NIR_YEARS", "LIST_YEARS", "Reference", "ReferenceDataError",
           "TableInfo", "clear_reference_cache", "default_root", "expected_match_prefix",
           "load_reference"]

IMPORTANCE_WEIGHTS = {"high": 1.0, "medium": 0.5, "low": 0.25}
NIR_YEARS = (2023, 2024)
LIST_YEARS = (2022, 2025)
PLACEHOLDER_PREFIX = "equal split"
SHARE_TOLERANCE = 1e-3  # lets a three-way split be written 0.3333; shares are then rescaled
WORLD_TOTAL, OTHER_COUNTRIES = "World total", "Other countries"
STAGE_PRIORITY = ("mine", "refinery", "smelter", "other")
PREFERRED_FORM = {"silicon": "silicon metal"}  # chapters with several series at one stage
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

    def __repr__(self) -> str:
        return f"Reference(root={str(self.root)!r}, tables={list(self.tables)})"

    def analysis_unit(self, mineral: str) -> str:
        """The unit trade is analysed in: the group for a group member, else the name itself."""
        key = str(mineral).strip().lower()
        return self._group_of.get(key, key)

    def group_info(self, group_id: str) -> dict:
        """Title, as-of date, effective dates, source and members of a country group."""
        rows = self.country_groups[self.country_groups["group"] == group_id]
        if rows.empty:
            raise KeyError(f"unknown country group {group_id!r}; known: {', '.join(self.group_ids)}")
        meta = self._group_meta.get(group_id, {})
        return {"id": group_id, "title": meta.get("title", group_id.replace("_", " ")),
                "as_of": meta.get("as_of", ""), "note": meta.get("note", ""),
                "effective": " | ".join(dict.fromkeys(rows["effective"])),
                "source": " | ".join(dict.fromkeys(rows["source"])),
                "members": tuple(rows["iso3"]), "countries": tuple(rows["country"])}

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
        rows = [_concentration(unit, records, group, year)
                for unit, records in _production_by_mineral(self.world_production)]
        return pd.DataFrame(rows).set_index("mineral").drop(columns="shares")

    def world_shares(self) -> pd.DataFrame:
        """The chosen world-production series per mineral (latest year), with a `shares`
        column {iso3: share of world total}; computed once, so group changes cost microseconds."""
        if self._world_shares is None:
            rows = [_concentration(unit, records, set(), None)
                    for unit, records in _production_by_mineral(self.world_production)]
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
    iso_of = dict(zip(countries["usgs_name"], countries["iso3"]))
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
        group_ids=tuple(dict.fromkeys(groups["group"])), mineral_groups=_frame(raw["mineral_groups"]),
        world_production=_world_production(raw["world_production"], units, iso_of),
        salient_statistics=_frame(raw["salient_statistics"]), countries=countries,
        nir_edition=edition, nir_years=NIR_YEARS, _group_of=group_of,
        _group_meta=dict(entries["country_groups"].get("groups", {})), _year_notes=year_notes)


def _frame(raw: RawTable, rename: dict[str, str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(raw.columns).rename(columns=rename or {})


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
    frame = _frame(raw, {"symbol_or_group": "symbol"})
    frame["mineral"] = frame["mineral"].str.lower()
    frame.insert(4, "analysis_unit", [group_of.get(m, m) for m in frame["mineral"]])
    return frame, group_of


def _nir(raw, minerals, group_of, iso_of, edition):
    check_unique(raw, "mineral")
    cols = raw.columns
    listed = set(minerals["mineral"])
    missing = listed - {m.lower() for m in cols["mineral"]}
    if missing:
        raw.fail(f"no row for list mineral(s) {sorted(missing)}", "mineral")
    records, sources = [], []
    for i, mineral in enumerate(m.lower() for m in cols["mineral"]):
        unit = group_of.get(mineral, mineral)
        for year in NIR_YEARS:
            pct, qualifier = cols[f"nir_{year}_pct"][i], cols[f"nir_{year}_qualifier"][i]
            check_nir_value(raw, year, pct, qualifier, i)
            records.append({"mineral": mineral, "analysis_unit": unit, "year": year,
                            "pct": pct if qualifier in ("=", ">", "<") else math.nan,
                            "qualifier": qualifier, "edition": edition, "note": cols["nir_note"][i],
                            "source": cols["source"][i], "confidence": cols["confidence"][i],
                            "listed": mineral in listed})
        for country, share in parse_import_sources(raw, i):
            if country not in iso_of:
                raw.fail(f"country {country!r} is not in usgs_countries.csv", "major_import_sources", i)
            sources.append({"mineral": mineral, "analysis_unit": unit, "country": country,
                            "iso3": iso_of[country], "share": share,
                            "basis": cols["import_sources_basis"][i], "source": cols["source"][i]})
    nir = pd.DataFrame(records)
    for (unit, year), rows in nir[nir["analysis_unit"] != nir["mineral"]].groupby(["analysis_unit", "year"]):
        if rows[["pct", "qualifier"]].astype(str).drop_duplicates().shape[0] > 1:
            raw.fail(f"members of '{unit}' carry different {year} values; each member must carry "
                     "the group value", f"nir_{year}_pct")
    columns = ["mineral", "analysis_unit", "country", "iso3", "share", "basis", "source"]
    return nir, pd.DataFrame(sources, columns=columns)


def _crosswalk(raw: RawTable, units: set[str]) -> pd.DataFrame:
    check_unique(raw, "hts_code", "mineral")
    check_crosswalk_rows(raw, units)
    frame = _frame(raw)
    frame["mineral"] = frame["mineral"].str.lower()
    frame["is_derivative"] = frame["form"] == DERIVATIVE_FORM
    frame["is_placeholder"] = frame["share_basis"].str.startswith(PLACEHOLDER_PREFIX)
    totals = frame[~frame["is_derivative"]].groupby("hts_code")["share"].transform("sum")
    for index, total in totals.items():
        if abs(total - 1) > SHARE_TOLERANCE:
            raw.fail(f"shares of the non-derivative rows of {frame.at[index, 'hts_code']} sum to "
                     f"{total:g}, not 1", "share", int(index))
    frame.loc[totals.index, "share"] = frame.loc[totals.index, "share"] / totals
    order = ["hts_code", "match_prefix", "description", "mineral", "form", "share", "share_basis",
             "is_derivative", "is_placeholder", "confidence", "source", "form_detail",
             "ntr_rate_2024", "notes"]
    return frame[order]


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
    frame = _frame(raw, {"end_uses_mcs": "end_uses"})
    frame["mineral"] = frame["mineral"].str.lower()
    frame["analysis_unit"] = [group_of.get(m, m) for m in frame["mineral"]]
    frame["sector_id"] = frame["sector"].map(id_of)
    frame["weight"] = frame["importance"].map(IMPORTANCE_WEIGHTS)
    return frame[["mineral", "analysis_unit", "sector_id", "sector", "importance", "weight",
                  "rationale", "basis", "end_uses", "source"]]


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
    frame = _frame(raw)
    frame["mineral"] = frame["mineral"].str.lower()
    frame["categories"] = pd.Series(parsed, dtype=object)
    frame["analysis_unit"] = [group_of.get(m, m) for m in frame["mineral"]]
    frame["weight"] = frame["importance"].map(IMPORTANCE_WEIGHTS)
    return frame[["mineral", "analysis_unit", "defense_use", "system_examples", "categories",
                  "importance", "weight", "confidence", "source", "notes"]]


def _world_production(raw: RawTable, units: set[str], iso_of: dict[str, str]) -> pd.DataFrame:
    for i, country in enumerate(raw.columns["country"]):
        if country not in iso_of:
            raw.fail(f"country {country!r} is not in usgs_countries.csv", "country", i)
    frame = _frame(raw, {"mineral": "chapter"})
    mapped = []
    for chapter, form in zip(frame["chapter"], frame["form"]):
        unit = form.lower() if chapter == "platinum-group" else CHAPTER_UNITS.get(chapter, chapter)
        mapped.append(unit if unit in units else "")
    frame.insert(1, "mineral", mapped)
    frame.insert(5, "iso3", frame["country"].map(iso_of))
    return frame


def _production_by_mineral(production: pd.DataFrame) -> list[tuple[str, list[dict]]]:
    """World-production rows as plain records per mineral (a few hundred rows: Python beats
    per-mineral pandas filtering by two orders of magnitude here)."""
    columns = ["mineral", "chapter", "stage", "form", "country", "iso3", "year", "value", "unit", "source"]
    grouped: dict[str, list[dict]] = {}
    for record in production[columns].to_dict("records"):
        if record["mineral"]:
            grouped.setdefault(record["mineral"], []).append(record)
    return sorted(grouped.items())


def _concentration(unit: str, records: list[dict], group: set[str], year: int | None) -> dict:
    stage = next(s for s in STAGE_PRIORITY if any(r["stage"] == s for r in records))
    rows = [r for r in records if r["stage"] == stage]
    forms = list(dict.fromkeys(r["form"] for r in rows))
    form = PREFERRED_FORM[unit] if PREFERRED_FORM.get(unit) in forms else forms[0]
    rows = [r for r in rows if r["form"] == form]
    totals = [r for r in rows if r["country"] == WORLD_TOTAL and _number(r["value"])]
    chosen = year if year is not None else int(max(r["year"] for r in (totals or rows)))
    rows = [r for r in rows if r["year"] == chosen]
    total_rows = [r for r in rows if r["country"] == WORLD_TOTAL]
    total = float(total_rows[0]["value"]) if total_rows and _number(total_rows[0]["value"]) else math.nan
    listed = [r for r in rows if r["country"] not in (WORLD_TOTAL, OTHER_COUNTRIES) and _number(r["value"])]
    first = rows[0] if rows else {}
    result = {"mineral": unit, "chapter": first.get("chapter", ""), "stage": stage, "form": form,
              "year": chosen, "unit": first.get("unit", ""), "world_total": total, "hhi": math.nan,
              "group_share": math.nan, "top_country": "", "top_share": math.nan, "countries": len(listed),
              "note": "" if total > 0 else "no world total printed: shares not computed", "shares": {}}
    if total > 0 and listed:
        shares = [float(r["value"]) / total for r in listed]
        top = max(range(len(listed)), key=shares.__getitem__)
        result.update(hhi=float(10_000 * sum(x * x for x in shares)),
                      group_share=float(sum(x for r, x in zip(listed, shares) if r["iso3"] in group)),
                      top_country=listed[top]["country"], top_share=shares[top],
                      shares={r["iso3"]: x for r, x in zip(listed, shares)})
    result["source"] = first.get("source", "")
    return result


def _number(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))