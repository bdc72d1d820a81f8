"""Per-file download progress: one row per file the running job is fetching."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView, QWidget

from inference_gui.jobs import Progress
from inference_gui.ui.models.inference import DownloadsModel
from inference_gui.ui.widgets.tables import ProgressDelegate, table_view

PROGRESS_COLUMN = 1
CACHED_PHASE = "cached"  # what the cache reports for a file it already holds


class DownloadList:
    """Owns the model and its view; ``view`` goes into layouts, ``update`` takes Progress events."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.model = DownloadsModel(parent)
        self.view: QTableView = table_view(self.model, "Files being downloaded", parent)
        self.view.setItemDelegateForColumn(PROGRESS_COLUMN, ProgressDelegate(self.view))
        self.view.setColumnWidth(PROGRESS_COLUMN, 160)
        self.view.setMinimumHeight(90)
        self.view.setMaximumHeight(120)
        self.view.setVisible(False)

    def update(self, progress: Progress) -> None:
        """Show a row per file really downloading; files served from the cache get none."""
        if progress.phase == CACHED_PHASE:
            return
        if self.model.update_from(progress):
            self.view.setVisible(True)

    def collapse(self) -> None:
        """Nothing is downloading any more: give the room back to the result (rows stay for
        whoever asks the model)."""
        self.view.setVisible(False)

    def clear(self) -> None:
        self.model.set_rows([])
        self.view.setVisible(False)
