"""Help -> About: the app's version and the diagnostics a bug report needs, one click to copy.

The report is the one ``inference-gui diagnostics`` prints (:mod:`inference_gui.diagnostics`),
plus the Qt version this window runs on. It is collected on the worker, since the first import of
ONNX Runtime takes a moment and the GUI thread never blocks.
"""

from __future__ import annotations

from typing import Any

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inference_gui import __version__, diagnostics
from inference_gui.assets import resource_path
from inference_gui.ui.context import UiContext


class AboutDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Inference GUI")
        self.report: dict[str, Any] | None = None

        logo = QLabel()
        logo.setPixmap(QIcon(str(resource_path("icons", "app.svg"))).pixmap(56, 56))
        title = QLabel(
            f"<b style='font-size:15pt'>Inference GUI {__version__}</b><br>Inspect settings "
            "records and the model cache, and run inference locally, as the platform would."
        )
        title.setWordWrap(True)
        header = QHBoxLayout()
        header.addWidget(logo)
        header.addWidget(title, 1)

        self.details = QPlainTextEdit("Collecting diagnostics…")
        self.details.setObjectName("diagnostics")
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Diagnostics")
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumSize(720, 280)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.copy_button = QPushButton("Copy diagnostics")
        self.copy_button.setToolTip("Copy this report to the clipboard, for a bug report")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

        settings, preferences_file = ctx.settings, ctx.store.fileName()
        ctx.worker.submit(
            lambda _job: diagnostics.collect(settings, preferences_file),
            name="collect diagnostics",
            on_done=self._show,
            on_error=lambda exc: self.details.setPlainText(f"Diagnostics unavailable: {exc}"),
        )

    def _show(self, report: dict[str, Any]) -> None:
        self.report = diagnostics.with_qt(report, qVersion(), PySide6.__version__)
        self.details.setPlainText(diagnostics.as_text(self.report))
        self.copy_button.setEnabled(True)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")
