"""The Fetch dialog's file list: one row per file with its size and a live progress fraction."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from inference_gui.format import human_bytes
from inference_gui.hub import RemoteFile
from inference_gui.layout import dtype_of
from inference_gui.ui.models.roles import FRACTION_ROLE, SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invalid index: "no parent"
PROGRESS_COLUMN = 3
HEADERS = ("File", "Dtype", "Size", "Progress")


class FetchFilesModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.files: list[RemoteFile] = []
        self.done: dict[str, int] = {}

    def set_files(self, files: list[RemoteFile]) -> None:
        self.beginResetModel()
        self.files = list(files)
        self.done = {}
        self.endResetModel()

    def set_progress(self, path: str, done: int) -> None:
        self.done[path] = done
        for row, f in enumerate(self.files):
            if f.path == path:
                index = self.index(row, PROGRESS_COLUMN)
                self.dataChanged.emit(index, index)
                return

    def fraction(self, row: int) -> float:
        f = self.files[row]
        done = self.done.get(f.path, 0)
        return (
            1.0 if f.size <= 0 and f.path in self.done else (done / f.size if f.size > 0 else 0.0)
        )

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.files)

    def columnCount(self, parent: Index = ROOT) -> int:
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
        f = self.files[index.row()]
        column = index.column()
        if role == SORT_ROLE:
            return (f.path, dtype_of(f.path), float(f.size), self.fraction(index.row()))[column]
        if role == FRACTION_ROLE and column == PROGRESS_COLUMN:
            return self.fraction(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f.path
            if column == 1:
                return dtype_of(f.path)
            if column == 2:
                return human_bytes(f.size) if f.size >= 0 else "?"
            return f"{self.fraction(index.row()) * 100:.0f}%"
        return None
