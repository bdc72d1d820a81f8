"""Log pane: the app's log records, filterable by level, copyable and clearable."""

from __future__ import annotations

import logging

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inference_gui.ui.context import UiContext
from inference_gui.ui.log_bridge import LogBridge
from inference_gui.ui.panes.base import Pane, pane_header

LEVELS = {
    "Debug": logging.DEBUG,
    "Info": logging.INFO,
    "Warning": logging.WARNING,
    "Error": logging.ERROR,
}


class LogPane(Pane):
    pane_id = "log"
    title = "Log"
    icon = "log.svg"
    description = "What the app did, as written to its log file."

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.bridge: LogBridge = ctx.log_bridge
        self.level = QComboBox()
        self.level.addItems(list(LEVELS))
        self.level.setCurrentText("Info")
        self.level.setAccessibleName("Minimum level")
        copy = QPushButton("Copy")
        clear = QPushButton("Clear")
        self.count = QLabel()
        self.view = QPlainTextEdit(readOnly=True)
        self.view.setObjectName("logView")
        self.view.setMaximumBlockCount(5000)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Level:"))
        bar.addWidget(self.level)
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(copy)
        bar.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.addWidget(pane_header(self.title, self.description))
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

        self.level.currentTextChanged.connect(lambda _: self.render())
        copy.clicked.connect(self.copy_to_clipboard)
        clear.clicked.connect(self.clear)
        self.bridge.record_added.connect(self._append)
        self.render()

    @property
    def min_level(self) -> int:
        return LEVELS[self.level.currentText()]

    def _visible(self) -> list[logging.LogRecord]:
        return [r for r in self.bridge.records if r.levelno >= self.min_level]

    def _append(self, record: logging.LogRecord) -> None:
        if record.levelno >= self.min_level:
            self.view.appendPlainText(self.bridge.formatter.format(record))
        self._update_count()

    def render(self) -> None:
        self.view.setPlainText("\n".join(self.bridge.formatter.format(r) for r in self._visible()))
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(f"{len(self._visible())} of {len(self.bridge.records)} records")

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.view.toPlainText())

    def clear(self) -> None:
        self.bridge.records.clear()
        self.render()
