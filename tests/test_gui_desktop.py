"""Desktop conventions: settings and layout persistence, shortcuts, accessibility, themes,
the log, the About box, the Methods page and the chart area's exports."""

from __future__ import annotations

import logging
import os
import platform
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, qVersion
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox,
                               QFileDialog, QHeaderView, QInputDialog, QLineEdit)

from gui_support import SAMPLE, WAIT_MS, dialogs, load_and_wait, make_window  # noqa: F401
from mineral_workbench import __version__
from mineral_workbench.core.metrics import METHODS
from mineral_workbench.core.reference import load_reference
from mineral_workbench.gui.help_pages import methods_html
from mineral_workbench.gui.settings import ENV_DIR, FILE_NAME, Settings
from mineral_workbench.gui.theme import is_dark


# --- settings and layout ------------------------------------------------------------------------

def test_settings_are_an_ini_file_in_the_folder_the_environment_names():
    settings = Settings()
    assert settings.folder == Path(os.environ[ENV_DIR])
    assert settings.path == settings.folder / FILE_NAME
    settings.set("files/recent", ["/data/a.xlsx"])
    settings.set("appearance/theme", "dark")
    settings.sync()
    raw = QSettings(str(settings.path), QSettings.Format.IniFormat)
    assert raw.value("files/recent") == '["/data/a.xlsx"]'  # JSON text, never pickled
    assert raw.value("meta/version") in (1, "1")
    again = Settings()
    assert again.recent_files() == ["/data/a.xlsx"] and again.theme() == "dark"


def test_bad_or_missing_values_fall_back_to_defaults():
    settings = Settings()
    raw = QSettings(str(settings.path), QSettings.Format.IniFormat)
    raw.setValue("files/recent", "{not json")
    raw.setValue("appearance/theme", "purple")
    raw.sync()
    settings = Settings()
    assert settings.recent_files() == [] and settings.theme() == "system"
    assert settings.get("window/state").isEmpty()


def test_dock_layout_and_geometry_persist_across_a_restart(qtbot, make_window):
    window = make_window()
    window.docks.defense.hide()
    window.docks.charts.setFloating(True)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    size = (min(1234, screen.width() - 40), min(777, screen.height() - 40))
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=WAIT_MS)
    geometry = window.saveGeometry()
    window.close()

    again = make_window(show=False)
    assert again.geometry_restored
    again.show()
    qtbot.waitExposed(again)
    assert again.docks.defense.isHidden()
    assert again.docks.charts.isFloating()
    assert (again.width(), again.height()) == size
    assert not again.settings.get("window/geometry").isEmpty() and not geometry.isEmpty()

    again.window_actions.reset_layout.trigger()
    assert not again.docks.defense.isHidden() and not again.docks.charts.isFloating()
    assert set(again.tabifiedDockWidgets(again.docks.sectors)) == {
        again.docks.defense, again.scenarios.docks["compare"]}


def test_the_report_after_load_choice_is_remembered(qtbot, make_window):
    window = make_window()
    action = window.window_actions.report_after_load
    assert action.isChecked()
    action.trigger()
    assert not window.open_report_after_load and Settings().get("reports/open_after_load") is False
    window.close()
    assert not make_window().window_actions.report_after_load.isChecked()


def test_view_menu_toggles_every_panel(qtbot, make_window):
    window = make_window()
    toggles = {a.text(): a for a in window.window_actions.docks_menu.actions()}
    assert {"Sources", "Charts", "Sectors", "Defense uses", "Main toolbar", "Analysis options"} <= set(toggles)
    toggles["Sources"].trigger()
    assert window.docks.sources.isHidden()
    toggles["Sources"].trigger()
    assert not window.docks.sources.isHidden()


# --- keyboard and accessibility -------------------------------------------------------------------

def test_standard_shortcuts(make_window):
    actions = make_window().window_actions
    assert actions.open.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert actions.open.shortcut().toString() == "Ctrl+O"
    assert actions.copy.shortcut().toString() == "Ctrl+C"
    assert actions.quit.shortcut().toString() == "Ctrl+Q"
    assert actions.methods.shortcut().toString() == "F1"
    assert actions.import_mapping.isEnabled() and "column" in actions.import_mapping.toolTip().lower()


def test_f1_opens_the_methods_and_ctrl_q_quits(qtbot, make_window):
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window.minerals.table, Qt.Key.Key_F1)
    methods = window.dialog("methods")
    assert methods is not None and methods.isVisible() and not methods.isModal()
    methods.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window.minerals.table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_every_control_has_an_accessible_name(qtbot, make_window):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    kinds = (QAbstractSpinBox, QComboBox, QLineEdit, QAbstractItemView)
    unnamed = [f"{type(w).__name__} {w.objectName()}" for kind in kinds for w in window.findChildren(kind)
               if not w.accessibleName() and not isinstance(w, QHeaderView)
               and not isinstance(w.parent(), QAbstractSpinBox)  # the box's own editor
               and w.window() is window]  # combo-box pop-ups are windows of their own
    assert unnamed == []
    assert all(d.accessibleName().endswith("panel") for d in window.docks.by_name().values())


def test_tab_moves_through_the_analysis_controls(qtbot, make_window):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    controls = window.controls
    controls.first_year.setFocus()
    order = [QApplication.focusWidget()]
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order[0] is controls.first_year
    assert controls.last_year in order and controls.group in order and controls.nir_year in order


# --- log, about, methods ----------------------------------------------------------------------------

def test_the_log_file_records_loads_and_opens_read_only(qtbot, make_window):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    assert window.log_path == Settings().folder / "workbench.log"
    window.window_actions.show_log.trigger()
    viewer = window.dialog("log")
    assert viewer.isVisible() and viewer.text.isReadOnly()
    text = viewer.text.toPlainText()
    assert f"loaded {SAMPLE.name}: 47 minerals" in text
    logging.getLogger("mineral_workbench.test").warning("a line written later")
    viewer.reload()
    assert "a line written later" in viewer.text.toPlainText()


def test_about_lists_versions_and_reference_editions(qtbot, make_window):
    window = make_window()
    window.window_actions.about.trigger()
    text = window.dialog("about").text()
    assert f"Mineral Exposure Workbench {__version__}" in text
    assert qVersion() in text and platform.python_version() in text
    for table in load_reference().tables.values():
        assert table.edition in text and str(table.as_of) in text


def test_methods_page_shows_every_formula(qtbot, make_window):
    window = make_window()
    window.window_actions.methods.trigger()
    text = window.dialog("methods").text()
    for formula in METHODS.values():
        assert formula in text
    assert "Weakest link" in text and "Weighted mean" in text
    assert "high" in text and "0.25" in text
    assert "USGS Mineral Commodity Summaries 2025" in text
    assert "<!--" not in methods_html()


# --- themes -------------------------------------------------------------------------------------

@pytest.fixture
def restore_palette(qapp):
    palette, style = qapp.palette(), qapp.style().name()
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)


def test_themes_switch_the_palette_and_are_remembered(qtbot, make_window, restore_palette):
    window = make_window()
    themes = window.window_actions.themes
    assert themes["system"].isChecked()
    themes["dark"].trigger()
    assert is_dark() and themes["dark"].isChecked()
    assert Settings().theme() == "dark"
    themes["light"].trigger()
    assert not is_dark()
    window.close()
    assert make_window().window_actions.themes["light"].isChecked()


# --- chart area -----------------------------------------------------------------------------------

def test_charts_get_every_analysis_and_their_views_can_be_shown(qtbot, make_window):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.controls.first_year.setValue(2023)
    bars = window.charts.charts["bars"]
    assert bars.data[-1] == (window.current.result, window.current.loaded) and len(bars.data) == 2
    assert window.view_names() == ["minerals", "sectors", "defense", "sources", "scenarios", "history",
                                   "compare", "suppliers", "bars", "heat"]
    window.show_view("heat")
    assert window.charts.current_id() == "heat" and window.charts.tabs.tabText(1) == "Heat map"
    with pytest.raises(ValueError, match="unknown view"):
        window.show_view("pie")


def test_the_compare_and_suppliers_docks_build_their_panels_when_first_shown(qtbot, make_window):
    """Tabbed behind other docks at start-up they cost nothing; shown, they hold the analysis."""
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    window.selection.select(["gallium"], origin=None)
    assert window.scenarios._panels == {}
    window.show_view("suppliers")
    suppliers = window.scenarios.docks["suppliers"].widget()
    assert suppliers is window.scenarios.suppliers and suppliers.mineral == "gallium"
    core = window.current.result.suppliers["gallium"]
    assert [r.partner_code for r in suppliers.model.rows[:len(core)]] == [s["partner_code"] for s in core]
    assert window.scenarios.compare is window.scenarios.docks["compare"].widget()
    assert sorted(window.scenarios._panels) == ["compare", "suppliers"]


def test_export_chart_as_png_at_a_chosen_dpi_svg_and_copy(qtbot, make_window, monkeypatch, tmp_path):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "bars"), "")))
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("300", True)))
    window.window_actions.export_png.trigger()
    bars = window.charts.charts["bars"]
    assert bars.exports[-1] == ("png", str(tmp_path / "bars.png"), 300)
    image = QImage(str(tmp_path / "bars.png"))
    assert (image.width(), image.height()) == (1800, 1200)
    assert "300 dpi" in window.statusBar().currentMessage()
    window.window_actions.export_svg.trigger()
    assert (tmp_path / "bars.svg").read_text().startswith("<svg")
    window.window_actions.copy_chart.trigger()
    assert QGuiApplication.clipboard().image().width() == 12


def test_a_failing_export_is_reported_not_fatal(qtbot, make_window, monkeypatch, dialogs):
    window = make_window()
    monkeypatch.setattr(window.charts.charts["bars"], "export_svg",
                        lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("/tmp/x.svg", "")))
    window.window_actions.export_svg.trigger()
    assert dialogs and dialogs[0][0] == "warning" and "disk full" in dialogs[0][2]


def test_without_a_chart_registry_the_area_says_so(qtbot, make_window):
    window = make_window(charts=lambda selection, parent: {})
    load_and_wait(qtbot, window, [SAMPLE])
    assert window.charts.charts == {}
    assert "not available" in window.charts.message.text()
    assert not window.window_actions.export_png.isEnabled()
    assert window.view_names() == ["minerals", "sectors", "defense", "sources", "scenarios", "history",
                                   "compare", "suppliers"]


def test_a_chart_that_fails_to_draw_does_not_stop_the_window(qtbot, make_window):
    def broken(selection, parent):
        charts = __import__("gui_support").fake_charts(selection, parent)
        charts["bars"].set_data = lambda *a: 1 / 0
        return charts

    window = make_window(charts=broken)
    load_and_wait(qtbot, window, [SAMPLE])
    assert window.minerals.model.rowCount() == 47
    window.show_view("heat")
    assert len(window.charts.charts["heat"].data) == 1


def test_the_real_chart_registry_plugs_in(qtbot, make_window):
    charts = pytest.importorskip("mineral_workbench.gui.charts")
    window = make_window(charts=None)
    load_and_wait(qtbot, window, [SAMPLE])
    assert window.charts.chart_ids() == [chart_id for chart_id, _title, _cls in charts.CHARTS]
    assert window.charts.tabs.count() == len(charts.CHARTS)
