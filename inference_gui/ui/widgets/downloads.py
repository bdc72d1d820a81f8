"""Per-file download progress: one row per file the running job is fetching."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView, QWidget

from inference_gui.jobs import Progress
from inference_gui.ui.models.inference import DownloadsModel
from inference_gui.ui.widgets.tables import ProgressDelegate, table_view

PROGRESS_COLUMN = 1


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
        if self.model.update_from(progress):
            self.view.setVisible(True)

    def clear(self) -> None:
        self.model.set_rows([])
        self.view.setVisible(False)
