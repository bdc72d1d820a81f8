"""Panes whose content arrives with later work: they say what they will show, not a blank."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from inference_gui.ui.context import UiContext
from inference_gui.ui.panes.base import Pane, pane_header


class _PlannedPane(Pane):
    planned: str = ""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(pane_header(self.title, self.description))
        note = QLabel(self.planned)
        note.setObjectName("emptyState")
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(note, 1)


class InferencePane(_PlannedPane):
    pane_id = "inference"
    title = "Inference"
    icon = "inference.svg"
    description = "Run a feature or a model on your own input, at the quantization you choose."
    planned = "Ad-hoc inference is not available in this build yet."
