"""Per-mineral exposure metrics (DESIGN §4), vectorized over a mineral x partner matrix.

For mineral m and partner c over the chosen years:
  V[m,c] = sum of share x value of processed-material rows (derivatives excluded)
  s[m,c] = V[m,c] / V[m]            (aggregates and unmapped partners stay in the denominator)
  HHI[m] = 10,000 x sum_c s[m,c]^2  (0-10,000 scale)
  G[m]   = sum over the chosen country group of s[m,c]
  CaR[m] = NIR[m]/100 x G[m]        (assumes the import mix applies to net imports)
Everything here works on numpy arrays so a full recompute (baseline or scenario) takes
milliseconds; `ExposureModel` in engine.py owns the arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def partner_kinds(partners) -> tuple[np.ndarray, np.ndarray]:
    """(is_aggregate, is_unmapped) masks over the partner axis."""
    keys = np.asarray(partners, dtype=object)
    aggregate = np.array([p in AGGREGATE_CODES for p in keys], dtype=bool)
    unmapped = np.array([str(p).startswith("UNMAPPED:") for p in keys], dtype=bool)
    return aggregate, unmapped


def supply_arrays(v: np.ndarray, in_group: np.ndarray, aggregate: np.ndarray,
                  unmapped: np.ndarray) -> dict[str, np.ndarray]:
    """Totals, shares, HHI, top supplier and group/aggregate/unmapped shares of V[m, c]."""
    total = v.sum(axis=1)
    has = total > 0
    safe = np.where(has, total, 1.0)[:, None]
    shares = v / safe                                          # zero rows stay zero
    nan = np.full(len(total), np.nan)
    out = {"total": total, "has": has, "shares": shares,
           "hhi": np.where(has, 10_000.0 * np.einsum("ij,ij->i", shares, shares), nan)}
    if v.shape[1]:
        top = shares.argmax(axis=1)
        out["top"] = top
        out["top_share"] = np.where(has, shares[np.arange(len(top)), top], nan)
        out["group_share"] = np.where(has, shares @ in_group.astype(float), nan)
        out["aggregate_share"] = np.where(has, shares @ aggregate.astype(float), nan)
        out["unmapped_share"] = np.where(has, shares @ unmapped.astype(float), nan)
    else:
        out["top"] = np.zeros(len(total), dtype=int)
        out["top_share"] = out["group_share"] = out["aggregate_share"] = out["unmapped_share"] = nan
    return out


def consumption_at_risk(nir_pct: np.ndarray, nir_qualifier: np.ndarray,
                        group_share: np.ndarray) -> np.ndarray:
    car = nir_pct / 100.0 * group_share
    return np.where(nir_qualifier == "E", 0.0, car)


def partner_names(partners, labels: dict[str, str]) -> np.ndarray:
    """Display names of the partner axis, computed once per cube."""
    return np.array([partner_display(p, labels) for p in partners], dtype=object)


def mineral_frame(minerals: list[str], partners: list[str], names: np.ndarray,
                  supply: dict[str, np.ndarray], derivative: np.ndarray, placeholder: np.ndarray,
                  nir: tuple[np.ndarray, np.ndarray, np.ndarray],
                  world: tuple[np.ndarray, np.ndarray, np.ndarray]) -> pd.DataFrame:
    """The per-mineral table every view, export and the CLI show."""
    has = supply["has"]
    keys = np.asarray(partners, dtype=object)
    top_code = np.where(has, keys[supply["top"]] if len(keys) else "", "")
    top_name = np.where(has, names[supply["top"]] if len(keys) else "", "")
    nir_pct, nir_q, nir_edition = nir
    car = consumption_at_risk(nir_pct, nir_q, supply["group_share"])
    out = pd.DataFrame({
        "import_value_usd": supply["total"], "derivative_import_value_usd": derivative,
        "hhi": supply["hhi"], "top_supplier": top_name, "top_supplier_code": top_code,
        "top_supplier_share": supply["top_share"], "group_share": supply["group_share"],
        "aggregate_share": supply["aggregate_share"], "unmapped_share": supply["unmapped_share"],
        "nir_pct": nir_pct, "nir_qualifier": nir_q, "nir_edition": nir_edition, "car": car,
        "world_hhi": world[0], "group_world_share": world[1], "world_basis": world[2],
    }, index=pd.Index(minerals, name="mineral"))
    out["flags"] = mineral_flags(nir_pct, nir_q, has, supply, placeholder)
    return out


def mineral_flags(nir_pct, nir_q, has, supply, placeholder) -> list[str]:
    """Readable flags of each mineral's inputs (DESIGN §4), '; '-joined."""
    flags = []
    for i in range(len(nir_q)):
        f = []
        q = nir_q[i]
        if q == ">":
            f.append(f"NIR is a lower bound (>{nir_pct[i]:g}%)")
        elif q == "<":
            f.append(f"NIR is an upper bound (<{nir_pct[i]:g}%)")
        elif q == "E":
            f.append("net exporter: consumption at risk set to 0")
        elif q == "NA":
            f.append("NIR not available: consumption at risk n/a")
        if not has[i]:
            f.append("no import data for the chosen years")
        else:
            if placeholder[i] > 0:
                f.append(f"{placeholder[i] / supply['total'][i]:.0%} of value from placeholder "
                         "(equal-split) allocation shares")
            if supply["aggregate_share"][i] > FLAG_SHARE:
                f.append(f"aggregate partners (e.g. 'Other Asia, nes') hold {supply['aggregate_share'][i]:.1%}")
            if supply["unmapped_share"][i] > FLAG_SHARE:
                f.append(f"unmapped partner names hold {supply['unmapped_share'][i]:.1%}")
        flags.append("; ".join(f))
    return flags


class SupplierTable(Mapping):
    """Largest suppliers per mineral, {mineral: [{partner_code, partner, value_usd, share}]}.

    Built lazily: a recompute costs nothing here until a view, export or JSON asks for a
    mineral, so every keystroke of a what-if stays in the millisecond budget.
    """

    def __init__(self, v: np.ndarray, minerals: list[str], partners: list[str],
                 names: np.ndarray, n: int = 10):
        self._v, self._partners, self._names, self._n = v, list(partners), names, n
        self._index = {m: i for i, m in enumerate(minerals)}
        self._cache: dict[str, list[dict]] = {}

    def __getitem__(self, mineral: str) -> list[dict]:
        if mineral not in self._cache:
            row = self._v[self._index[mineral]]
            total = row.sum()
            if total <= 0:
                self._cache[mineral] = []
            else:
                k = min(self._n, len(row))
                top = np.argpartition(-row, k - 1)[:k] if k < len(row) else np.arange(len(row))
                top = top[np.lexsort((top, -row[top]))]
                self._cache[mineral] = [
                    {"partner_code": self._partners[j], "partner": self._names[j],
                     "value_usd": float(row[j]), "share": float(row[j] / total)}
                    for j in top if row[j] > 0]
        return self._cache[mineral]

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def top_suppliers_of(v: np.ndarray, minerals: list[str], partners: list[str],
                     names: np.ndarray, n: int = 10) -> SupplierTable:
    """Largest suppliers per mineral with value and share (for JSON, charts and memos)."""
    return SupplierTable(v, minerals, partners, names, n)


def mineral_metrics(cube: SupplyCube, inputs: MetricInputs,
                    years: tuple[int, int] | None = None) -> pd.DataFrame:
    """One row per mineral of the cube with every DESIGN §4 metric and its flags."""
    mask = cube.year_mask(years)
    v = cube.values[mask].sum(axis=0)
    aggregate, unmapped = partner_kinds(cube.partners)
    in_group = np.array([p in inputs.group_codes for p in cube.partners], dtype=bool)
    nir = inputs.nir.reindex(cube.minerals)
    world = inputs.world.reindex(cube.minerals)
    return mineral_frame(
        cube.minerals, cube.partners, partner_names(cube.partners, cube.partner_labels),
        supply_arrays(v, in_group, aggregate, unmapped),
        cube.derivative[mask].sum(axis=(0, 2)), cube.placeholder[mask].sum(axis=0),
        (nir["pct"].to_numpy(float), nir["qualifier"].fillna("NA").to_numpy(object),
         nir["edition"].fillna("").to_numpy(object)),
        (world["world_hhi"].to_numpy(float), world["group_world_share"].to_numpy(float),
         world["world_basis"].fillna("").to_numpy(object)))


def top_suppliers(cube: SupplyCube, years: tuple[int, int] | None = None,
                  n: int = 10) -> SupplierTable:
    v = cube.values[cube.year_mask(years)].sum(axis=0)
    return top_suppliers_of(v, cube.minerals, cube.partners,
                            partner_names(cube.partners, cube.partner_labels), n)
