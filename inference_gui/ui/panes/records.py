"""Records pane: what the platform's settings records say, where they came from, what is wrong.

All loading, syncing, resolving and override writes run on the worker; the pane only shows results.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inference_gui.jobs import JobContext, Progress
from inference_gui.records import COLLECTIONS, INFERENCE_OPTIONS, OVERRIDABLE, RecordSet, Resolution
from inference_gui.records.model import format_time
from inference_gui.status import CACHED, FeatureStatus, feature_statuses
from inference_gui.ui.context import UiContext
from inference_gui.ui.error_text import error_text
from inference_gui.ui.models.records import (
    ProblemsModel,
    RecordsModel,
    ResolutionModel,
)
from inference_gui.ui.models.roles import SortFilterProxy
from inference_gui.ui.panes.base import Pane, pane_header


def _table(model: Any, *, stretch_last: bool = True, sort_column: int = 0) -> QTableView:
    """A read-only, sortable table; ``sort_column`` -1 keeps the model's own order at first."""
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.sortByColumn(sort_column, Qt.SortOrder.AscendingOrder)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    view.setWordWrap(False)
    return view


def describe_status(status: FeatureStatus) -> str:
    """The Resolve tab's cache paragraph: the state, then each file that is not cached."""
    lines = [f"In the cache: {status.summary()}"]
    lines += [
        f"{f.state}: {f.model}@{f.revision} {f.path}" + (f" ({f.detail})" if f.detail else "")
        for f in status.files
        if f.state != CACHED and f.required
    ]
    return "\n".join(lines)


class ResolveView(QWidget):
    """Effective options for a feature, where each came from, and local overrides to edit."""

    def __init__(self, pane: RecordsPane) -> None:
        super().__init__()
        self.pane = pane
        self.feature = QComboBox(editable=True)
        self.feature.setAccessibleName("Feature id")
        self.feature.lineEdit().setPlaceholderText("feature id")
        self.task = QLineEdit(placeholderText="task to fall back to (optional)")
        self.model_id = QLineEdit(placeholderText="model id to narrow the match (optional)")
        self.resolve_button = QPushButton("Resolve")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("resolveStatus")
        self.cache_status = QLabel()
        self.cache_status.setWordWrap(True)
        self.cache_status.setObjectName("resolveCacheStatus")
        self.cache_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = ResolutionModel(self)
        self.proxy = SortFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = _table(self.proxy, sort_column=-1)
        self.override_key = QComboBox()
        self.override_key.addItems(OVERRIDABLE)
        self.override_key.setAccessibleName("Option to override")
        self.override_value = QLineEdit(placeholderText="e.g. v1.1.0 or fp16")
        self.set_button = QPushButton("Set override")
        self.revert_button = QPushButton("Revert")
        self.revert_all_button = QPushButton("Revert all")
        self.resolution: Resolution | None = None

        form = QFormLayout()
        form.addRow("Feature:", self.feature)
        form.addRow("Task:", self.task)
        form.addRow("Model:", self.model_id)
        form.addRow("", self.resolve_button)
        override = QHBoxLayout()
        override.addWidget(self.override_key)
        override.addWidget(self.override_value, 1)
        form.addRow("Override:", override)
        buttons = QHBoxLayout()
        for button in (self.set_button, self.revert_button, self.revert_all_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        controls = QWidget()
        controls.setLayout(form)
        controls.setMaximumWidth(400)
        results = QVBoxLayout()
        results.addWidget(self.status)
        results.addWidget(self.table, 1)
        results.addWidget(self.cache_status)
        layout = QHBoxLayout(self)
        layout.addWidget(controls)
        layout.addLayout(results, 1)
        for widget in (self.override_key, self.override_value, self.set_button):
            widget.setToolTip(
                "Local override, stored on this computer only; overridden options are "
                "highlighted and marked “override”. Revert restores the record's value."
            )

        self.resolve_button.clicked.connect(self.resolve)
        self.feature.lineEdit().returnPressed.connect(self.resolve)
        self.set_button.clicked.connect(self.set_override)
        self.override_value.returnPressed.connect(self.set_override)
        self.revert_button.clicked.connect(lambda: self.revert(self.override_key.currentText()))
        self.revert_all_button.clicked.connect(lambda: self.revert(None))
        self.table.selectionModel().currentRowChanged.connect(self._row_picked)

    def set_features(self, feature_ids: list[str]) -> None:
        current = self.feature.currentText()
        self.feature.clear()
        self.feature.addItems(feature_ids)
        self.feature.setCurrentText(current or (feature_ids[0] if feature_ids else ""))

    def show_record(self, record: dict[str, Any]) -> None:
        """Resolve what a selected record stands for.

        Its feature; without a featureId, its task, narrowed to its model (several records may
        serve one task).
        """
        feature = str(record.get("featureId") or "")
        task = "" if feature else str(record.get("taskName") or "")
        model = "" if feature else str(record.get("modelId") or "")
        shown = (self.feature.currentText(), self.task.text(), self.model_id.text())
        if (feature, task, model) == shown:
            return
        self.feature.setCurrentText(feature)
        self.task.setText(task)
        self.model_id.setText(model)
        self.resolve()  # else the Resolve tab shows the previous record's resolution

    def _row_picked(self, current: Any) -> None:
        key = self.proxy.index(current.row(), 0).data() if current.isValid() else None
        if key in OVERRIDABLE:
            self.override_key.setCurrentText(key)
            self.override_value.setText(self.proxy.index(current.row(), 1).data() or "")

    def resolve(self) -> None:
        feature = self.feature.currentText().strip()
        task = self.task.text().strip() or None
        model = self.model_id.text().strip() or None
        app = self.pane.ctx.app
        self.status.setText(f"Resolving {feature or task}…")
        self.cache_status.clear()

        def work(job: JobContext) -> tuple[Resolution, FeatureStatus | None]:
            resolution = app.records.resolve(feature or None, task_name=task, model_id=model)
            plain = feature and not (task or model)  # what createEngine({featureId}) would use
            return resolution, feature_statuses(app, [feature])[0] if plain else None

        self.pane.ctx.worker.submit(
            work,
            name=f"Resolve {feature or task}",
            on_done=lambda result: self._resolved(*result),
            on_error=self._failed,
        )

    def _resolved(self, resolution: Resolution, status: FeatureStatus | None = None) -> None:
        self.cache_status.setText(describe_status(status) if status is not None else "")
        self.resolution = resolution
        self.model.set_resolution(resolution)
        self.table.resizeColumnsToContents()
        how = {
            "featureId": "its feature record",
            "taskName": "a record for its task",
            "none": "the values given here (no record matched)",
        }[resolution.matched_by]
        overridden = (
            f"; {len(resolution.overridden)} local override(s)" if resolution.overridden else ""
        )
        self.status.setText(f"Resolved from {how}{overridden}.")

    def _failed(self, exc: BaseException) -> None:
        self.resolution = None
        self.model.set_resolution(None)
        self.status.setText(error_text(exc))

    def _write(self, work: Callable[[], Any], what: str) -> None:
        self.pane.ctx.worker.submit(
            lambda job: work(), name=what, on_done=lambda _: self.resolve(), on_error=self._failed
        )

    def set_override(self) -> None:
        feature, key, value = (
            self.feature.currentText().strip(),
            self.override_key.currentText(),
            self.override_value.text(),
        )
        overrides = self.pane.ctx.app.records.overrides
        self._write(lambda: overrides.set(feature, key, value), f"Override {key} of {feature}")

    def revert(self, key: str | None) -> None:
        feature = self.feature.currentText().strip()
        overrides = self.pane.ctx.app.records.overrides
        self._write(lambda: overrides.revert(feature, key), f"Revert overrides of {feature}")


class RecordsPane(Pane):
    pane_id = "records"
    title = "Records"
    icon = "records.svg"
    description = (
        "The Remote Settings records that drive the platform, and what each feature resolves to."
    )

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.record_set: RecordSet | None = None
        self._loaded_key: tuple[str, ...] | None = None
        self._source_text = ""

        self.collection = QComboBox()
        self.collection.addItems(COLLECTIONS)
        self.collection.setAccessibleName("Collection")
        self.filter = QLineEdit(placeholderText="Filter records…", clearButtonEnabled=True)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setToolTip("Fetch every collection from the settings server now")
        self.clear_backoff_button = QPushButton("Clear backoff")
        self.clear_backoff_button.setToolTip(
            "The server asked clients to wait before syncing again; forget that and let "
            "Sync now ask it (as 'records sync --clear-backoff')"
        )
        self.clear_backoff_button.setVisible(False)  # only while a Backoff is pending
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        self.source = QLabel("Loading…")
        self.source.setObjectName("recordsSource")
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = RecordsModel(self)
        self.proxy = SortFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = _table(self.proxy, stretch_last=False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.raw = QPlainTextEdit(readOnly=True)
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setPlaceholderText("Select a record to see its raw JSON, unknown fields included.")
        self.problems_model = ProblemsModel(self)
        self.problems_proxy = SortFilterProxy(self)
        self.problems_proxy.setSourceModel(self.problems_model)
        self.problems = _table(self.problems_proxy)
        self.resolve_view = ResolveView(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.raw, "Record JSON")
        self.tabs.addTab(self.problems, "Problems")
        self.tabs.addTab(self.resolve_view, "Resolve")

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Collection:"))
        bar.addWidget(self.collection)
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.progress)
        bar.addWidget(self.clear_backoff_button)
        bar.addWidget(self.sync_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([360, 240])
        layout = QVBoxLayout(self)
        layout.addWidget(pane_header(self.title, self.description))
        layout.addLayout(bar)
        layout.addWidget(self.source)
        layout.addWidget(split, 1)

        self.collection.currentTextChanged.connect(lambda _: self.load())
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.sync_button.clicked.connect(self.sync)
        self.clear_backoff_button.clicked.connect(self.clear_backoff)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        ctx.settings_changed.connect(self.load)
        self.load()

    def _key(self) -> tuple[str, ...]:
        s = self.ctx.settings
        return (self.collection.currentText(), s.settings_file, s.settings_server, str(s.offline))

    def activated(self) -> None:
        if self._loaded_key != self._key():
            self.load()

    def load(self) -> None:
        collection = self.collection.currentText()
        service = self.ctx.app.records
        self._loaded_key = self._key()
        self.source.setText(f"Loading {collection}…")
        self.ctx.worker.submit(
            lambda job: (service.load(collection), service.feature_ids()),
            name=f"Load {collection}",
            on_done=lambda result: self._show(*result),
            on_error=lambda exc: self.source.setText(error_text(exc)),
        )

    def sync(self) -> None:
        service = self.ctx.app.records
        self.sync_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.source.setText("Syncing from the settings server…")

        def work(job: JobContext) -> tuple[list[RecordSet], list[str]]:
            return service.sync(progress=job.report), service.feature_ids()

        self.ctx.worker.submit(
            work,
            name="Sync records",
            on_progress=self._progress,
            on_done=self._synced,
            on_error=self._sync_failed,
        )

    def _progress(self, progress: Progress) -> None:
        self.progress.setRange(0, int(progress.total))
        self.progress.setValue(int(progress.done))
        self.progress.setFormat(f"{progress.detail} %v/%m")

    def _sync_finished(self) -> None:
        self.sync_button.setEnabled(True)
        self.progress.setVisible(False)

    def _synced(self, result: tuple[list[RecordSet], list[str]]) -> None:
        self._sync_finished()
        results, features = result
        shown = next((r for r in results if r.collection == self.collection.currentText()), None)
        if shown is not None:
            self._show(shown, features)

    def _sync_failed(self, exc: BaseException) -> None:
        self._sync_finished()
        self.source.setText(f"{self._source_text}\nSync failed: {error_text(exc)}")
        self.check_backoff()

    def check_backoff(self) -> None:
        """Offer "Clear backoff" while the server's Backoff is pending (read off the GUI thread)."""
        service = self.ctx.app.records
        self.ctx.worker.submit(
            lambda _job: service.backoff_until() > time.time(),
            name="Read the server's backoff",
            on_done=self.clear_backoff_button.setVisible,
        )

    def clear_backoff(self) -> None:
        service = self.ctx.app.records

        def cleared(pending: bool) -> None:
            self.clear_backoff_button.setVisible(False)
            note = (
                "The server's backoff was cleared: Sync now asks it again."
                if pending
                else "No backoff was pending."
            )
            self.source.setText(f"{self._source_text}\n{note}")

        self.ctx.worker.submit(
            lambda _job: service.clear_backoff(),
            name="Clear the server's backoff",
            on_done=cleared,
            on_error=lambda exc: self.source.setText(error_text(exc)),
        )

    def _show(self, record_set: RecordSet, feature_ids: list[str]) -> None:
        if record_set.collection != self.collection.currentText():
            return  # the user switched collection while this was loading
        self.record_set = record_set
        self.model.set_records(record_set)
        self.problems_model.set_problems(record_set.problems)
        self.table.resizeColumnsToContents()
        self.problems.resizeColumnsToContents()
        self.raw.clear()
        count = len(record_set.problems)
        self.tabs.setTabText(1, f"Problems ({count})" if count else "Problems")
        stamp = format_time(record_set.timestamp / 1000) if record_set.timestamp else "none"
        problems = f", {count} problem(s) — those records are skipped" if count else ""
        self._source_text = (
            f"Source: {record_set.source.describe()}  ·  collection timestamp {stamp}  ·  "
            f"{len(record_set.records)} records{problems}  ·  {record_set.signature.describe()}"
        )
        self.source.setText(self._source_text)
        self.resolve_view.set_features(feature_ids)
        if self.proxy.rowCount():
            self.table.selectRow(0)
        if record_set.collection == INFERENCE_OPTIONS:
            self.load_statuses()
        self.check_backoff()

    def load_statuses(self) -> None:
        """The "cache" column: each feature's files in the cache (read after the records show)."""
        app = self.ctx.app
        self.ctx.worker.submit(
            lambda job: feature_statuses(app),
            name="Feature cache status",
            on_done=self.model.set_statuses,
            on_error=lambda exc: self.source.setText(
                f"{self._source_text}\nCache status: {error_text(exc)}"
            ),
        )

    def _selection_changed(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        if not rows or self.record_set is None:
            return
        row = self.proxy.mapToSource(rows[0]).row()
        record = self.model.record(row)
        text = json.dumps(record, indent=2, ensure_ascii=False)
        problems = self.record_set.problems_of(row)
        if problems:
            text = "\n".join(f"// problem: {p.field} {p.message}" for p in problems) + "\n" + text
        self.raw.setPlainText(text)
        if self.record_set.collection == INFERENCE_OPTIONS and isinstance(record, dict):
            self.resolve_view.show_record(record)
