"""`mineral-workbench --screenshot OUT.png --view NAME`: every view renders offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from gui_support import SAMPLE
from mineral_workbench.gui.launch import STATIC_VIEWS, create_window, run_gui


def chart_ids() -> list[str]:
    try:
        from mineral_workbench.gui.charts import CHARTS
    except ImportError:
        return []
    return [chart_id for chart_id, _title, _cls in CHARTS]


@pytest.mark.parametrize("view", [*STATIC_VIEWS, *chart_ids()])
def test_every_view_renders_a_screenshot_of_the_sample(qapp, tmp_path, view):
    out = tmp_path / f"{view}.png"
    assert run_gui([], screenshot=out, view=view) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)
    assert len({image.pixel(x, y) for x in range(0, 1600, 97) for y in range(0, 1000, 89)}) > 8


def test_screenshot_of_given_files(qapp, tmp_path):
    out = tmp_path / "shot.png"
    assert run_gui([SAMPLE], screenshot=out) == 0
    assert QImage(str(out)).width() == 1600


def test_screenshot_reports_a_refused_input(qapp, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("")
    out = tmp_path / "shot.png"
    assert run_gui([bad], screenshot=out) == 2
    assert capsys.readouterr().err.strip() == "bad.csv: the file is empty"
    assert not out.exists()


def test_an_unknown_view_is_refused_with_the_choices(qapp, tmp_path, capsys):
    assert run_gui([], screenshot=tmp_path / "x.png", view="pie") == 2
    err = capsys.readouterr().err
    assert "unknown view 'pie'" in err and "minerals, sectors, defense, sources" in err


def test_create_window_starts_loading_the_bundled_sample(qtbot):
    _app, window = create_window(interactive=False, theme=False)
    qtbot.addWidget(window)
    assert window.session.loading_files == (SAMPLE,)
    with qtbot.waitSignal(window.analysis_shown, timeout=30_000):
        pass
    assert window.minerals.model.rowCount() == 47
    assert window.session.shutdown(30_000)
