"""The wrapping button row: every button stays visible, however narrow the dock."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton, QVBoxLayout, QWidget

from mineral_workbench.gui.flow_layout import FlowLayout


def _row(qtbot, texts):
    host = QWidget()
    qtbot.addWidget(host)
    outer = QVBoxLayout(host)
    flow = FlowLayout()
    buttons = []
    for text in texts:
        button = QToolButton(host)
        button.setText(text)
        flow.addWidget(button)
        buttons.append(button)
    outer.addLayout(flow)
    outer.addStretch(1)
    host.show()
    return host, flow, buttons


def _rows(buttons) -> int:
    return len({b.geometry().y() for b in buttons})


def test_buttons_share_one_row_when_wide_and_wrap_inside_the_width_when_narrow(qtbot):
    host, flow, buttons = _row(qtbot, ["&New", "&Presets", "&Rename…", "D&uplicate", "&Delete…"])
    host.resize(flow.sizeHint().width() + 40, 200)
    qtbot.waitUntil(lambda: _rows(buttons) == 1)
    assert [b.geometry().x() for b in buttons] == sorted(b.geometry().x() for b in buttons)

    narrow = max(b.sizeHint().width() for b in buttons) * 2 + 30
    host.resize(narrow, 200)
    qtbot.waitUntil(lambda: _rows(buttons) > 1)
    for button in buttons:
        assert button.isVisible() and button.geometry().right() < narrow
    tops = sorted({b.geometry().y() for b in buttons})
    assert all(b - a >= buttons[0].sizeHint().height() for a, b in zip(tops, tops[1:]))  # no overlap
    assert flow.heightForWidth(narrow) > flow.heightForWidth(flow.sizeHint().width())


def test_minimum_width_is_the_widest_button(qtbot):
    _host, flow, buttons = _row(qtbot, ["a", "a much longer label", "b"])
    assert flow.minimumSize().width() == max(b.minimumSizeHint().width() for b in buttons)
