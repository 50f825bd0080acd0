"""The assumptions workbook's Edits sheet: one scenario edit a row, each field in its column.

Why its own module: the columns follow the core's edit dataclasses (every field of every
kind, in first-seen order), so a new edit kind in `core.scenario` gets its columns and its
checks (numbers are percents, bools TRUE/FALSE, names checked by field name) without a change
here. A cell that does not belong to the row's kind must stay blank, so a value typed into
the wrong column is reported rather than silently dropped.
"""

from __future__ import annotations

import dataclasses
import math

from .assumptions_read import cell_ref, cell_text, importance_keys
from .scenario import EDIT_TYPES, Edit

EDIT_NUMBER, EDIT_KIND, EDIT_TEXT = "#", "kind", "description (not read back)"
PERCENT_RANGE = {("tariff", "percent"): 1000.0}          # every other number: 0-100
SINGLE_COUNTRY = {("group_membership", "country"), ("share_override", "country")}
TRUTH = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_INVALID, _DEFAULT = object(), object()


def edit_fields() -> list[str]:
    """The field columns: every field of every edit kind, in first-seen order."""
    names: dict[str, None] = {}
    for cls in EDIT_TYPES.values():
        names.update((f.name, None) for f in dataclasses.fields(cls) if f.name != "kind")
    return list(names)


def edit_headers() -> list[str]:
    return [EDIT_NUMBER, EDIT_KIND, *edit_fields(), EDIT_TEXT]


def format_shares(shares: dict[str, float]) -> str:
    """A sourcing shift's targets as 'MEX=0.6; CAN=0.4' (exact, so the text reads back equal)."""
    def number(v: float) -> str:
        return f"{v:g}" if float(f"{v:g}") == v else repr(float(v))
    return "; ".join(f"{code}={number(share)}" for code, share in shares.items())


def read_edits(reader, sheet) -> list[tuple[int, Edit]]:
    """(zero-based row, edit) for every non-blank row; problems go to `reader.fail`."""
    return _EditsSheet(reader).read(sheet)


class _EditsSheet:
    def __init__(self, reader):
        self.reader = reader
        self.headers = edit_headers()
        self.columns = {name: c for c, name in enumerate(self.headers)}

    def fail(self, cell: str, problem: str) -> None:
        self.reader.fail("Edits", cell, problem)

    def read(self, sheet) -> list[tuple[int, Edit]]:
        grid = self.reader.grid(sheet, len(self.headers))
        if not self.reader.headers("Edits", grid, [self.headers]):
            return []
        edits = []
        for r, row in enumerate(grid[1:], start=1):
            if any(cell_text(row[c][0]) for c in range(1, len(self.headers) - 1)):
                edit = self.row(r, row)
                if edit is not None:
                    edits.append((r, edit))
        return edits

    def row(self, r: int, row) -> Edit | None:
        kind_cell = cell_ref(r, self.columns[EDIT_KIND])
        kind = cell_text(row[self.columns[EDIT_KIND]][0]).lower()
        cls = EDIT_TYPES.get(kind)
        if cls is None:
            self.fail(kind_cell, f"unknown edit kind {kind!r}; use one of {', '.join(EDIT_TYPES)}"
                      if kind else "the edit kind is missing")
            return None
        own = {f.name: f for f in dataclasses.fields(cls) if f.name != "kind"}
        values, ok = {}, True
        for name in edit_fields():
            value, fmt = row[self.columns[name]]
            cell = cell_ref(r, self.columns[name])
            if name not in own:
                if cell_text(value):
                    self.fail(cell, f"a {kind} edit has no {name}; clear the cell")
                    ok = False
                continue
            parsed = self.field(kind, own[name], value, fmt, cell, row)
            if parsed is _INVALID:
                ok = False
            elif parsed is not _DEFAULT:
                values[name] = parsed
        if not ok:
            return None
        try:
            return cls(**values)
        except TypeError as exc:
            self.fail(kind_cell, f"{kind} edit: {exc}")
            return None

    def field(self, kind: str, spec, value, fmt: str, cell: str, row):
        name, text, reader = spec.name, cell_text(value), self.reader
        if not text:
            qualifier = cell_text(row[self.columns["qualifier"]][0]) if "qualifier" in self.columns else ""
            if name == "pct" and qualifier.upper() in ("E", "NA"):
                return 0.0                        # no number for a net exporter / not available
            if spec.default is not dataclasses.MISSING or spec.default_factory is not dataclasses.MISSING:
                return _DEFAULT
            self.fail(cell, f"{name} is missing for a {kind} edit")
            return _INVALID
        if spec.type in ("float", float, "int", int):
            number = reader.number("Edits", cell, value, fmt, 0, PERCENT_RANGE.get((kind, name), 100.0), name)
            return _INVALID if number is None else number
        if spec.type in ("bool", bool):
            flag = value if isinstance(value, bool) else TRUTH.get(text.lower())
            if flag is None:
                self.fail(cell, f"{name} {text!r} should be TRUE or FALSE")
                return _INVALID
            return flag
        if name == "to":
            return self.shares(cell, text)
        checks = {"mineral": lambda: reader.mineral_selector("Edits", cell, text),
                  "country": lambda: reader.country("Edits", cell, text, (kind, name) in SINGLE_COUNTRY),
                  "from_country": lambda: reader.country("Edits", cell, text, False),
                  "level": lambda: reader.level("Edits", cell, text) is not None,
                  "qualifier": lambda: reader.qualifier("Edits", cell, text, True) is not None,
                  "group": lambda: self.group(cell, text),
                  "target": lambda: self.target(cell, text)}
        if not checks.get(name, lambda: True)():
            return _INVALID
        return {"level": text.lower(), "qualifier": text.upper()}.get(name, text)

    def group(self, cell: str, text: str) -> bool:
        groups = self.reader.groups
        if text not in groups:
            self.fail(cell, f"unknown country group {text!r}; known: {', '.join(sorted(groups))}")
        return text in groups

    def target(self, cell: str, text: str) -> bool:
        if text not in importance_keys(self.reader.model):
            self.fail(cell, f"unknown target {text!r}; use sector:<sector name> or defense:<category> "
                      "exactly as in the Importance sheet's key row")
            return False
        return True

    def shares(self, cell: str, text: str):
        """'MEX=0.6; CAN=0.4' -> {"MEX": 0.6, "CAN": 0.4} (relative shares of the moved value)."""
        out = {}
        for part in filter(None, (p.strip() for p in text.replace(",", ";").split(";"))):
            code, sep, share = part.replace(":", "=").partition("=")
            try:
                value = float(share) if sep else math.nan
            except ValueError:
                value = math.nan
            if not self.reader.country("Edits", cell, code.strip(), True):
                return _INVALID
            if not math.isfinite(value) or value <= 0:
                self.fail(cell, f"{part!r}: write each target as ISO3=share, e.g. MEX=0.6; CAN=0.4")
                return _INVALID
            out[code.strip().upper()] = value
        if not out:
            self.fail(cell, "no target countries; write them as ISO3=share, e.g. MEX=0.6; CAN=0.4")
            return _INVALID
        return out
