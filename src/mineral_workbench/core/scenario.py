"""What-if scenarios as data: a named, ordered list of small JSON-serializable edits.

Each edit changes the model state (import matrix, NIR, importance levels, group membership);
`apply_scenario` replays them on a copy of the baseline state, so undoing an edit is simply
replaying the list without it — the baseline is never mutated. Scenario effects (DESIGN §4):
a cut of p% by country c in mineral m removes NIR x s[m,c] x p of consumption before
substitution, and the remaining import mix gives the new HHI and group share; a tariff of t%
adds t x V[m,c] of cost a year and changes no exposure by itself; a sourcing shift moves
value between countries and recomputes HHI, group share and CaR.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from .countries import country_name
from .engine import ExposureModel, ModelState
from .errors import WorkbenchError
from .rollup import LEVEL_CODE

ALL = "*"
GROUP_PREFIX = "group:"        # "group:foreign_adversaries": every member of the group
EXCEPT_PREFIX = "except:"      # "except:us_fta_partners": every partner outside the group


class ScenarioError(WorkbenchError):
    """An edit that cannot apply (unknown mineral, bad percent, ...), named precisely."""


@dataclass(frozen=True)
class Edit:
    kind: str = field(init=False, default="")

    def to_json(self) -> dict:
        return asdict(self)

    def describe(self) -> str:  # pragma: no cover - overridden
        return self.kind


@dataclass(frozen=True)
class SupplyCut(Edit):
    mineral: str
    country: str
    percent: float
    kind: str = field(init=False, default="supply_cut")

    def describe(self) -> str:
        if self.mineral == ALL:
            return f"Cut {_who(self.country)} supply of all minerals by {self.percent:g}%"
        return f"Cut {_who(self.country)} {self.mineral} supply by {self.percent:g}%"


@dataclass(frozen=True)
class Tariff(Edit):
    country: str
    mineral: str
    percent: float
    kind: str = field(init=False, default="tariff")

    def describe(self) -> str:
        return f"{self.percent:g}% tariff on {_what(self.mineral)} from {_who(self.country)}"


@dataclass(frozen=True)
class SourcingShift(Edit):
    mineral: str
    from_country: str
    to: dict[str, float]
    percent: float
    kind: str = field(init=False, default="sourcing_shift")

    def describe(self) -> str:
        targets = " and ".join(_who(c) for c in self.to)
        return f"Shift {self.percent:g}% of {_what(self.mineral)} from {_who(self.from_country)} to {targets}"


@dataclass(frozen=True)
class NirOverride(Edit):
    mineral: str
    pct: float
    qualifier: str = "="
    kind: str = field(init=False, default="nir_override")

    def describe(self) -> str:
        if self.qualifier == "E":
            return f"Set {_what(self.mineral)} net import reliance to E (net exporter)"
        if self.qualifier == "NA":
            return f"Set {_what(self.mineral)} net import reliance to not available"
        return f"Set {_what(self.mineral)} net import reliance to {self.qualifier.replace('=', '')}{self.pct:g}%"


@dataclass(frozen=True)
class ImportanceOverride(Edit):
    mineral: str
    target: str                   # "sector:<NSM-22 name>" or "defense:<category>"
    level: str                    # high / medium / low / none
    kind: str = field(init=False, default="importance_override")

    def describe(self) -> str:
        return f"Set {_what(self.mineral)} importance for {self.target.split(':', 1)[-1]} to {self.level}"


@dataclass(frozen=True)
class ShareOverride(Edit):
    """One supplier's share of a mineral's imports set outright; the others scale pro rata and
    the total stays the same (what an analyst means by typing a new share into the table)."""
    mineral: str
    country: str
    share_pct: float
    kind: str = field(init=False, default="share_override")

    def describe(self) -> str:
        return f"Set {_who(self.country)} share of {_what(self.mineral)} imports to {self.share_pct:g}%"


@dataclass(frozen=True)
class GroupMembership(Edit):
    group: str
    country: str
    member: bool
    kind: str = field(init=False, default="group_membership")

    def describe(self) -> str:
        return (f"{'Add' if self.member else 'Remove'} {_who(self.country)} "
                f"{'to' if self.member else 'from'} {_group_name(self.group)}")


EDIT_TYPES: dict[str, type[Edit]] = {cls.kind: cls for cls in (  # type: ignore[misc]
    SupplyCut, Tariff, SourcingShift, NirOverride, ImportanceOverride, ShareOverride,
    GroupMembership)}
EDIT_TYPES = {cls.__dataclass_fields__["kind"].default: cls for cls in EDIT_TYPES.values()}


def cell_key(edit: Edit) -> tuple | None:
    """Edits with the same key set the same cell, so a later one replaces an earlier one
    (the GUI upserts and merges them); None for edits that accumulate (cuts, tariffs, shifts)."""
    if isinstance(edit, NirOverride):
        return ("nir", edit.mineral)
    if isinstance(edit, ImportanceOverride):
        return ("importance", edit.mineral, edit.target)
    if isinstance(edit, ShareOverride):
        return ("share", edit.mineral, edit.country.upper())
    if isinstance(edit, GroupMembership):
        return ("membership", edit.group, edit.country.upper())
    return None


def edit_from_json(data: dict) -> Edit:
    data = dict(data)
    kind = data.pop("kind", None)
    cls = EDIT_TYPES.get(kind)
    if cls is None:
        raise ScenarioError(f"unknown edit kind {kind!r}; expected one of {sorted(EDIT_TYPES)}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise ScenarioError(f"{kind} edit: {exc}") from None


@dataclass(frozen=True)
class Scenario:
    name: str
    edits: tuple[Edit, ...] = ()
    description: str = ""
    date: str = ""
    citation: str = ""
    preset_id: str = ""

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description, "date": self.date,
                "citation": self.citation, "preset_id": self.preset_id,
                "edits": [e.to_json() for e in self.edits]}

    @classmethod
    def from_json(cls, data: dict) -> "Scenario":
        if not isinstance(data, dict) or "name" not in data:
            raise ScenarioError("a scenario needs a JSON object with a 'name' and 'edits'")
        return cls(name=str(data["name"]), edits=tuple(edit_from_json(e) for e in data.get("edits", [])),
                   description=str(data.get("description", "")), date=str(data.get("date", "")),
                   citation=str(data.get("citation", "")), preset_id=str(data.get("preset_id", "")))

    def with_edits(self, edits: Iterable[Edit]) -> "Scenario":
        return replace(self, edits=tuple(edits))

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)


@dataclass
class Effects:
    """What the edits did beyond the recomputed metrics, per mineral (aligned to the model)."""
    consumption_lost: np.ndarray      # fraction of apparent consumption lost before substitution
    added_tariff_cost_usd: np.ndarray  # a year, averaged over the chosen years
    notes: list[str] = field(default_factory=list)


def apply_scenario(model: ExposureModel, base: ModelState, scenario: Scenario | Iterable[Edit],
                   n_years: int) -> tuple[ModelState, Effects]:
    """Replay the edits on a copy of `base`; the base state is left untouched."""
    edits = scenario.edits if isinstance(scenario, Scenario) else tuple(scenario)
    state = ModelState(v=base.v.copy(), nir_pct=base.nir_pct.copy(),
                       nir_qualifier=base.nir_qualifier.copy(), nir_edition=base.nir_edition.copy(),
                       group_codes=base.group_codes, sectors=base.sectors, defense=base.defense,
                       partners=list(base.partners), group_id=base.group_id)
    effects = Effects(np.zeros(len(model.minerals)), np.zeros(len(model.minerals)))
    for edit in edits:
        _APPLY[type(edit)](model, state, edit, effects, max(n_years, 1))
    # cuts record the share of imports lost; the NIR that turns it into consumption is the
    # scenario's final one, so an NIR override counts wherever it sits in the list
    nir = np.where(state.nir_qualifier == "E", 0.0, np.nan_to_num(state.nir_pct.astype(float)) / 100)
    effects.consumption_lost = effects.consumption_lost * nir
    return state, effects


def _cut(model, state, edit: SupplyCut, effects, n_years):
    p = _percent(edit.percent, edit)
    rows, cols = _minerals(model, edit.mineral), _countries(model, state, edit.country)
    totals = state.v[rows].sum(axis=1, keepdims=True)
    shares = np.divide(state.v[np.ix_(rows, cols)], totals, out=np.zeros((len(rows), len(cols))),
                       where=totals > 0)
    effects.consumption_lost[rows] += shares.sum(axis=1) * p    # × the final NIR, at the end
    state.v[np.ix_(rows, cols)] *= 1 - p


def _tariff(model, state, edit: Tariff, effects, n_years):
    p = _percent(edit.percent, edit, upper=1000)
    rows, cols = _minerals(model, edit.mineral), _countries(model, state, edit.country)
    effects.added_tariff_cost_usd[rows] += p * state.v[np.ix_(rows, cols)].sum(axis=1) / n_years


def _shift(model, state, edit: SourcingShift, effects, n_years):
    p = _percent(edit.percent, edit)
    if not edit.to or any(share < 0 for share in edit.to.values()) or sum(edit.to.values()) <= 0:
        raise ScenarioError(f"{edit.describe()}: give target countries with positive shares")
    rows = _minerals(model, edit.mineral)
    source = _countries(model, state, edit.from_country)
    moved = state.v[np.ix_(rows, source)] * p
    state.v[np.ix_(rows, source)] -= moved
    total_share = sum(edit.to.values())
    for country, share in edit.to.items():
        [col] = _countries(model, state, country, single=True)
        state.v[rows, col] += moved.sum(axis=1) * share / total_share


def _share(model, state, edit: ShareOverride, effects, n_years):
    if edit.mineral == ALL or "," in edit.mineral:
        raise ScenarioError(f"{edit.describe()}: name one mineral")
    share = _percent(edit.share_pct, edit)
    [row] = _minerals(model, edit.mineral)
    [col] = _countries(model, state, edit.country, single=True)
    total = state.v[row].sum()
    if total <= 0:
        raise ScenarioError(f"{edit.describe()}: there are no imports of {edit.mineral} to share out")
    others = total - state.v[row, col]
    if others <= 0 and share < 1:
        raise ScenarioError(f"{edit.describe()}: {_who(edit.country)} is the only supplier; use a "
                            "sourcing shift to say who supplies the rest")
    if others > 0:
        state.v[row] *= total * (1 - share) / others
    state.v[row, col] = total * share


def _nir(model, state, edit: NirOverride, effects, n_years):
    if edit.qualifier not in ("=", ">", "<", "E", "NA"):
        raise ScenarioError(f"{edit.describe()}: qualifier must be =, >, <, E or NA")
    if edit.qualifier in ("=", ">", "<") and not 0 <= edit.pct <= 100:
        raise ScenarioError(f"{edit.describe()}: net import reliance must be 0-100%")
    rows = _minerals(model, edit.mineral)
    state.nir_pct[rows] = np.nan if edit.qualifier in ("E", "NA") else edit.pct
    state.nir_qualifier[rows] = edit.qualifier
    state.nir_edition[rows] = "scenario override"


def _importance(model, state, edit: ImportanceOverride, effects, n_years):
    family, _, key = edit.target.partition(":")
    if family not in ("sector", "defense"):
        raise ScenarioError(f"{edit.describe()}: target must start with 'sector:' or 'defense:'")
    level = "" if edit.level == "none" else edit.level
    if level not in LEVEL_CODE:
        raise ScenarioError(f"{edit.describe()}: level must be high, medium, low or none")
    matrix = (state.sectors if family == "sector" else state.defense).copy()
    if key not in matrix.keys:
        raise ScenarioError(f"{edit.describe()}: unknown {family} {key!r}")
    matrix.level[_minerals(model, edit.mineral), matrix.keys.index(key)] = LEVEL_CODE[level]
    matrix.stated[_minerals(model, edit.mineral), matrix.keys.index(key)] = False
    if family == "sector":
        state.sectors = matrix
    else:
        state.defense = matrix


def _membership(model, state, edit: GroupMembership, effects, n_years):
    if edit.group not in model.reference.group_ids:
        raise ScenarioError(f"{edit.describe()}: unknown group {edit.group!r}")
    if edit.group != state.group_id:
        effects.notes.append(f"{edit.describe()}: has no effect while the chosen group is {state.group_id}")
        return
    code = edit.country.upper()
    state.group_codes = state.group_codes | {code} if edit.member else state.group_codes - {code}


_APPLY = {SupplyCut: _cut, Tariff: _tariff, SourcingShift: _shift, NirOverride: _nir,
          ImportanceOverride: _importance, ShareOverride: _share, GroupMembership: _membership}


def _percent(value: float, edit: Edit, upper: float = 100) -> float:
    if not isinstance(value, (int, float)) or not 0 <= value <= upper:
        raise ScenarioError(f"{edit.describe()}: percent must be between 0 and {upper:g}")
    return float(value) / 100


def _minerals(model: ExposureModel, selector: str) -> np.ndarray:
    if selector == ALL:
        return np.arange(len(model.minerals))
    names = [s.strip() for s in str(selector).split(",")]
    index = {m: i for i, m in enumerate(model.minerals)}
    rows = []
    for name in names:
        unit = model.reference.analysis_unit(name)
        if unit not in index:
            raise ScenarioError(f"unknown mineral {name!r}")
        rows.append(index[unit])
    return np.array(sorted(set(rows)))


def _countries(model: ExposureModel, state: ModelState, selector: str, single: bool = False) -> list[int]:
    """Partner columns for an ISO3 code, `group:<id>` or `except:<id>`; a new ISO3 gets a column."""
    selector = str(selector).strip()
    if selector.startswith((GROUP_PREFIX, EXCEPT_PREFIX)) and not single:
        prefix, group = selector.split(":", 1)
        if group not in model.reference.group_ids:
            raise ScenarioError(f"unknown country group {group!r}")
        members = model.reference.group_members(group)
        inside = prefix + ":" == GROUP_PREFIX
        return [i for i, p in enumerate(state.partners) if (p in members) == inside]
    code = selector.upper()
    if len(code) != 3 or not code.isalpha():
        raise ScenarioError(f"country {selector!r}: use an ISO3 code (e.g. CHN), group:<id> or except:<id>")
    if code not in state.partners:
        state.partners.append(code)
        state.v = np.hstack([state.v, np.zeros((state.v.shape[0], 1))])
    return [state.partners.index(code)]


def _who(country: str) -> str:
    if country.startswith((GROUP_PREFIX, EXCEPT_PREFIX)):
        prefix, group = country.split(":", 1)
        name = _group_name(group)
        return name if prefix + ":" == GROUP_PREFIX else f"countries outside {name}"
    return country_name(country.upper()) or country


def _group_name(group: str) -> str:
    """'the foreign adversaries (15 CFR 791.4)' for texts such as 'Cut … supply'."""
    from .reference import load_reference  # noqa: PLC0415 - texts only; the reference is cached
    try:
        title = load_reference().group_info(group)["title"]
    except (KeyError, ValueError):
        return group.replace("_", " ")
    title = title if title[:2].isupper() else title[0].lower() + title[1:]
    return f"the {title}"


def _what(mineral: str) -> str:
    return "all minerals" if mineral == ALL else mineral
