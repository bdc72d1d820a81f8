"""The Compare tab: which dtypes to compare, the results table, the chart, and exporting them.

The table belongs to one subject (model or folder, revision, task) and one input, named in its
title; when the form names another subject the table is cleared rather than shown beside the new
model's dtypes. Exports carry that context (and the app, onnxruntime and CPU) with the numbers.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine.compare import CompareRow, DtypeChoice, rows_to_csv, rows_to_json
from inference_gui.ui.models.inference import CompareModel
from inference_gui.ui.widgets.compare_chart import CompareChart
from inference_gui.ui.widgets.dtype_picker import choice_text
from inference_gui.ui.widgets.tables import table_view

DEFAULT_RUNS = 5  # timed runs after the warm-up: enough for median and p90 to differ
FIREFOX_TIP = (
    "Adds a row: the same input in a headless Firefox (a fresh profile, served from our cache), "
    "at fp32 when it is compared, with Firefox's engine creation, run times and agreement "
    "with ours."
)


class ComparePanel(QWidget):
    """Emits ``compare_requested`` (the pane runs the job) and ``message`` (for its status line)."""

    compare_requested = Signal()
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dtypes = QListWidget()
        self.dtypes.setAccessibleName("Dtypes to compare")
        self.dtypes.setMaximumWidth(170)
        self.runs = QSpinBox(minimum=1, maximum=1000, value=DEFAULT_RUNS)
        self.runs.setAccessibleName("Timed runs per dtype")
        self.runs.setToolTip("Timed runs per dtype, after one warm-up run")
        self.firefox = QCheckBox("Also run in Firefox")
        self.firefox.setEnabled(False)
        self.firefox.setToolTip("Looking for a Firefox install…")
        self.title = QLabel("No comparison yet.")
        self.title.setObjectName("compareTitle")
        self.title.setWordWrap(True)
        self.subject = ""
        self.context: dict[str, Any] = {}
        self.button = QPushButton("Compare")
        self.button.clicked.connect(self.compare_requested)
        self.model = CompareModel(self)
        self.table = table_view(self.model, "Comparison of dtypes")
        self.chart = CompareChart()
        side = QVBoxLayout()
        side.addWidget(QLabel("Dtypes (fp32 is the reference)"))
        side.addWidget(self.dtypes, 1)
        runs = QHBoxLayout()
        runs.addWidget(QLabel("Runs"))
        runs.addWidget(self.runs, 1)
        side.addLayout(runs)
        side.addWidget(self.firefox)
        side.addWidget(self.button)
        for kind in ("json", "csv"):
            export = QPushButton(f"Export {kind.upper()}…")
            export.clicked.connect(lambda _=False, k=kind: self._ask_export(k))
            side.addWidget(export)
        # Table above the chart: side by side they needed more than the default window's width.
        results = QSplitter(Qt.Orientation.Vertical)
        results.addWidget(self.table)
        chart_area = QScrollArea()  # many dtypes scroll the chart, never widen the pane
        chart_area.setWidgetResizable(True)
        chart_area.setWidget(self.chart)
        results.addWidget(chart_area)
        results.setStretchFactor(0, 3)
        results.setStretchFactor(1, 2)
        main = QVBoxLayout()
        main.addWidget(self.title)
        main.addWidget(results, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(side)
        layout.addLayout(main, 1)

    def set_choices(self, choices: Sequence[DtypeChoice]) -> None:
        """Checkable dtypes; every available one checked, missing ones disabled with why."""
        self.dtypes.clear()
        for choice in choices:
            item = QListWidgetItem(choice_text(choice))
            item.setData(Qt.ItemDataRole.UserRole, choice)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            if not choice.available:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(choice.reason)
            checked = Qt.CheckState.Checked if choice.available else Qt.CheckState.Unchecked
            item.setCheckState(checked)
            self.dtypes.addItem(item)

    def check_all(self) -> None:
        for i in range(self.dtypes.count()):
            item = self.dtypes.item(i)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(Qt.CheckState.Checked)

    def checked(self) -> list[DtypeChoice]:
        items = (self.dtypes.item(i) for i in range(self.dtypes.count()))
        return [
            i.data(Qt.ItemDataRole.UserRole)
            for i in items
            if i.checkState() == Qt.CheckState.Checked
        ]

    def set_firefox(self, unavailable: str) -> None:
        """Offer the Firefox row when a Firefox can run here; otherwise say why, in the tooltip."""
        self.firefox.setEnabled(not unavailable)
        if unavailable:
            self.firefox.setChecked(False)
        self.firefox.setToolTip(unavailable or FIREFOX_TIP)

    def set_subject(self, subject: str) -> None:
        """The form now names ``subject``: a table of another subject is cleared, not kept."""
        if subject == self.subject:
            return
        self.subject = subject
        if self.model.rows():
            self.set_rows([], {})
            self.title.setText(f"The model changed to {subject}: compare again to fill the table.")

    def set_rows(self, rows: Sequence[CompareRow], context: Mapping[str, Any]) -> None:
        """Show ``rows``, titled with what was compared on which input."""
        self.model.set_rows(rows)
        self.chart.set_rows(rows)
        self.context = dict(context)
        if rows:
            model, revision, task, shown = (
                html.escape(str(self.context.get(k, "")))
                for k in ("model", "revision", "task", "input")
            )
            self.title.setText(f"<b>{model}</b> @ {revision} · {task} · input: {shown}")

    def status(self) -> str:
        """How the comparison went, failures counted: "3 compared, 1 failed"."""
        rows = self.model.rows()
        failed = sum(1 for r in rows if r.error)
        text = f"Dtypes: {len(rows) - failed} compared"
        return f"{text}, {failed} failed." if failed else f"{text}."

    def _ask_export(self, kind: str) -> None:
        if not self.model.rows():
            self.message.emit("Nothing to export yet: run a comparison first.")
            return
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export the comparison",
            f"comparison.{kind}",
            "CSV (*.csv)" if kind == "csv" else "JSON (*.json)",
        )
        if name:
            self.export(Path(name))

    def export(self, path: Path) -> None:
        """Write the table as CSV or JSON (by the file's suffix); ``message`` tells the outcome."""
        rows = self.model.rows()
        csv = path.suffix.lower() == ".csv"
        text = rows_to_csv(rows, self.context) if csv else rows_to_json(rows, self.context)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.message.emit(
                f"Could not write {path}: {exc.strerror}. — Choose a folder you can write to."
            )
            return
        self.message.emit(f"Exported the comparison to {path}.")
