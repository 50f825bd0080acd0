"""The column-mapping dialog: preview, header row, roles, live validation, saved profiles and
File → Import with Column Mapping… driving the real loading path."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog

from gui_support import WAIT_MS, dialogs, make_window  # noqa: F401 - fixtures
from mapped_fixtures import write_xlsx
from mineral_workbench.core.importing import mapped
from mineral_workbench.core.importing.profile import ProfileStore
from mineral_workbench.gui import mapping_dialog
from mineral_workbench.gui.mapping_dialog import MappingDialog, column_letter

# headers no guess can map to code/country: the analyst has to choose them
MESSY_ROWS = [
    ["Critical minerals imports, hand-made summary"],                  # 1 title
    ["Thousands of dollars; source: several DataWeb queries"],         # 2 title
    ["Item", "Where from", "Remarks", "2022", "2023"],                # 3 header
    [8105206000, "China", "cobalt", 1200.5, "1,300"],                  # 4
    [106190000, "Korea, South", "lost its zero", 10, 20],              # 5
    [None, None, None, None, None],                                    # 6 blank
    [2504101000, "Canada", "", "", 75.25],                             # 7 empty 2022
    ["Total", None, None, "1,210.50", "1,395.25"],                     # 8 total
]
ROLES = ["code", "country", "", "year_columns", "year_columns"]
EXPECTED = [  # (row, hts, partner_raw, partner_code, year, value in USD = thousands x 1000)
    (4, "8105206000", "China", "CHN", 2022, 1_200_500.0),
    (4, "8105206000", "China", "CHN", 2023, 1_300_000.0),
    (5, "0106190000", "Korea, South", "KOR", 2022, 10_000.0),
    (5, "0106190000", "Korea, South", "KOR", 2023, 20_000.0),
    (7, "2504101000", "Canada", "CAN", 2023, 75_250.0),
]


@pytest.fixture
def messy(tmp_path) -> Path:
    return write_xlsx(tmp_path / "messy.xlsx", MESSY_ROWS, sheet="Imports",
                      extra_sheets={"Notes": [["made by hand"]]})


@pytest.fixture
def store(tmp_path) -> ProfileStore:
    return ProfileStore(tmp_path / "profiles")


def open_dialog(qtbot, path, store) -> MappingDialog:
    dialog = MappingDialog(path, store=store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def wait_checked(qtbot, dialog) -> list[str]:
    """Wait for the debounced check that follows the last change; its problems."""
    with qtbot.waitSignal(dialog.validated, timeout=WAIT_MS) as blocker:
        pass
    return blocker.args[0]


def map_by_hand(qtbot, dialog) -> None:
    """What the analyst does: pick the header row, the roles, flow and scale."""
    dialog.header_spin.setValue(1)
    assert wait_checked(qtbot, dialog), "row 1 is a title: the mapping cannot read the file"
    assert not dialog.ok_button.isEnabled()
    dialog.header_spin.setValue(3)
    for j, role in enumerate(ROLES):
        dialog.set_role(j, role)
    dialog.flow_combo.setCurrentIndex(dialog.flow_combo.findData("imports_general"))
    dialog.scale_spin.setValue(1000)
    dialog.name_edit.setText("Hand-made summary")
    qtbot.waitUntil(lambda: not dialog._timer.isActive() and dialog.problems == [], timeout=WAIT_MS)


def frame_rows(frame) -> list[tuple]:
    return [tuple(r) for r in frame[["row", "hts", "partner_raw", "partner_code", "year", "value"]]
            .itertuples(index=False)]


def test_mapping_by_hand_reads_exactly_the_sheets_numbers(qtbot, messy, store):
    dialog = open_dialog(qtbot, messy, store)
    assert [dialog.sheet_combo.itemText(i) for i in range(dialog.sheet_combo.count())] == ["Imports", "Notes"]
    assert dialog.model.width == 5 and [c.accessibleName() for c in dialog.role_combos][0] == "Role of column A"
    map_by_hand(qtbot, dialog)

    model = dialog.model   # model row i + 1 shows preview row i (row 0 holds the role combos)
    assert model.index(3, 0).data() == "Item"
    assert model.index(3, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is not None   # title: dimmed
    assert model.index(4, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.headerData(3, Qt.Orientation.Vertical) == "3"
    assert dialog.ok_button.isEnabled() and dialog.problem_list.count() == 0

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    profile = dialog.result_profile()
    assert profile.header_row == 3 and profile.sheet == "Imports" and profile.scale == 1000
    assert profile.columns == {"code": "Item", "country": "Where from", "year_columns": "auto"}
    frame, report = mapped.read(messy, profile)
    assert frame_rows(frame) == EXPECTED
    assert set(frame["flow"]) == {"imports_general"} and set(frame["measure"]) == {"customs_value"}
    assert report.rows_dropped.get("total") == [8] or 8 in sum(report.rows_dropped.values(), [])


def test_saved_profile_is_found_again_for_a_file_with_the_same_header(qtbot, messy, store, tmp_path):
    dialog = open_dialog(qtbot, messy, store)
    assert not dialog.matched and dialog.save_check.isChecked()
    map_by_hand(qtbot, dialog)
    dialog.accept()
    assert store.names() == ["Hand-made summary"]

    # next year's file: one title row fewer, other years, same columns
    rows = [MESSY_ROWS[0], ["Item", "Where from", "Remarks", "2023", "2024"],
            [8105206000, "China", "", 5, 6], [2504101000, "Canada", "", 7, "8"]]
    second = write_xlsx(tmp_path / "next.xlsx", rows, sheet="Imports")
    again = open_dialog(qtbot, second, store)
    assert again.matched and "saved profile 'Hand-made summary'" in again.source_label.text()
    assert again.header_spin.value() == 2 and again.roles() == ROLES
    assert again.problems == [] and again.ok_button.isEnabled()
    assert not again.save_check.isChecked()
    frame, _ = mapped.read(second, again.result_profile())
    assert frame_rows(frame) == [(3, "8105206000", "China", "CHN", 2023, 5000.0),
                                 (3, "8105206000", "China", "CHN", 2024, 6000.0),
                                 (4, "2504101000", "Canada", "CAN", 2023, 7000.0),
                                 (4, "2504101000", "Canada", "CAN", 2024, 8000.0)]


def test_no_value_column_is_a_problem_and_keeps_ok_disabled(qtbot, messy, store):
    dialog = open_dialog(qtbot, messy, store)
    map_by_hand(qtbot, dialog)
    dialog.set_role(3, "")
    dialog.set_role(4, "")
    assert not dialog.ok_button.isEnabled()       # disabled from the change until checked
    problems = wait_checked(qtbot, dialog)
    assert any(p.startswith("columns.value: missing") for p in problems)
    shown = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert shown == problems and "problem" in dialog.status_label.text()
    assert not dialog.ok_button.isEnabled()
    dialog.accept()                                 # Enter on the dialog does not get past it
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert store.names() == []


def test_a_role_chosen_for_two_columns_is_named(qtbot, messy, store):
    dialog = open_dialog(qtbot, messy, store)
    map_by_hand(qtbot, dialog)
    dialog.set_role(2, "country")
    problems = wait_checked(qtbot, dialog)
    assert "columns.country: chosen for 2 columns (B, C): keep one" in problems
    assert not dialog.ok_button.isEnabled()


def test_changing_the_header_row_guesses_roles_from_that_row(qtbot, tmp_path, store):
    rows = [["Report"], ["HTS Number", "Country", "Description", "2022", "2023"],
            [8105206000, "China", "COBALT", 1, 2]]
    path = write_xlsx(tmp_path / "plain.xlsx", rows, sheet="Data")
    dialog = open_dialog(qtbot, path, store)
    assert dialog.header_spin.value() == 2 and dialog.problems == []
    dialog.header_spin.setValue(1)
    assert dialog.roles() == [""] * 5
    dialog.header_spin.setValue(2)
    assert dialog.roles() == ["code", "country", "", "year_columns", "year_columns"]


def test_column_letters():
    assert [column_letter(j) for j in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_file_menu_imports_through_the_mapping(qtbot, make_window, monkeypatch, messy):
    """File → Import with Column Mapping… asks for a file, runs the dialog and loads the file
    through the profile; Reload reads it through the same profile again."""
    window = make_window()
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(
        lambda *a, **k: (asked.append(a) or str(messy), "Trade exports")))
    def run(self):
        map_by_hand(qtbot, self)
        self.accept()
        return self.result()
    monkeypatch.setattr(MappingDialog, "exec", run)
    assert window.window_actions.import_mapping.isEnabled()
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.window_actions.import_mapping.trigger()
    assert asked
    report = window.current.reports[0]
    assert report.format == "mapped" and report.query_parameters["profile"] == "Hand-made summary"
    assert frame_rows(window.current.loaded.frame) == EXPECTED
    assert ProfileStore().names() == ["Hand-made summary"]   # the per-user store (tmp in tests)
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.window_actions.reload.trigger()
    assert frame_rows(window.current.loaded.frame) == EXPECTED


def test_cancelling_the_file_question_loads_nothing(qtbot, make_window, monkeypatch):
    window = make_window()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    window.window_actions.import_mapping.trigger()
    assert not window.session.is_loading() and window.current is None


def test_an_unreadable_file_is_reported_not_raised(qtbot, monkeypatch, tmp_path, dialogs):  # noqa: F811
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"")
    monkeypatch.setattr(MappingDialog, "exec", lambda self: pytest.fail("the dialog opened"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(broken), "")))
    assert mapping_dialog.ask_and_map(None) is None
    assert dialogs and dialogs[0][0] == "warning" and "broken.csv" in dialogs[0][2]


def test_add_with_mapping_joins_the_loaded_files_and_reload_keeps_each_files_profile(
        qtbot, make_window, monkeypatch, messy, tmp_path):
    """A mapped file is added beside a recognised export (not replacing it); both are read
    again, each its own way, by Reanalyze."""
    import shutil  # noqa: PLC0415

    from gui_support import SAMPLE, load_and_wait  # noqa: PLC0415

    trade = Path(shutil.copy(SAMPLE, tmp_path / "dataweb.xlsx"))
    window = make_window()
    load_and_wait(qtbot, window, [trade])
    before = len(window.current.loaded.frame)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(
        lambda *a, **k: (str(messy), "Trade exports")))

    def run(self):
        map_by_hand(qtbot, self)
        self.accept()
        return self.result()
    monkeypatch.setattr(MappingDialog, "exec", run)
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.window_actions.add_mapping.trigger()
    assert [Path(f).name for f in window.current.files] == ["dataweb.xlsx", messy.name]
    assert [r.format for r in window.current.reports] == ["dataweb_xlsx", "mapped"]
    mapped_id = window.current.reports[1].sha256
    frame = window.current.loaded.frame
    assert len(frame) == before + len(EXPECTED)
    assert frame_rows(frame[frame["source_id"] == mapped_id]) == EXPECTED
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.window_actions.reload.trigger()
    assert [r.format for r in window.current.reports] == ["dataweb_xlsx", "mapped"]
    assert len(window.current.loaded.frame) == before + len(EXPECTED)
    assert list(window.session.profiles) == [messy.resolve()]
    window.close_all()                    # a file opened after Close All is detected afresh
    assert window.session.profiles == {} and window.current is None
