"""Everything an export needs, computed once: the `ExportBundle` (DESIGN §1 step 5).

The workbook, the memo and any later exporter read the same bundle, so every number they
print is the same number, from the same computation, with the same provenance: the loaded
sources (file names, SHA-256, rows), the analysis options, the bundled reference editions,
the baseline result and, when a scenario is exported, the scenario result and its deltas.
Exporters never compute metrics themselves; they lay out what the bundle holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
import pandas as pd

from ..analysis import AnalysisOptions, AnalysisResult, LoadedData, compute, exposure_model
from ..reference import Reference, load_reference
from ..rollup import ImportanceMatrix
from ..scenario import Scenario, apply_scenario
from ..whatif import ScenarioResult, compute_scenario

DEFAULT_MARKING = "UNCLASSIFIED"
DEFAULT_TITLE = "Import exposure to processed critical minerals"
SCENARIO_COLUMNS = ("consumption_lost", "added_tariff_cost_usd")


@dataclass(frozen=True)
class SupplyView:
    """The mineral x partner import matrix behind one result, with everything a supplier
    table needs (names, partner kinds, group membership) and the importance matrices."""
    minerals: list[str]
    partners: list[str]          # ISO3, aggregate code, or "UNMAPPED:<name as written>"
    names: np.ndarray
    kinds: np.ndarray            # "country" / "aggregate" / "unmapped"
    in_group: np.ndarray         # bool, the chosen country group (after scenario edits)
    v: np.ndarray                # [mineral, partner] USD over the chosen years
    sectors: ImportanceMatrix
    defense: ImportanceMatrix

    def padded(self, partners: list[str]) -> np.ndarray:
        """V on a longer partner axis (a scenario may add partners); new columns are 0."""
        out = np.zeros((len(self.minerals), len(partners)))
        out[:, :len(self.partners)] = self.v
        return out


@dataclass
class ExportBundle:
    loaded: LoadedData
    options: AnalysisOptions
    reference: Reference
    baseline: AnalysisResult
    scenario: ScenarioResult | None = None
    marking: str = DEFAULT_MARKING
    title: str = DEFAULT_TITLE
    prepared_by: str = ""
    created: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    include_data: bool = True          # the imported rows (Data sheets) — large
    include_charts: bool = True
    findings: tuple[str, ...] | None = None        # analyst-edited findings; None = drafted
    mapping_overrides: tuple[str, ...] = ()        # readable texts of baseline mapping overrides

    # --- what is being exported -----------------------------------------------------------
    @property
    def result(self) -> AnalysisResult:
        """The result the export shows: the scenario's when there is one, else the baseline."""
        return self.scenario.result if self.scenario else self.baseline

    @property
    def scenario_name(self) -> str:
        return self.scenario.scenario.name if self.scenario else "Baseline (no scenario)"

    @property
    def inputs(self) -> dict:
        return self.baseline.inputs

    @property
    def years_text(self) -> str:
        years = self.inputs.get("years") or []
        if not years:
            return "no years"
        return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"

    @property
    def group(self) -> dict:
        return self.inputs["group"]

    @property
    def group_phrase(self) -> str:
        """'foreign adversaries' from 'Foreign adversaries (15 CFR 791.4)'."""
        title = str(self.group.get("title", self.group.get("id", ""))).split(" (")[0]
        return title[0].lower() + title[1:] if len(title) > 1 and title[1].islower() else title

    @property
    def nir_edition(self) -> str:
        return self.reference.nir_edition

    def minerals(self, which: str = "active") -> pd.DataFrame:
        """Per-mineral table (scenario columns present, 0 in a baseline)."""
        frame = (self.result if which == "active" else self.baseline).minerals
        missing = [c for c in SCENARIO_COLUMNS if c not in frame]
        if missing:
            frame = frame.copy()
            at = frame.columns.get_loc("car") + 1
            for offset, column in enumerate(missing):
                frame.insert(at + offset, column, 0.0)
        return frame

    def top_minerals(self, n: int = 10, which: str = "active") -> pd.DataFrame:
        """The `n` minerals with the highest consumption at risk (n/a left out), largest first."""
        frame = self.minerals(which)
        known = frame[frame["car"].notna() & (frame["import_value_usd"] > 0)]
        order = known.assign(_m=known.index).sort_values(
            ["car", "import_value_usd", "_m"], ascending=[False, False, True])
        return order.drop(columns="_m").head(n)

    # --- supply matrices -------------------------------------------------------------------
    @cached_property
    def _states(self):
        model = exposure_model(self.loaded, self.reference)
        o = self.options
        base = model.baseline_state(o.years, o.group, o.nir_year)
        state = base
        if self.scenario:
            n_years = int(model.cube.year_mask(o.years).sum())
            state, _ = apply_scenario(model, base, self.scenario.scenario, n_years)
        return model, base, state

    def supply(self, which: str = "active") -> SupplyView:
        """`active` (the scenario's matrix when exporting one) or `baseline`."""
        model, base, state = self._states
        chosen = state if which == "active" else base
        partners = list(chosen.partners or model.partners)
        aggregate, unmapped, names = model.partner_axis(partners)
        kinds = np.where(unmapped, "unmapped", np.where(aggregate, "aggregate", "country")).astype(object)
        in_group = np.fromiter((p in chosen.group_codes for p in partners), bool, len(partners))
        return SupplyView(list(model.minerals), partners, names, kinds, in_group,
                          np.asarray(chosen.v, dtype=float), chosen.sectors, chosen.defense)

    def supplier_rows(self) -> pd.DataFrame:
        """Every (mineral, partner) with import value — in the active matrix, or in the
        baseline's when a scenario is exported (a cut to zero stays visible as 0)."""
        view = self.supply("active")
        base = self.supply("baseline").padded(view.partners) if self.scenario else view.v
        keep = (view.v > 0) | (base > 0)
        m_idx, c_idx = np.nonzero(keep)
        totals = view.v.sum(axis=1)
        values = view.v[m_idx, c_idx]
        rows = pd.DataFrame({
            "mineral": np.asarray(view.minerals, dtype=object)[m_idx],
            "partner_code": np.asarray(view.partners, dtype=object)[c_idx],
            "partner": view.names[c_idx],
            "value_usd": values,
            "share": np.divide(values, totals[m_idx], out=np.zeros(len(values)), where=totals[m_idx] > 0),
            "in_group": view.in_group[c_idx].astype(int),
            "kind": view.kinds[c_idx],
            "_m": m_idx, "_base": base[m_idx, c_idx]})
        # largest first by the baseline's value, so a scenario export keeps the baseline's rows
        # in place and differs only in the values the scenario changed
        rows = rows.sort_values(["_m", "_base", "value_usd", "partner_code"],
                                ascending=[True, False, False, True])
        return rows.drop(columns=["_m", "_base"]).reset_index(drop=True)


def make_bundle(loaded: LoadedData, options: AnalysisOptions = AnalysisOptions(),
                scenario: Scenario | None = None, marking: str = DEFAULT_MARKING, *,
                title: str = DEFAULT_TITLE, prepared_by: str = "",
                reference: Reference | None = None, include_data: bool = True,
                include_charts: bool = True, findings: tuple[str, ...] | list[str] | None = None,
                mapping_overrides: tuple[str, ...] | list[str] = (),
                created: datetime | None = None) -> ExportBundle:
    """Compute the baseline (and the scenario, if given) once, for every exporter."""
    reference = reference or load_reference()
    marking = " ".join(str(marking or DEFAULT_MARKING).split()) or DEFAULT_MARKING
    outcome = compute_scenario(loaded, options, scenario, reference) if scenario else None
    baseline = outcome.baseline if outcome else compute(loaded, options, reference)
    return ExportBundle(loaded=loaded, options=options, reference=reference, baseline=baseline,
                        scenario=outcome, marking=marking, title=title or DEFAULT_TITLE,
                        prepared_by=prepared_by, include_data=include_data,
                        include_charts=include_charts,
                        findings=tuple(findings) if findings is not None else None,
                        mapping_overrides=tuple(mapping_overrides),
                        **({"created": created} if created else {}))


# --- numbers as a reader says them (MEMO.md); findings.py drafts the sentences -------------
def pct_text(share: float) -> str:
    """0.7604 -> '76%'; small shares keep a decimal ('4.2%'); n/a stays 'n/a'."""
    if share != share:
        return "n/a"
    pct = share * 100
    if pct == 0 or abs(pct) >= 10:
        return f"{pct:.0f}%"
    if abs(pct) < 0.1:
        return "<0.1%" if pct > 0 else ">-0.1%"
    return f"{pct:.1f}%"


def nir_text(pct: float, qualifier: str) -> str:
    """'100% import reliant', 'more than 75% import reliant', 'a net exporter', ..."""
    if qualifier == "E":
        return "a net exporter"
    if qualifier == "NA" or pct != pct:
        return "of unknown import reliance (NIR not available)"
    lead = {">": "more than ", "<": "less than "}.get(qualifier, "")
    return f"{lead}{pct:g}% import reliant"
