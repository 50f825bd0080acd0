"""The drafted parts of the memo: subject, BLUF, figure specs, tables, assumptions, methods,
sources. Every number comes from the export bundle; texts say years and editions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from .bundle import ExportBundle, pct_text
from .findings import and_list, count_text, rules_text, usd_text

FLOWS = {"imports_consumption": "US imports for consumption", "imports_general": "US general imports"}
PUBLISHERS = {"dataweb_xlsx": "USITC DataWeb", "dataweb_csv": "USITC DataWeb",
              "census_csv": "US Census Bureau", "census_json": "US Census Bureau",
              "comtrade": "UN Comtrade", "baci": "CEPII BACI"}
METHOD_TITLES = {"import_value_usd": "Import value", "supplier_share": "Supplier shares",
                 "hhi": "Supplier concentration (HHI)", "group_share": "Country-group share",
                 "car": "Consumption at risk", "world_hhi": "World production concentration",
                 "sector_exposure": "Sector and defense-use exposure"}
SCENARIO_METHOD = ("A scenario replays its edits on a copy of the baseline. A cut of p% by country c in "
                   "mineral m removes NIR × s[m,c] × p of US consumption before substitution and "
                   "the remaining import mix gives the new HHI, group share and consumption at risk; "
                   "a tariff of t% adds t × V[m,c] of cost a year and changes no exposure by itself; "
                   "a sourcing shift moves value between countries.")
TOP_TABLE = 10
SUPPLIER_MINERALS = 6


def _name(mineral: str) -> str:
    return mineral[:1].upper() + mineral[1:]


def _group_title(bundle: ExportBundle) -> str:
    return str(bundle.group.get("title") or bundle.group.get("id"))


def subject(bundle: ExportBundle, base: str) -> str:
    text = f"{base}, {bundle.years_text}"
    return f"{text}: {bundle.scenario.scenario.name}" if bundle.scenario else text


def trade_source(bundle: ExportBundle) -> str:
    """'US imports for consumption 2020–2024 (customs value), USITC DataWeb: file.xlsx'."""
    files = bundle.inputs.get("files", [])
    flows = " and ".join(dict.fromkeys(FLOWS.get(f.get("flow"), "US imports") for f in files)) \
        or "US imports"
    measures = ", ".join(dict.fromkeys(str(f.get("primary_measure", "")).replace("_", " ")
                                       for f in files if f.get("primary_measure")))
    publishers = " and ".join(dict.fromkeys(PUBLISHERS.get(f.get("format"), str(f.get("format")))
                                            for f in files if f.get("format")))
    names = [str(f["file"]) for f in files]
    text = f"{flows} {bundle.years_text}" + (f" ({measures})" if measures else "")
    text += f", {publishers}" if publishers else ""
    return text + (": " + ", ".join(names) if 0 < len(names) <= 2 else f": {len(names)} files"
                   if names else "")


REFERENCE_LABELS = {"net_import_reliance": "net import reliance", "mineral_sector_uses": "sector importance",
                    "world_production": "world production", "defense_uses": "defense uses"}


def _source_line(bundle: ExportBundle, *tables: str) -> str:
    """'Source: <trade data>; net import reliance: USGS Mineral Commodity Summaries 2025; ...'
    (full citations are under Sources)."""
    refs = [(t, bundle.reference.tables[t]) for t in tables if t in bundle.reference.tables]
    parts = [trade_source(bundle)] + [f"{REFERENCE_LABELS.get(t, r.title.split(' (')[0])}: "
                                      f"{r.edition.split(' (')[0].split(', with')[0]}" for t, r in refs]
    return "Source: " + "; ".join(dict.fromkeys(parts)) + "."


def draft_bluf(bundle: ExportBundle, findings, threshold: float) -> str:
    overview = next((f for f in findings if f.kind == "overview"), None)
    top = bundle.top_minerals(3, which="baseline")
    if overview is None or not len(top):
        return (f"The loaded trade data give no consumption at risk for {bundle.years_text}; "
                "no mineral can be ranked.")
    n = overview.numbers
    lead = and_list([f"{m} ({pct_text(r['car'])})" for m, r in top.iterrows()])
    text = (f"{n['minerals_above']} of {n['minerals_known']} critical minerals with US import data "
            f"for {bundle.years_text} have more than {pct_text(threshold)} of US consumption at risk "
            f"from imports from {bundle.group_phrase}; the most exposed are {lead}.")
    if bundle.scenario:
        scenario = next(f for f in findings if f.kind == "scenario")
        lost = {k.split(":", 1)[1]: v for k, v in scenario.numbers.items()
                if k.startswith("consumption_lost:")}
        text += f" Under the scenario, {scenario.numbers['minerals_changed']} minerals change"
        for mineral, share in lost.items():
            text += f" and {pct_text(share)} of US {mineral} consumption would be lost before substitution"
        text += "."
    return text


# --- figures ---------------------------------------------------------------------------------
def figures(bundle: ExportBundle, size: tuple[float, float], dpi: int) -> list:
    from .memo import MemoFigure
    group, years = bundle.group_phrase, bundle.years_text
    out = []
    sectors = bundle.scenario.result.sectors if bundle.scenario else bundle.baseline.sectors
    ranked = sectors[sectors["weakest_link"].notna()].sort_values("weakest_link", ascending=False)
    top = ranked.iloc[0] if len(ranked) else None
    top_text = (f" The most exposed is {top['sector']} ({pct_text(top['weakest_link'])}, driven by "
                f"{top['driving_mineral']})." if top is not None else "")
    # one labelled row per sector: about 0.2 inch each plus title, axis, legend and source
    tall = (size[0], max(size[1], round(1.7 + 0.18 * len(sectors), 1)))
    if bundle.scenario:
        changed = int(bundle.scenario.deltas["sectors"]["changed"].sum())
        out.append(MemoFigure(
            "sector_exposure", "sector_compare", "scenario",
            f"Sector exposure, baseline vs scenario: weakest-link consumption at risk of the "
            f"{len(sectors)} infrastructure sectors from imports from {group}, {years}",
            _source_line(bundle, "net_import_reliance", "mineral_sector_uses"),
            f"Horizontal bar chart: for each of the {len(sectors)} infrastructure sectors, the "
            f"weakest-link consumption at risk in percent under the baseline and under the scenario; "
            f"{changed} sectors change.{top_text}", {}, size_inches=tall, dpi=dpi))
    else:
        out.append(MemoFigure(
            "sector_exposure", "sector_ranking", "baseline",
            f"Sector exposure: weakest link and importance-weighted mean consumption at risk of the "
            f"{len(sectors)} infrastructure sectors from imports from {group}, {years}",
            _source_line(bundle, "net_import_reliance", "mineral_sector_uses"),
            f"Horizontal bar chart ranking the {len(sectors)} infrastructure sectors by weakest-link "
            f"and importance-weighted mean consumption at risk, in percent of US consumption."
            f"{top_text}", {"view": "sectors"}, size_inches=tall, dpi=dpi))
    which = "scenario" if bundle.scenario else "baseline"
    frame = bundle.minerals("active" if bundle.scenario else "baseline")
    plotted = frame[frame["hhi"].notna() & frame["nir_pct"].notna()]
    out.append(MemoFigure(
        "criticality", "criticality", which,
        f"Criticality matrix: net import reliance against supplier concentration (HHI) of US imports, "
        f"{years}" + (", under the scenario" if bundle.scenario else ""),
        _source_line(bundle, "net_import_reliance"),
        f"Bubble chart of {len(plotted)} minerals: horizontal axis supplier concentration of US "
        f"imports (HHI, 0 to 10,000), vertical axis USGS net import reliance in percent, bubble "
        f"area proportional to import value.", {"x_axis": "hhi"}, size_inches=size, dpi=dpi))
    exposed = list(bundle.top_minerals(SUPPLIER_MINERALS, which="baseline").index)
    if exposed:
        out.append(_supplier_figure(bundle, "suppliers", "baseline", exposed,
                                    f"Top suppliers of the {count_text(len(exposed))} most exposed minerals: "
                                    f"share of US import value, {years}", size, dpi))
    if bundle.scenario:
        deltas = bundle.scenario.deltas["minerals"]
        base = bundle.minerals("baseline")
        moved = [m for m in deltas.index[deltas["changed"]] if base.at[m, "import_value_usd"] > 0]
        moved = sorted(moved, key=lambda m: -float(base.at[m, "import_value_usd"]))[:SUPPLIER_MINERALS]
        if moved:
            out.append(_supplier_figure(bundle, "suppliers_scenario", "scenario", moved,
                                        "Suppliers under the scenario of the minerals it changes: "
                                        f"share of remaining US import value, {years}", size, dpi))
    return out


def _supplier_figure(bundle, fig_id, which, minerals, caption, size, dpi):
    from .memo import MemoFigure
    lines = []
    for m in minerals:
        suppliers = (bundle.result if which == "scenario" else bundle.baseline).suppliers.get(m, [])
        first = f"{suppliers[0]['partner']} {pct_text(suppliers[0]['share'])}" if suppliers else "none"
        lines.append(f"{_name(m)} (largest: {first})")
    alt = (f"Stacked horizontal bars of the top five suppliers' shares of US import value for "
           f"{len(minerals)} minerals: " + "; ".join(lines) + ".")
    height = min(size[1], 2.3 + 0.27 * len(minerals))   # title, axis, legend and source + rows
    return MemoFigure(fig_id, "supplier_bars", which, caption,
                      "Source: " + trade_source(bundle) + ".", alt, {}, list(minerals),
                      size_inches=(size[0], height), dpi=dpi)


def long_iso_date(text: str) -> str:
    """'2024-12-03' -> 'December 3, 2024'; anything else unchanged."""
    try:
        day = date.fromisoformat(str(text))
    except ValueError:
        return str(text)
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def reading_order(bundle: ExportBundle) -> list[str]:
    """Tables and figures interleaved: the short tables that carry the answer first, then each
    figure near what it explains; the order also fills pages well (nothing may split)."""
    if bundle.scenario:
        return ["table:scenario_minerals", "figure:sector_exposure", "figure:suppliers_scenario",
                "table:top_minerals", "figure:criticality", "figure:suppliers", "table:sector_exposure"]
    return ["table:top_minerals", "figure:criticality", "figure:sector_exposure", "figure:suppliers",
            "table:sector_exposure"]


# --- tables ----------------------------------------------------------------------------------
def tables(bundle: ExportBundle) -> list:
    out = [_top_table(bundle)]
    if bundle.scenario:
        out.append(_scenario_table(bundle))
    out.append(_sector_table(bundle))
    return out


def _nir_cell(row: pd.Series, common: str) -> str:
    q = row["nir_qualifier"]
    if q == "E":
        text = "net exporter"
    elif q == "NA" or row["nir_pct"] != row["nir_pct"]:
        text = "n/a"
    else:
        text = f"{q if q in ('>', '<') else ''}{row['nir_pct']:g}%"
    return text if row["nir_edition"] == common else f"{text} ({row['nir_edition']})"


def _top_table(bundle: ExportBundle):
    from .memo import MemoTable
    top = bundle.top_minerals(TOP_TABLE, which="baseline")
    editions = list(dict.fromkeys(top["nir_edition"])) or [bundle.nir_edition]
    common = editions[0] if len(editions) == 1 else ""
    rows, values = [], []
    for m, r in top.iterrows():
        rows.append([_name(m), usd_text(r["import_value_usd"]),
                     f"{r['top_supplier']} ({pct_text(r['top_supplier_share'])})",
                     pct_text(r["group_share"]), _nir_cell(r, common), pct_text(r["car"])])
        values.append({k: _plain(r[k]) for k in ("import_value_usd", "top_supplier", "top_supplier_share",
                                                  "group_share", "nir_pct", "nir_qualifier",
                                                  "nir_edition", "car")})
    nir_head = f"NIR ({common})" if common else "NIR (edition)"
    return MemoTable(
        "top_minerals",
        f"The {count_text(len(rows))} most exposed minerals by consumption at risk, {bundle.years_text} "
        "(baseline)",
        _source_line(bundle, "net_import_reliance"),
        ["Mineral", f"Import value {bundle.years_text}", "Top supplier (share)",
         f"Share from {bundle.group_phrase}", nir_head, "Consumption at risk"],
        rows, ["l", "r", "l", "r", "r", "r"], [1.2, 1.15, 1.55, 1.0, 1.05, 1.05],
        list(top.index), values,
        "Consumption at risk = NIR × share of US import value from the group (Methods).")


def _scenario_table(bundle: ExportBundle):
    from .memo import MemoTable
    deltas = bundle.scenario.deltas["minerals"]
    base, what = bundle.minerals("baseline"), bundle.minerals()
    changed = list(deltas.index[deltas["changed"]])
    changed.sort(key=lambda m: (-float(what.at[m, "consumption_lost"]),
                                -abs(float(deltas.at[m, "import_value_usd"])), m))
    shown = changed[:TOP_TABLE]
    rows, values = [], []
    for m in shown:
        old, new = base.loc[m], what.loc[m]
        rows.append([_name(m), _pair(usd_text, new["import_value_usd"], old["import_value_usd"], "\n"),
                     _pair(pct_text, new["group_share"], old["group_share"]),
                     _pair(lambda v: "n/a" if v != v else f"{v:,.0f}", new["hhi"], old["hhi"]),
                     _pair(pct_text, new["car"], old["car"]), pct_text(new["consumption_lost"]),
                     usd_text(new["added_tariff_cost_usd"]) if new["added_tariff_cost_usd"] else "–"])
        values.append({**{k: _plain(new[k]) for k in ("import_value_usd", "group_share", "hhi", "car",
                                                       "consumption_lost", "added_tariff_cost_usd")},
                       **{f"baseline_{k}": _plain(old[k]) for k in ("import_value_usd", "group_share",
                                                                     "hhi", "car")}})
    note = ("Scenario value, baseline in parentheses. Where the scenario cuts supply, the cut "
            "consumption shows as consumption lost and no longer counts as at risk.")
    if len(changed) > len(shown):
        note += f" {len(changed) - len(shown)} further changed minerals are in the workbook."
    if not changed:
        note = "The scenario changes no mineral's metrics."
    return MemoTable(
        "scenario_minerals", f"Minerals the scenario changes, {bundle.years_text}",
        "Source: " + trade_source(bundle) + f"; scenario: {bundle.scenario.scenario.name}.",
        ["Mineral", "Import value", "Group share", "HHI", "Consumption at risk",
         "Consumption lost", "Added tariff cost a year"],
        rows, ["l", "r", "r", "r", "r", "r", "r"], [1.0, 1.5, 0.9, 1.05, 1.05, 1.1, 1.05],
        shown, values, note)


def _sector_table(bundle: ExportBundle):
    from .memo import MemoTable
    base = bundle.baseline.sectors.set_index("sector")
    rows, values = [], []
    if bundle.scenario:
        what = bundle.scenario.result.sectors.set_index("sector")
        order = what.assign(_w=what["weakest_link"].fillna(-1)).sort_values(
            ["_w", "weighted_mean"], ascending=False).index
        for s in order:
            o, n = base.loc[s], what.loc[s]
            rows.append([s, pct_text(o["weakest_link"]), pct_text(n["weakest_link"]),
                         _name(n["driving_mineral"]) or "n/a", pct_text(o["weighted_mean"]),
                         pct_text(n["weighted_mean"])])
            values.append({"weakest_link": _plain(n["weakest_link"]),
                           "baseline_weakest_link": _plain(o["weakest_link"]),
                           "weighted_mean": _plain(n["weighted_mean"]),
                           "baseline_weighted_mean": _plain(o["weighted_mean"]),
                           "driving_mineral": str(n["driving_mineral"])})
        columns = ["Sector (NSM-22)", "Weakest link, baseline", "Weakest link, scenario",
                   "Driving mineral (scenario)", "Weighted mean, baseline", "Weighted mean, scenario"]
        align, widths = ["l", "r", "r", "l", "r", "r"], [2.3, 0.95, 0.95, 1.1, 0.95, 0.95]
        caption = f"Sector exposure, baseline vs scenario, {bundle.years_text}"
    else:
        order = base.assign(_w=base["weakest_link"].fillna(-1)).sort_values(
            ["_w", "weighted_mean"], ascending=False).index
        for s in order:
            r = base.loc[s]
            rows.append([s, pct_text(r["weakest_link"]), _name(r["driving_mineral"]) or "n/a",
                         pct_text(r["weighted_mean"]), str(int(r["high_importance_minerals"]))])
            values.append({"weakest_link": _plain(r["weakest_link"]),
                           "weighted_mean": _plain(r["weighted_mean"]),
                           "driving_mineral": str(r["driving_mineral"]),
                           "high_importance_minerals": int(r["high_importance_minerals"])})
        columns = ["Sector (NSM-22)", "Weakest link", "Driving mineral", "Weighted mean",
                   "Minerals of high importance"]
        align, widths = ["l", "r", "l", "r", "r"], [2.5, 0.9, 1.2, 0.9, 1.0]
        caption = f"Sector exposure to imports from {bundle.group_phrase}, {bundle.years_text}"
    return MemoTable("sector_exposure", caption,
                     _source_line(bundle, "net_import_reliance", "mineral_sector_uses"),
                     columns, rows, align, widths, list(order), values,
                     "Weakest link = largest importance weight × consumption at risk among the "
                     "sector's minerals; weighted mean over minerals with a known value (Methods).")


def _pair(fmt, new, old, gap: str = " ") -> str:
    a, b = fmt(new), fmt(old)
    return a if a == b else f"{a}{gap}({b})"


def _plain(value):
    if isinstance(value, str):
        return value
    value = float(value)
    return None if value != value else value


# --- assumptions, methods, sources -------------------------------------------------------------
def assumptions(bundle: ExportBundle) -> list[str]:
    o = bundle.options
    out = []
    if bundle.scenario:
        s = bundle.scenario.scenario
        head = f"Scenario: {s.name}"
        head += f" (dated {long_iso_date(s.date)})" if s.date else ""
        out.append(head + (f". {s.description}" if s.description else "."))
        when = f" (scenario date {long_iso_date(s.date)})" if s.date else ""
        out += [f"Edit {i}: {e.describe()}{when}." for i, e in enumerate(s.edits, 1)]
        if s.citation:
            out.append(f"Citation: {s.citation}")
        out += [f"Note: {n}" for n in bundle.scenario.notes]
    else:
        out.append("No scenario: the memo reports the baseline.")
    out.append(f"Years {bundle.years_text}; country group {_group_title(bundle)}; net import reliance "
               f"of {o.nir_year} ({bundle.nir_edition}); importance weights "
               + ", ".join(f"{k} {v:g}" for k, v in o.weights) + ".")
    out += [f"Mapping override: {t}" for t in bundle.mapping_overrides]
    return out


def methods(bundle: ExportBundle, threshold: float) -> list[dict]:
    texts = bundle.inputs.get("methods", {})
    out = [{"title": METHOD_TITLES.get(k, k.replace("_", " ").capitalize()),
            "text": v.replace(" x ", " × ")} for k, v in texts.items()]
    g = bundle.group
    members = ", ".join(g.get("countries", ())) or ", ".join(g.get("members", ()))
    out.append({"title": "Country group",
                "text": f"{g.get('title', g.get('id'))}, as of {g.get('as_of') or 'n/a'}: {members}. "
                        f"Source: {g.get('source', '')}."})
    if bundle.scenario:
        out.append({"title": "Scenario effects", "text": SCENARIO_METHOD})
    out.append({"title": "Findings", "text": " ".join(rules_text(threshold))})
    return out


def sources(bundle: ExportBundle) -> list[str]:
    refs = bundle.reference.tables
    out = []
    for name in ("net_import_reliance", "world_production", "mineral_sector_uses", "defense_uses",
                 "hts_crosswalk", "country_groups", "sectors"):
        if name in refs:
            t = refs[name]
            out.append(f"{t.edition} ({t.title}; as of {t.as_of}). {t.citation}.".replace("..", "."))
    for report in bundle.loaded.reports:
        name = Path(report.file).name
        if report.citation:
            out.append(report.citation)
        params = report.query_parameters or {}
        query = "; ".join(f"{k}: {params[k]}" for k in ("Trade Flow", "Years", "Data To Report")
                          if params.get(k))
        text = (f"Input file {name} ({report.format}, {report.rows_kept:,} rows kept of "
                f"{report.rows_read:,}); SHA-256 {report.sha256}")
        if report.download_date:
            text += f"; downloaded {report.download_date}"
        out.append(text + (f"; query {query}" if query else "") + ".")
    return out


def basis(bundle: ExportBundle) -> dict:
    """What the memo's numbers came from (a saved draft is stale when this changes)."""
    return {"years": list(bundle.inputs.get("years", [])), "group": bundle.group.get("id"),
            "nir_year": bundle.options.nir_year,
            "scenario": bundle.scenario.scenario.name if bundle.scenario else "",
            "files": [{"file": f["file"], "sha256": f["sha256"]} for f in bundle.inputs.get("files", [])],
            "nir_edition": bundle.nir_edition, "created": bundle.created.isoformat()}
