"""Engines pane: the engines this process holds (live), its resident memory, and work in flight.

The registry notifies from whatever thread changed an engine; the pane coalesces those calls into
one refresh on the GUI thread, plus a one-second tick for memory, "last run" ages and downloads.
"""

from __future__ import annotations

import contextlib

import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from inference_gui.format import human_bytes
from inference_gui.ui.context import UiContext
from inference_gui.ui.models.engines import EnginesModel
from inference_gui.ui.panes.base import Pane, pane_header
from inference_gui.ui.widgets.downloads import DownloadList
from inference_gui.ui.widgets.tables import table_view


class EnginesPane(Pane):
    pane_id = "engines"
    title = "Engines"
    icon = "engines.svg"
    description = "Running engines, background work in flight, and the memory this process uses."

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._process = psutil.Process()
        self._refresh_queued = False
        self.memory = QLabel()
        self.memory.setObjectName("processMemory")
        self.model = EnginesModel(self)
        self.table = table_view(self.model, "Engines")
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.unload_button = QPushButton("Unload")
        self.unload_button.setToolTip(
            "Free the selected engine's memory; its next run loads again."
        )
        self.unload_button.clicked.connect(self.unload_selected)
        self.unload_all_button = QPushButton("Unload all")
        self.unload_all_button.clicked.connect(self.unload_all)
        self.empty = QLabel(
            "No engine is loaded. Run something in the Inference pane to start one."
        )
        self.empty.setObjectName("emptyState")
        self.downloads = DownloadList(self)
        self.jobs = QListWidget()
        self.jobs.setAccessibleName("Background work in flight")
        self.jobs.setMaximumHeight(110)
        buttons = QHBoxLayout()
        buttons.addWidget(self.memory, 1)
        buttons.addWidget(self.unload_button)
        buttons.addWidget(self.unload_all_button)
        layout = QVBoxLayout(self)
        layout.addWidget(pane_header(self.title, self.description))
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(QLabel("Background work in flight:"))
        layout.addWidget(self.jobs)
        layout.addWidget(self.downloads.view)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        ctx.worker.jobs_changed.connect(self.refresh)
        self._registry = ctx.app.engines
        self._registry.subscribe(self._engines_changed)
        self.refresh()

    def _engines_changed(self) -> None:
        """Called on any thread; at most one refresh is queued at a time."""
        if not self._refresh_queued:
            self._refresh_queued = True
            # RuntimeError: the window is gone while engines are still being unloaded.
            with contextlib.suppress(RuntimeError):
                self.ctx.worker.on_gui_thread(self.refresh)

    def refresh(self) -> None:
        self._refresh_queued = False
        engines = self._registry.engines()
        self.model.set_rows([(e.info(), e.options.timeout_ms) for e in engines])
        self.empty.setVisible(not engines)
        self.memory.setText(
            f"Process resident memory: {human_bytes(self._process.memory_info().rss)}"
        )
        self.jobs.clear()
        active = self.ctx.worker.runner.active()
        for job in active:
            progress = job.last_progress
            if progress is not None:
                self.downloads.update(progress)
            state = f" — {progress.phase} {progress.detail}" if progress else ""
            self.jobs.addItem(f"#{job.id} {job.name}{state}")
        if not active:
            self.jobs.addItem("Nothing running.")
            self.downloads.clear()
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        proxy = self.table.model()
        rows = {proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.engine_id(r) for r in sorted(rows)]

    def unload_selected(self) -> None:
        ids = self.selected_ids()
        self.ctx.worker.submit(
            lambda _: [self._registry.unload(i) for i in ids],
            name="unload engines",
            on_done=lambda _: self.refresh(),
        )

    def unload_all(self) -> None:
        self.ctx.worker.submit(
            lambda _: self._registry.unload_all(),
            name="unload all engines",
            on_done=lambda _: self.refresh(),
        )

    def _update_buttons(self) -> None:
        self.unload_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
        self.unload_all_button.setEnabled(self.model.rowCount() > 0)
