"""Connects the scenario store to the session: every edit recomputes what the views show.

Edits arrive from the tables (`set_nir`, `set_importance`, `set_share`), the scenario panel
and the editor; each becomes one undo command on the store. Recomputes are debounced: a
burst of edits (typing, holding Ctrl+Z) costs one recompute, started `DEBOUNCE_MS` after
the last edit, on the session's worker.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QKeySequence

from mineral_workbench.core.scenario import (ImportanceOverride, NirOverride, ScenarioError,
                                             ShareOverride)

from .scenario_store import ScenarioStore

log = logging.getLogger(__name__)
DEBOUNCE_MS = 15
NIR_QUALIFIERS = ("=", ">", "<")


def parse_nir(text: str) -> tuple[float, str]:
    """'90', '>50', '< 25 %', 'E', 'NA' → (pct, qualifier), as USGS writes them."""
    raw = str(text).strip().replace("%", "").strip()
    if raw.upper() in ("E", "NA"):
        return float("nan"), raw.upper()
    qualifier = "="
    if raw[:1] in NIR_QUALIFIERS:
        qualifier, raw = raw[0], raw[1:].strip()
    try:
        pct = float(raw)
    except ValueError:
        raise ScenarioError(f"net import reliance {text!r}: type a percent such as 90, >50, <25, "
                            "E (net exporter) or NA") from None
    if not 0 <= pct <= 100:
        raise ScenarioError(f"net import reliance {text!r}: must be between 0 and 100%")
    return pct, qualifier


class ScenarioController(QObject):
    problem = Signal(str)   # an edit the core refused, for the status bar

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.store = ScenarioStore(self)
        self.store.validator = self._validate
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._apply)
        self.store.changed.connect(self._timer.start)
        self.store.active_changed.connect(lambda _name: self._timer.start())

    # --- undo/redo actions for the Edit menu ---------------------------------------------
    def make_undo_actions(self, parent):
        undo = self.store.undo_stack.createUndoAction(parent, "&Undo")
        redo = self.store.undo_stack.createRedoAction(parent, "&Redo")
        undo.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        redo.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        undo.setObjectName("undo")
        redo.setObjectName("redo")
        return undo, redo

    # --- edits from the tables -------------------------------------------------------------
    def set_nir(self, mineral: str, text: str) -> bool:
        """The analyst typed `text` into a mineral's NIR cell."""
        try:
            pct, qualifier = parse_nir(text)
            baseline = self._baseline_nir(mineral)
            edit = NirOverride(mineral, pct, qualifier)
            same = baseline is not None and baseline[1] == qualifier and (
                qualifier in ("E", "NA") or baseline[0] == pct)
            return self._cell(edit, to_baseline=same)
        except ScenarioError as exc:
            return self._refuse(exc)

    def set_importance(self, mineral: str, target: str, level: str) -> bool:
        """`target` is 'sector:<name>' or 'defense:<category>'; level high/medium/low/none."""
        return self._cell(ImportanceOverride(mineral, target, level or "none"),
                          to_baseline=self._baseline_level(mineral, target) == (level or "none"))

    def set_share(self, mineral: str, country: str, share_pct: float) -> bool:
        return self._cell(ShareOverride(mineral, country.upper(), float(share_pct)))

    def _cell(self, edit, to_baseline: bool = False) -> bool:
        try:
            self.store.set_cell(edit, to_baseline=to_baseline)
        except ScenarioError as exc:
            return self._refuse(exc)
        return True

    def _refuse(self, exc: Exception) -> bool:
        log.info("edit refused: %s", exc)
        self.problem.emit(str(exc))
        return False

    # --- helpers -------------------------------------------------------------------------
    def _validate(self, scenario) -> None:
        current = self.session.current
        if current is not None:
            self.session.backend.validate(current.loaded, self.session.options, scenario)

    def _apply(self) -> None:
        self.session.set_scenario(self.store.active())

    def _baseline_nir(self, mineral: str):
        current = self.session.current
        if current is None or mineral not in current.baseline.minerals.index:
            return None
        row = current.baseline.minerals.loc[mineral]
        return float(row["nir_pct"]), str(row["nir_qualifier"])

    def _baseline_level(self, mineral: str, target: str) -> str | None:
        from .matrix_data import LEVELS, sector_matrix  # noqa: PLC0415

        current = self.session.current
        family, _, key = target.partition(":")
        if current is None or family != "sector":
            return None
        matrix = sector_matrix(self.session.backend.reference(), current.baseline,
                               self.session.options.weights)
        i = matrix.row_of(mineral)
        if i < 0 or key not in matrix.sector_names:
            return None
        return LEVELS[matrix.level[i, matrix.sector_names.index(key)]] or "none"

    def flush(self) -> None:
        """Apply a pending debounced change now (tests, saving)."""
        if self._timer.isActive():
            self._timer.stop()
            self._apply()
