"""Import dialog for the user's Hugging Face cache: the usable model revisions it holds, and
importing the chosen one in one click."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inference_gui.cache.importing import HfCachedRevision, import_hf_revision, scan_hf_cache
from inference_gui.format import count
from inference_gui.jobs import Job
from inference_gui.ui.context import UiContext
from inference_gui.ui.error_text import error_text
from inference_gui.ui.models.cache_hf import HfRevisionsModel
from inference_gui.ui.models.roles import SortFilterProxy


class HfImportDialog(QDialog):
    """Models already in the user's Hugging Face cache; import the chosen one in one click."""

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, hf_cache: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Import from the Hugging Face cache")
        self.resize(640, 400)
        self.revisions = HfRevisionsModel(self)
        self.proxy = SortFilterProxy(self)
        self.proxy.setSourceModel(self.revisions)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.message = QLabel("Looking for models in the Hugging Face cache…")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.reject)
        self.import_button.clicked.connect(self.import_selected)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.import_button.setEnabled(self.selected() is not None)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        ctx.worker.submit(
            lambda _job: scan_hf_cache(hf_cache),
            name="Scan the Hugging Face cache",
            on_done=self._found,
            on_error=lambda exc: self.message.setText(error_text(exc)),
        )

    def _found(self, revisions: list[HfCachedRevision]) -> None:
        self.revisions.set_rows(revisions)
        self.message.setText(
            f"{count(len(revisions), 'model revision')} found."
            if revisions
            else "No usable models were found in the Hugging Face cache."
        )

    def selected(self) -> HfCachedRevision | None:
        rows = self.table.selectionModel().selectedRows()
        return self.revisions.rows()[self.proxy.mapToSource(rows[0]).row()] if rows else None

    def import_selected(self) -> Job[list[Path]] | None:
        chosen = self.selected()
        if chosen is None:
            return None
        self.import_button.setEnabled(False)
        self.message.setText(f"Importing {chosen.model} at {chosen.revision}…")
        return self.ctx.worker.submit(
            lambda job: import_hf_revision(
                self.ctx.app.cache, chosen, progress=job.report, cancel=job.cancel_event
            ),
            name=f"Import {chosen.model}",
            on_done=lambda paths: self.message.setText(
                f"Imported {len(paths)} files of {chosen.model} at {chosen.revision}."
            ),
            on_error=lambda exc: self.message.setText(error_text(exc)),
        )
