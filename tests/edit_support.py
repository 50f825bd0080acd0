"""Shared pieces of the table-edit tests: analyses of the sample by the real core (with or
without a scenario), a recording edit handler, and helpers to drive real editors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from mineral_workbench.core.analysis import load_sources
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.scenario import Scenario
from mineral_workbench.gui.columns import MINERAL_COLUMNS
from mineral_workbench.gui.core_bridge import CoreBackend, default_options
from mineral_workbench.gui.panels import TablePanel
from mineral_workbench.gui.sector_matrix import SectorsPanel
from mineral_workbench.gui.selection import MineralSelection
from mineral_workbench.gui.suppliers_panel import SHARE, RawValueRole, SuppliersPanel

SAMPLE = sample_workbook()
EDIT, FONT, TOOLTIP = Qt.ItemDataRole.EditRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole


@pytest.fixture(scope="module")
def loaded():
    return load_sources([SAMPLE])


@pytest.fixture(scope="module")
def backend():
    return CoreBackend()


@pytest.fixture(scope="module")
def analysis_of(loaded, backend):
    cache = {}

    def make(*edits):
        if edits not in cache:
            scenario = Scenario("s", tuple(edits)) if edits else None
            cache[edits] = backend.analysis([SAMPLE], loaded, default_options(), scenario)
        return cache[edits]
    return make


@pytest.fixture
def keep():
    """Widgets that must outlive the test body: qtmodeltester disconnects from their models
    at its own teardown (list this fixture before qtmodeltester so it is torn down after)."""
    widgets: list = []
    yield widgets
    for widget in widgets:
        widget.deleteLater()


class Recorder:
    """An edit handler that records its calls and answers `verdict`."""

    def __init__(self, verdict: bool = True):
        self.calls: list[tuple] = []
        self.verdict = verdict

    def __call__(self, *args) -> bool:
        self.calls.append(args)
        return self.verdict


def minerals_panel(qtbot, analysis, show: bool = False, keep=None) -> TablePanel:
    panel = TablePanel(MINERAL_COLUMNS, noun="minerals", filter_key="mineral", editable={"nir_pct"})
    keep.append(panel) if keep is not None else qtbot.addWidget(panel)
    panel.set_frame(analysis.result.minerals, baseline=analysis.baseline.minerals)
    if show:
        panel.resize(1100, 600)
        panel.show()
        qtbot.waitExposed(panel)
    return panel


def nir_index(panel: TablePanel, mineral: str = "gallium"):
    model = panel.model
    [row] = model.view_rows_where("mineral", [mineral])
    return model.index(row, model.column_of("nir_pct"))


def commit(qtbot, view, editor, key=Qt.Key.Key_Return) -> None:
    """Enter in an editor: Qt commits on a queued call, so wait for the editor to close."""
    qtbot.keyClick(editor, key)
    qtbot.waitUntil(lambda: view.state() != view.State.EditingState, timeout=5000)


def active_editor(widget, kind):
    editors = [w for w in widget.findChildren(kind) if w.isVisible()]
    assert len(editors) == 1, editors
    return editors[0]


def sectors_panel(qtbot, analysis, show: bool = False, keep=None) -> SectorsPanel:
    panel = SectorsPanel()
    keep.append(panel) if keep is not None else qtbot.addWidget(panel)
    panel.show_analysis(analysis)
    if show:
        panel.resize(1300, 600)
        panel.show()
        qtbot.waitExposed(panel)
    return panel


def matrix_index(panel: SectorsPanel, mineral: str = "gallium", sector: str = "Energy"):
    model = panel.model
    [row] = model.rows_of([mineral])
    return model.index(row, 2 + model.matrix.sector_names.index(sector))


def suppliers_panel(qtbot, analysis, mineral: str = "gallium", show: bool = False, keep=None):
    selection = MineralSelection()
    panel = SuppliersPanel(selection)
    keep.append(panel) if keep is not None else qtbot.addWidget(panel)
    panel.show_analysis(analysis)
    selection.select([mineral])
    if show:
        panel.resize(700, 420)
        panel.show()
        qtbot.waitExposed(panel)
    return panel, selection


def column_values(panel, column: int) -> list:
    model = panel.model
    return [model.index(r, column).data(RawValueRole) for r in range(model.rowCount())]


def share_index(panel, code: str):
    return panel.model.index(column_values(panel, 1).index(code), SHARE)
