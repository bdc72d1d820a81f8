"""Model revisions found in the user's Hugging Face cache, as a table to pick imports from."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from inference_gui.cache.importing import HfCachedRevision
from inference_gui.format import human_bytes
from inference_gui.ui.models.records import SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Model", "Revision", "Files", "Size")


class HfRevisionsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.revisions: list[HfCachedRevision] = []

    def set_revisions(self, revisions: list[HfCachedRevision]) -> None:
        self.beginResetModel()
        self.revisions = list(revisions)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.revisions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rev = self.revisions[index.row()]
        raw = (rev.model, rev.revision, len(rev.files), rev.size)[index.column()]
        if role == SORT_ROLE:
            return float(raw) if isinstance(raw, int) else raw.lower()
        if role == Qt.ItemDataRole.DisplayRole:
            return human_bytes(raw) if index.column() == 3 else str(raw)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"commit {rev.commit}"
        return None
