"""The cache as a Qt tree: model -> revision -> file, with raw values for numeric sorting.

Built from :class:`inference_gui.cache.operations.CacheTree` (computed off the GUI thread); the
pane shows it through the shared :class:`SortFilterProxy` with recursive filtering, so a filter
that matches a file keeps its revision and model visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from inference_gui.cache.operations import CacheTree, FileInfo, ModelInfo, RevisionInfo
from inference_gui.format import human_bytes
from inference_gui.ui.models.roles import SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invalid index: "no parent"
NODE_ROLE = Qt.ItemDataRole.UserRole + 2
HEADERS = ("Name", "Size", "Dtype", "Last used", "Last updated", "Last used by", "Used by")
USED_BY_COLUMN = 6  # features whose records resolve to the file now (beside the usage history)
SIZE_COLUMN = 1
INCOMPLETE_COLOR = "#b35c00"  # a warning amber readable on light and dark rows


@dataclass(eq=False)
class Node:
    """One row: ``kind`` is model, revision or file; ``item`` the core value it shows."""

    kind: str
    item: ModelInfo | RevisionInfo | FileInfo
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    row: int = 0

    @property
    def name(self) -> str:
        item = self.item
        if isinstance(item, ModelInfo):
            return item.model
        if isinstance(item, RevisionInfo):
            return item.revision
        return item.path

    def key(self) -> tuple[str, ...]:
        """Identifies the row across refreshes (to keep it expanded or selected)."""
        own = (self.name,) if self.kind != "model" else (self.item.hub, self.name)  # type: ignore[union-attr]
        return (*self.parent.key(), *own) if self.parent else own

    def target(self) -> dict[str, str]:
        """What deleting this row means, as ``ModelCache.plan_delete`` keywords."""
        chain = []
        node: Node | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        chain.reverse()
        model = chain[0].item
        out = {"hub": model.hub, "model": model.model}  # type: ignore[union-attr]
        if len(chain) > 1:
            out["revision"] = chain[1].name
        if len(chain) > 2:
            out["path"] = chain[2].name
        return out


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M") if epoch else ""


class CacheTreeModel(QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.roots: list[Node] = []
        self.total_size = 0
        self.users: Mapping[tuple[str, str, str], tuple[str, ...]] = {}

    def set_tree(
        self, tree: CacheTree, users: Mapping[tuple[str, str, str], tuple[str, ...]] | None = None
    ) -> None:
        """Show ``tree``; ``users`` maps (model, revision, path) to the features using it now."""
        self.beginResetModel()
        self.users = users or {}
        self.total_size = tree.total_size
        self.roots = []
        for m_row, model in enumerate(tree.models):
            m_node = Node("model", model, row=m_row)
            for r_row, revision in enumerate(model.revisions):
                r_node = Node("revision", revision, m_node, row=r_row)
                r_node.children = [
                    Node("file", f, r_node, row=i) for i, f in enumerate(revision.files)
                ]
                m_node.children.append(r_node)
            self.roots.append(m_node)
        self.endResetModel()

    def node(self, index: Index) -> Node | None:
        return index.internalPointer() if index.isValid() else None  # type: ignore[return-value]

    def _siblings(self, parent: Node | None) -> list[Node]:
        return parent.children if parent is not None else self.roots

    # -- QAbstractItemModel ------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = ROOT) -> QModelIndex:
        siblings = self._siblings(self.node(parent))
        if not (0 <= row < len(siblings) and 0 <= column < len(HEADERS)):
            return QModelIndex()
        return self.createIndex(row, column, siblings[row])

    def parent(self, index: Index = ROOT) -> QModelIndex:  # type: ignore[override]
        node = self.node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = ROOT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._siblings(self.node(parent)))

    def columnCount(self, parent: Index = ROOT) -> int:
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        if role == NODE_ROLE:
            return node
        raw = self._raw(node, index.column())
        if role == SORT_ROLE:
            return float(raw) if isinstance(raw, (int, float)) else str(raw).lower()
        incomplete = isinstance(node.item, RevisionInfo) and node.item.incomplete
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if incomplete and column == 0:
                return f"{raw} — incomplete"
            if column == SIZE_COLUMN:
                return human_bytes(raw)
            if column in (3, 4):
                return _when(raw)
            return raw
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == SIZE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and incomplete and index.column() == 0:
            return QColor(INCOMPLETE_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole:
            item = node.item
            if isinstance(item, RevisionInfo) and item.incomplete:
                return item.incomplete_note().capitalize() + "."
            if isinstance(item, FileInfo):
                return f"{item.path}\n{item.size:,} bytes\nsha256 {item.sha256}"
            if isinstance(item, ModelInfo):
                return f"{item.model} from {item.hub}"
        return None

    def used_now(self, node: Node) -> str:
        target = node.target()
        return ", ".join(
            sorted(
                {
                    name
                    for (model, revision, path), names in self.users.items()
                    if model == target["model"]
                    and revision == target.get("revision", revision)
                    and path == target.get("path", path)
                    for name in names
                }
            )
        )

    def _raw(self, node: Node, column: int) -> Any:
        item = node.item
        if column == USED_BY_COLUMN:
            return self.used_now(node)
        if column == 0:
            return node.name
        if column == SIZE_COLUMN:
            return item.size
        if column == 2:
            if isinstance(item, FileInfo):
                return item.dtype
            files = (
                item.files
                if isinstance(item, RevisionInfo)
                else [f for r in item.revisions for f in r.files]
            )  # type: ignore[union-attr]
            return ", ".join(sorted({f.dtype for f in files if f.dtype}))
        if column == 3:
            return item.last_used
        if column == 4:
            return item.downloaded_at
        return ", ".join(item.used_by)
