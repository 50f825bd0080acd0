"""The load indicator in the status bar: message, progress bar and a Cancel button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

_STEPS = 1000


class LoadProgress(QWidget):
    """Hidden while idle; `begin`, `update` and `end` follow a TaskRunner's signals."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.message_label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, _STEPS)
        self.bar.setFixedWidth(220)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop loading; the results shown now stay as they are")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def begin(self, message: str) -> None:
        self.message_label.setText(message)
        self.bar.setRange(0, 0)  # busy indicator until the first report arrives
        self.show()

    def update_progress(self, fraction: float, message: str) -> None:
        if self.bar.maximum() == 0:
            self.bar.setRange(0, _STEPS)
        self.bar.setValue(round(min(max(fraction, 0.0), 1.0) * _STEPS))
        if message:
            self.message_label.setText(message)

    def end(self) -> None:
        self.hide()
        self.bar.setRange(0, _STEPS)
        self.bar.setValue(0)
