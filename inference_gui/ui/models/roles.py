"""The item roles the app's models share, and the one proxy that sorts and filters every table.

Models put a raw, comparable value under ``SORT_ROLE`` (numbers as floats, the rest as lower-case
text) and, for progress columns, a 0..1 fraction under ``FRACTION_ROLE`` that
:class:`inference_gui.ui.widgets.tables.ProgressDelegate` draws.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FRACTION_ROLE = Qt.ItemDataRole.UserRole + 2  # 0..1 for progress-bar delegates, None if unknown
Index = QModelIndex | QPersistentModelIndex


class SortFilterProxy(QSortFilterProxyModel):
    """Sorts on ``SORT_ROLE``, comparing numbers numerically; filters on every column, any case."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if isinstance(a, float) != isinstance(b, float):
            return isinstance(a, float)  # numbers before text
        return a < b
