"""Table views over the pane models, sorted through the shared proxy (numbers sort as numbers)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from inference_gui.ui.models.roles import FRACTION_ROLE, SortFilterProxy


def table_view(model: QAbstractItemModel, name: str, parent: QWidget | None = None) -> QTableView:
    """A read-only, sortable, row-selecting view of ``model`` (through the
    :class:`SortFilterProxy`)."""
    view = QTableView(parent)
    proxy = SortFilterProxy(view)
    proxy.setSourceModel(model)
    view.setModel(proxy)
    view.setAccessibleName(name)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # rows keep the model's order until a click
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


class ProgressDelegate(QStyledItemDelegate):
    """The one progress bar of the app's tables, drawn from ``FRACTION_ROLE`` (an empty bar
    when the size is unknown)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        fraction = index.data(FRACTION_ROLE)
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(2, 3, -2, -3))
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = int((fraction or 0) * 1000)
        bar.text = index.data() or "…"
        bar.textVisible = True
        QApplication.style().drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)
