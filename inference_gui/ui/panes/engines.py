"""Engines pane: what the engine process holds right now — jobs in flight and resident memory."""

from __future__ import annotations

import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from inference_gui.ui.context import UiContext
from inference_gui.format import human_bytes
from inference_gui.ui.panes.base import Pane, pane_header


class EnginesPane(Pane):
    pane_id = "engines"
    title = "Engines"
    icon = "engines.svg"
    description = "Running engines, background work in flight, and the memory this process uses."

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._process = psutil.Process()
        self.memory = QLabel()
        self.memory.setObjectName("processMemory")
        self.jobs = QListWidget()
        self.jobs.setAccessibleName("Background work in flight")
        layout = QVBoxLayout(self)
        layout.addWidget(pane_header(self.title, self.description))
        layout.addWidget(self.memory)
        layout.addWidget(QLabel("Background work in flight:"))
        layout.addWidget(self.jobs, 1)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        ctx.worker.jobs_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        rss = self._process.memory_info().rss
        self.memory.setText(f"Process resident memory: {human_bytes(rss)}")
        self.jobs.clear()
        active = self.ctx.worker.runner.active()
        for job in active:
            progress = job.last_progress
            state = f" — {progress.phase} {progress.detail}" if progress else ""
            self.jobs.addItem(f"#{job.id} {job.name}{state}")
        if not active:
            self.jobs.addItem("Nothing running.")
