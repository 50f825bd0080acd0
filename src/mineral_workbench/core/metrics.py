"""Per-mineral exposure metrics (DESIGN §4), vectorized over the supply cube.

For mineral m and partner c over the chosen years:
  V[m,c] = sum of share x value of processed-material rows (derivatives excluded)
  s[m,c] = V[m,c] / V[m]            (aggregates and unmapped partners stay in the denominator)
  HHI[m] = 10,000 x sum_c s[m,c]^2  (0-10,000 scale)
  G[m]   = sum over the chosen country group of s[m,c]
  CaR[m] = NIR[m]/100 x G[m]        (assumes the import mix applies to net imports)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .countries import AGGREGATE_CODES, country_name
from .cube import SupplyCube

FLAG_SHARE = 0.01  # aggregate / unmapped partner value above 1% of a mineral's imports is flagged

METHODS = {
    "import_value_usd": "V[m] = sum over partners and chosen years of crosswalk share x customs value "
                        "(primary value measure of import flows); derivative products excluded.",
    "supplier_share": "s[m,c] = V[m,c] / V[m]; aggregate and unmapped partners count in the denominator.",
    "hhi": "HHI[m] = 10,000 x sum_c s[m,c]^2 over all partners (0 = dispersed, 10,000 = one supplier).",
    "group_share": "G[m] = sum of s[m,c] over the members of the chosen country group.",
    "car": "CaR[m] = NIR[m]/100 x G[m]: share of US apparent consumption supplied by imports from the "
           "group, assuming the import mix applies to net imports. Net exporter: 0 (flagged); "
           "NIR not available: n/a.",
    "world_hhi": "World-production HHI over listed producers (mine stage where the chapter has one, "
                 "else refinery or the stage given; latest year; denominator the World total; "
                 "'Other countries' excluded from the sum).",
    "sector_exposure": "Per sector: weakest link = max over minerals of importance weight x CaR; "
                       "weighted mean = sum(w x CaR) / sum(w) over minerals with any importance and a CaR. "
                       "Weights high/medium/low = 1/0.5/0.25.",
}


@dataclass(frozen=True)
class MetricInputs:
    """Reference facts the metrics need, already resolved for one NIR year and group."""
    nir: pd.DataFrame            # index: mineral; columns pct, qualifier, edition
    group_codes: frozenset[str]  # ISO3 members of the chosen group
    world: pd.DataFrame          # index: mineral; columns world_hhi, group_world_share, world_basis


def partner_display(key: str, labels: dict[str, str]) -> str:
    if key.startswith("UNMAPPED:"):
        return f"{key.split(':', 1)[1]} (unmapped)"
    name = country_name(key)
    return name if name and name != key else labels.get(key, key)


def mineral_metrics(cube: SupplyCube, inputs: MetricInputs,
                    years: tuple[int, int] | None = None) -> pd.DataFrame:
    """One row per mineral of the cube with every DESIGN §4 metric and its flags."""
    mask = cube.year_mask(years)
    v = cube.values[mask].sum(axis=0)                       # [M, C]
    total = v.sum(axis=1)
    has = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(has[:, None], v / np.where(has, total, 1.0)[:, None], np.nan)
    hhi = np.where(has, 10_000.0 * np.nansum(shares ** 2, axis=1), np.nan)

    partners = np.array(cube.partners, dtype=object)
    n_partners = len(partners)
    if n_partners:
        top = np.argmax(np.nan_to_num(shares, nan=-1.0), axis=1)
        top_share = np.where(has, shares[np.arange(len(top)), top], np.nan)
        top_name = np.array([partner_display(partners[i], cube.partner_labels) if ok else ""
                             for i, ok in zip(top, has)], dtype=object)
        top_code = np.where(has, partners[top], "")
    else:
        top_share = np.full(len(cube.minerals), np.nan)
        top_name = top_code = np.full(len(cube.minerals), "", dtype=object)

    in_group = np.array([p in inputs.group_codes for p in partners], dtype=bool)
    aggregate = np.array([p in AGGREGATE_CODES for p in partners], dtype=bool)
    unmapped = np.array([p.startswith("UNMAPPED:") for p in partners], dtype=bool)
    group_share = np.where(has, np.nansum(shares[:, in_group], axis=1), np.nan) if n_partners \
        else np.full(len(cube.minerals), np.nan)
    aggregate_share = np.nansum(shares[:, aggregate], axis=1) if n_partners else np.zeros(len(total))
    unmapped_share = np.nansum(shares[:, unmapped], axis=1) if n_partners else np.zeros(len(total))

    out = pd.DataFrame(index=pd.Index(cube.minerals, name="mineral"))
    out["import_value_usd"] = total
    out["derivative_import_value_usd"] = cube.derivative[mask].sum(axis=(0, 2))
    out["hhi"] = hhi
    out["top_supplier"] = top_name
    out["top_supplier_code"] = top_code
    out["top_supplier_share"] = top_share
    out["group_share"] = group_share
    out["aggregate_share"] = np.where(has, aggregate_share, np.nan)
    out["unmapped_share"] = np.where(has, unmapped_share, np.nan)

    nir = inputs.nir.reindex(out.index)
    out["nir_pct"] = nir["pct"].astype(float)
    out["nir_qualifier"] = nir["qualifier"].fillna("NA").astype(object)
    out["nir_edition"] = nir["edition"].fillna("").astype(object)
    car = out["nir_pct"].to_numpy() / 100.0 * out["group_share"].to_numpy()
    car = np.where(out["nir_qualifier"].to_numpy() == "E", 0.0, car)
    out["car"] = car

    world = inputs.world.reindex(out.index)
    out["world_hhi"] = world["world_hhi"].astype(float)
    out["group_world_share"] = world["group_world_share"].astype(float)
    out["world_basis"] = world["world_basis"].fillna("").astype(object)

    placeholder = cube.placeholder[mask].sum(axis=0)
    out["flags"] = _flags(out, has, placeholder)
    return out


def _flags(out: pd.DataFrame, has: np.ndarray, placeholder: np.ndarray) -> list[str]:
    flags = []
    for i, (mineral, row) in enumerate(out.iterrows()):
        f = []
        q = row["nir_qualifier"]
        if q == ">":
            f.append(f"NIR is a lower bound (>{row['nir_pct']:g}%)")
        elif q == "<":
            f.append(f"NIR is an upper bound (<{row['nir_pct']:g}%)")
        elif q == "E":
            f.append("net exporter: consumption at risk set to 0")
        elif q == "NA":
            f.append("NIR not available: consumption at risk n/a")
        if not has[i]:
            f.append("no import data for the chosen years")
        else:
            if placeholder[i] > 0:
                f.append(f"{placeholder[i] / row['import_value_usd']:.0%} of value from placeholder "
                         "(equal-split) allocation shares")
            if row["aggregate_share"] > FLAG_SHARE:
                f.append(f"aggregate partners (e.g. 'Other Asia, nes') hold {row['aggregate_share']:.1%}")
            if row["unmapped_share"] > FLAG_SHARE:
                f.append(f"unmapped partner names hold {row['unmapped_share']:.1%}")
        flags.append("; ".join(f))
    return flags


def top_suppliers(cube: SupplyCube, years: tuple[int, int] | None = None,
                  n: int = 10) -> dict[str, list[dict]]:
    """Largest suppliers per mineral with value and share (for JSON, charts and memos)."""
    v = cube.values[cube.year_mask(years)].sum(axis=0)
    out: dict[str, list[dict]] = {}
    for i, mineral in enumerate(cube.minerals):
        total = v[i].sum()
        if total <= 0:
            out[mineral] = []
            continue
        order = np.argsort(-v[i], kind="stable")[:n]
        out[mineral] = [{"partner_code": cube.partners[j],
                         "partner": partner_display(cube.partners[j], cube.partner_labels),
                         "value_usd": float(v[i, j]), "share": float(v[i, j] / total)}
                        for j in order if v[i, j] > 0]
    return out
