"""World-production concentration per mineral, from the reference's world_production table.

Which series stands for a mineral (the chapter's mine stage where it has one, else refinery,
smelter or the stage it gives; the latest year with a world total) and the shares, HHI and
group share computed from it. `Reference.world_shares` / `world_concentration` call these.
"""

from __future__ import annotations

import math

import pandas as pd

WORLD_TOTAL, OTHER_COUNTRIES = "World total", "Other countries"
STAGE_PRIORITY = ("mine", "refinery", "smelter", "other")
PREFERRED_FORM = {"silicon": "silicon metal"}  # chapters with several series at one stage


def production_by_mineral(production: pd.DataFrame) -> list[tuple[str, list[dict]]]:
    """World-production rows as plain records per mineral (a few hundred rows: Python beats
    per-mineral pandas filtering by two orders of magnitude here)."""
    columns = ["mineral", "chapter", "stage", "form", "country", "iso3", "year", "value", "unit", "source"]
    grouped: dict[str, list[dict]] = {}
    for values in zip(*(production[column].tolist() for column in columns)):  # to_dict: 10x slower
        record = dict(zip(columns, values))
        if record["mineral"]:
            grouped.setdefault(record["mineral"], []).append(record)
    return sorted(grouped.items())


def concentration(unit: str, records: list[dict], group: set[str], year: int | None) -> dict:
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