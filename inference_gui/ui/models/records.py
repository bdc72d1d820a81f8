"""Table models for the Records pane: records of a collection, their problems, a resolution.

Each model exposes the raw value under ``SORT_ROLE`` so the shared :class:`SortFilterProxy` sorts
numbers as numbers (and dates by their timestamp) while the view shows formatted text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from inference_gui.format import human_bytes
from inference_gui.records import (
    ALLOW_DENY,
    INFERENCE_OPTIONS,
    ONNX_RUNTIME,
    Problem,
    RecordSet,
    Resolution,
)
from inference_gui.records.model import format_time
from inference_gui.records.resolve import OVERRIDE
from inference_gui.status import FeatureStatus
from inference_gui.ui.models.roles import SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
PROBLEM_BRUSH = QBrush(QColor("#b3261e"))
OVERRIDE_BRUSH = QBrush(QColor(255, 214, 102, 90))


def _field(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda record: record.get(name)


def _attachment(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda record: (
        (record.get("attachment") or {}).get(name)
        if isinstance(record.get("attachment"), dict)
        else None
    )


# (header, value getter, formatter) per collection; last_modified is shown as a date.
Column = tuple[str, Callable[[dict[str, Any]], Any], Callable[[Any], str] | None]
_MODIFIED: Column = ("last modified", _field("last_modified"), lambda v: format_time(v / 1000))
COLUMNS: dict[str, tuple[Column, ...]] = {
    INFERENCE_OPTIONS: tuple(
        (name, _field(name), None)
        for name in (
            "featureId",
            "taskName",
            "modelId",
            "modelRevision",
            "dtype",
            "backend",
            "processorId",
            "processorRevision",
            "tokenizerId",
            "tokenizerRevision",
        )
    )
    + (_MODIFIED,),
    ONNX_RUNTIME: (
        ("name", _field("name"), None),
        ("version", _field("version"), None),
        ("filename", _attachment("filename"), None),
        ("size", _attachment("size"), human_bytes),
        ("sha256", _attachment("hash"), None),
        _MODIFIED,
    ),
    ALLOW_DENY: (
        ("filter", _field("filter"), None),
        ("urlPrefix", _field("urlPrefix"), None),
        ("description", _field("description"), None),
        _MODIFIED,
    ),
}
_FALLBACK_COLUMNS: tuple[Column, ...] = (("id", _field("id"), None), _MODIFIED)


def _display(value: Any, formatter: Callable[[Any], str] | None) -> str:
    if value is None:
        return ""
    if formatter is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return formatter(value)
    return value if isinstance(value, str) else json.dumps(value)


def _sort_key(value: Any) -> Any:
    """Numbers stay numbers; anything else sorts as text (so bad values cannot break sorting)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return "" if value is None else _display(value, None).lower()


class RecordsModel(QAbstractTableModel):
    """A collection's records; inference options get a "cache" column from the feature statuses."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.record_set: RecordSet | None = None
        self._columns: tuple[Column, ...] = ()
        self._statuses: dict[str, FeatureStatus] = {}

    def set_records(self, record_set: RecordSet | None) -> None:
        self.beginResetModel()
        self.record_set = record_set
        self._columns = COLUMNS.get(record_set.collection, _FALLBACK_COLUMNS) if record_set else ()
        if record_set is not None and record_set.collection == INFERENCE_OPTIONS:
            self._columns = (*self._columns, ("cache", self._cache_state, None))
        self.endResetModel()

    def set_statuses(self, statuses: list[FeatureStatus]) -> None:
        self._statuses = {s.feature: s for s in statuses}
        if self.record_set is not None and self.rowCount():
            column = len(self._columns) - 1
            self.dataChanged.emit(self.index(0, column), self.index(self.rowCount() - 1, column))

    def _cache_state(self, record: dict[str, Any]) -> str | None:
        status = self._statuses.get(record.get("featureId"))  # type: ignore[arg-type]
        return status.summary() if status is not None else None

    def record(self, row: int) -> Any:
        return self.record_set.records[row] if self.record_set else None

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() or not self.record_set else len(self.record_set.records)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.record_set is None:
            return None
        record = self.record_set.records[index.row()]
        _, getter, formatter = self._columns[index.column()]
        value = (
            getter(record)
            if isinstance(record, dict)
            else (repr(record) if index.column() == 0 else None)
        )
        usable = self.record_set.is_usable(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(value, formatter)
        if role == SORT_ROLE:
            return _sort_key(value)
        if role == Qt.ItemDataRole.ForegroundRole and not usable:
            return PROBLEM_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole and not usable:
            problems = self.record_set.problems_of(index.row())
            return "Skipped:\n" + "\n".join(f"{p.field}: {p.message}" for p in problems)
        return None


class _RowsModel(QAbstractTableModel):
    """A fixed-column table over a list of tuples."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[Any, ...]] = []

    def _set_rows(self, rows: list[tuple[Any, ...]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _display(value, None)
        if role == SORT_ROLE:
            return _sort_key(value)
        return None


class ProblemsModel(_RowsModel):
    headers = ("record id", "field", "problem")

    def set_problems(self, problems: tuple[Problem, ...]) -> None:
        self._set_rows([(p.id, p.field, p.message) for p in problems])


class ResolutionModel(_RowsModel):
    """Effective options with their origin; locally overridden rows are highlighted and bold."""

    headers = ("option", "value", "from")

    def set_resolution(self, resolution: Resolution | None) -> None:
        self._set_rows(resolution.rows() if resolution else [])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and self.rows[index.row()][2] == OVERRIDE:
            if role == Qt.ItemDataRole.BackgroundRole:
                return OVERRIDE_BRUSH
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return super().data(index, role)
