"""The Benchmark tab: predefined workloads, iterations, the results table, copy as JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine.workloads import FORM_WORKLOAD, BenchmarkRow, Workload, workloads
from inference_gui.ui.models.inference import BenchmarkModel
from inference_gui.ui.widgets.tables import table_view


class BenchmarkPanel(QWidget):
    """Emits ``benchmark_requested`` (the pane runs the job) and ``message`` (its status line)."""

    benchmark_requested = Signal()
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workloads = QListWidget()
        self.workloads.setAccessibleName("Benchmark workloads")
        self.form_item = QListWidgetItem("The form's model and input")
        self.form_item.setToolTip(
            "Benchmark what the form names (feature, model or folder, dtype, options) on the "
            "input you typed, beside the built-in workloads"
        )
        self.form_item.setCheckState(Qt.CheckState.Unchecked)
        self.workloads.addItem(self.form_item)
        for workload in workloads():
            item = QListWidgetItem(workload.title)
            item.setData(Qt.ItemDataRole.UserRole, workload)
            item.setCheckState(Qt.CheckState.Checked)
            self.workloads.addItem(item)
        self.iterations = QSpinBox(minimum=1, maximum=100, value=3, prefix="× ")
        self.button = QPushButton("Run benchmark")
        self.button.clicked.connect(self.benchmark_requested)
        copy = QPushButton("Copy as JSON")
        copy.clicked.connect(self.copy_json)
        self.model = BenchmarkModel(self)
        # the workloads and buttons in a band above the table, so the table has the tab's width
        # (its figures are what people read; beside the list it showed two columns at 1024x640)
        rows = self.workloads.count()
        frame = 2 * self.workloads.frameWidth()
        self.workloads.setFixedHeight(self.workloads.sizeHintForRow(0) * rows + frame)
        buttons = QVBoxLayout()
        buttons.addWidget(self.iterations)
        buttons.addWidget(self.button)
        buttons.addWidget(copy)
        buttons.addStretch(1)
        band = QHBoxLayout()
        band.addWidget(self.workloads, 1)
        band.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(band)
        layout.addWidget(table_view(self.model, "Benchmark results"), 1)

    def select_only(self, names: Sequence[str]) -> None:
        """Check the named workloads (``form``: the form's model) and no other."""
        for i in range(self.workloads.count()):
            item = self.workloads.item(i)
            workload = item.data(Qt.ItemDataRole.UserRole)
            keep = (workload.name if workload else FORM_WORKLOAD) in names
            item.setCheckState(Qt.CheckState.Checked if keep else Qt.CheckState.Unchecked)

    def selected(self) -> list[Workload]:
        """The checked built-in workloads (the form's model is asked for by ``form_checked``)."""
        items = (self.workloads.item(i) for i in range(self.workloads.count()))
        return [
            i.data(Qt.ItemDataRole.UserRole)
            for i in items
            if i is not self.form_item and i.checkState() == Qt.CheckState.Checked
        ]

    def form_checked(self) -> bool:
        return self.form_item.checkState() == Qt.CheckState.Checked

    def set_rows(self, rows: Sequence[BenchmarkRow]) -> None:
        self.model.set_rows(rows)

    def copy_json(self) -> None:
        rows = [dataclasses.asdict(r) for r in self.model.rows()]
        QGuiApplication.clipboard().setText(json.dumps(rows, indent=2))
        self.message.emit(f"Copied {len(rows)} benchmark rows as JSON.")
