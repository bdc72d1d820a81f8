"""Collect garbage on the GUI thread only.

Python's cyclic collector runs on whichever thread happens to allocate when a threshold is crossed —
often a job thread. If a cycle holding Qt objects (a pane's closure, a finished dialog) is freed
there, Qt deletes widgets off the GUI thread and the process can crash. Automatic collection is
therefore switched off and a GUI-thread timer collects instead, at the same thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiThreadCollector(QObject):
    """Runs ``gc.collect`` for the generations past their thresholds, every ``interval_ms``."""

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return
