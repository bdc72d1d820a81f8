"""Fetch dialog: pick a model, revision and dtypes, see the files and sizes, fetch with per-file
progress through the model cache."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inference_gui.format import count, human_bytes
from inference_gui.hub import RemoteFile
from inference_gui.jobs import Job, Progress
from inference_gui.layout import (
    describe_gaps,
    dtype_gaps,
    dtype_of,
    dtypes_present,
    select_dtypes,
)
from inference_gui.ui.context import UiContext
from inference_gui.ui.error_text import error_text
from inference_gui.ui.models.cache_fetch import PROGRESS_COLUMN, FetchFilesModel
from inference_gui.ui.widgets.tables import ProgressDelegate
from inference_gui.vocab import DTYPES


class FetchDialog(QDialog):
    """Pick a model, revision and dtypes; see the files and sizes; fetch with per-file progress."""

    def __init__(
        self, ctx: UiContext, model: str, revision: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Fetch a model")
        self.resize(720, 480)
        self.job: Job[list[Path]] | None = None
        self.all_files: list[RemoteFile] = []
        self.model_id = QLineEdit(model, placeholderText="org/name")
        self.revision = QLineEdit(revision)
        self.dtypes = {d: QCheckBox(d) for d in DTYPES}
        dtype_box = QGridLayout()
        for i, box in enumerate(self.dtypes.values()):
            box.toggled.connect(self._apply_dtypes)
            dtype_box.addWidget(box, i // 4, i % 4)
        form = QFormLayout()
        form.addRow("Model", self.model_id)
        form.addRow("Revision", self.revision)
        form.addRow("Dtypes (none = all files)", dtype_box)
        self.list_button = QPushButton("List files")
        self.list_button.clicked.connect(self.list_files)
        for edit in (self.model_id, self.revision):
            edit.textChanged.connect(self._forget_listing)
        self.files = FetchFilesModel(self)
        self.table = QTableView()
        self.table.setModel(self.files)
        self.table.setItemDelegateForColumn(PROGRESS_COLUMN, ProgressDelegate(self.table))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.fetch_button = self.buttons.addButton("Fetch", QDialogButtonBox.ButtonRole.AcceptRole)
        self.fetch_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.fetch_button.clicked.connect(self.fetch)
        self.cancel_button.clicked.connect(self.cancel_or_close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.list_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def list_files(self) -> None:
        model, revision = self.model_id.text().strip(), self.revision.text().strip()
        self.message.setText(f"Listing the files of {model} at {revision}…")
        self.ctx.worker.submit(
            lambda _job: self.ctx.app.hub.list_files(model, revision),
            name=f"List {model}",
            on_done=self._listed,
            on_error=self._failed,
        )

    def _forget_listing(self) -> None:
        """The listed files belong to the model and revision they were listed for; fetching them
        under another name would ask that model for files it may not have."""
        if self.job is None and self.all_files:
            self.all_files = []
            for box in self.dtypes.values():
                box.setEnabled(True)
                box.setToolTip("")
            self._apply_dtypes()
            self.message.setText("List the files of this model and revision.")

    def _listed(self, files: list[RemoteFile]) -> None:
        self.all_files = files
        present = dtypes_present(files)
        for dtype, box in self.dtypes.items():
            has = dtype in present or not files
            box.setEnabled(has)  # a dtype the revision lacks cannot be asked for
            box.setToolTip(
                "" if has else f"This revision lacks {describe_gaps(dtype_gaps(files, [dtype]))}."
            )
        self._apply_dtypes()

    def chosen_dtypes(self) -> list[str]:
        return [d for d, box in self.dtypes.items() if box.isChecked()]

    def _apply_dtypes(self) -> None:
        chosen = select_dtypes(self.all_files, self.chosen_dtypes())
        self.files.set_files(chosen)
        known = sum(f.size for f in chosen if f.size > 0)
        gaps = dtype_gaps(self.all_files, self.chosen_dtypes()) if self.all_files else {}
        if gaps:  # fetching would bring the config files and not all of the model asked for
            has = ", ".join(sorted(dtypes_present(self.all_files))) or "none"
            self.message.setText(
                f"This revision has no complete {', '.join(gaps)} ONNX files (missing "
                f"{describe_gaps(gaps)}; it has: {has}). Untick them to fetch the others."
            )
        else:
            self.message.setText(f"{len(chosen)} files, {human_bytes(known)}." if chosen else "")
        self.fetch_button.setEnabled(bool(chosen) and not gaps and self.job is None)

    def fetch(self) -> Job[list[Path]]:
        model, revision = self.model_id.text().strip(), self.revision.text().strip()
        files = list(self.files.files)
        self.fetch_button.setEnabled(False)
        self.cancel_button.setText("Cancel")

        def work(job: Any) -> list[Path]:
            app = self.ctx.app
            return app.cache.fetch_many(
                app.hub,
                model,
                revision,
                files,
                progress=job.report,
                cancel=job.cancel_event,
                offline=app.settings.offline,
            )

        self.job = self.ctx.worker.submit(
            work,
            name=f"Fetch {model} {revision}",
            on_progress=self._progress,
            on_done=self._fetched,
            on_error=self._failed,
        )
        return self.job

    def _progress(self, p: Progress) -> None:
        self.files.set_progress(
            p.extra.get("path", p.detail), int(p.extra.get("file_done", p.done))
        )
        self.message.setText(
            f"{p.detail}: total {human_bytes(p.done)} of {human_bytes(p.total)} "
            f"({human_bytes(p.extra.get('rate', 0))}/s)"
        )

    def _fetched(self, paths: list[Path]) -> None:
        self.job = None
        for f in self.files.files:
            self.files.set_progress(f.path, max(f.size, 0) or 1)
        self.cancel_button.setText("Close")
        self._report(None)

    def _failed(self, exc: BaseException) -> None:
        self.cancel_button.setText("Close")
        self.fetch_button.setEnabled(bool(self.files.files))
        if self.job is None:  # listing failed: nothing was fetched
            self.message.setText(error_text(exc))
            return
        self.job = None
        self._report(error_text(exc))

    def _report(self, error: str | None) -> None:
        """Say what the cache now holds of what was asked, read from its index off the GUI thread.

        A fetch that stopped part-way (or brought a revision without its model) is said plainly:
        fewer files or bytes than asked is never reported as success.
        """
        app = self.ctx.app
        model, revision = self.model_id.text().strip(), self.revision.text().strip()
        asked = list(self.files.files)
        self.ctx.worker.submit(
            lambda _job: {
                r.path: r.size
                for r in app.cache.store.select(hub=app.hub.key, model=model, revision=revision)
            },
            name=f"Check the fetch of {model}",
            on_done=lambda held: self.message.setText(fetch_outcome(asked, held, error)),
            on_error=lambda exc: self.message.setText(error or error_text(exc)),
        )

    def cancel_or_close(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.message.setText("Cancelling…")
        else:
            self.reject()


def fetch_outcome(asked: list[RemoteFile], held: Mapping[str, int], error: str | None) -> str:
    """The dialog's last line: what of ``asked`` the cache holds (``held``: path -> size).

    ``error`` is why the fetch stopped, if it did.
    """
    got = [f for f in asked if f.path in held]
    got_bytes = sum(held[f.path] for f in got)
    asked_bytes = sum(held[f.path] if f.path in held else max(f.size, 0) for f in asked)
    if len(got) == len(asked) and error is None:
        text = f"Fetched {count(len(got), 'file')}, {human_bytes(got_bytes)}."
        if asked and not any(dtype_of(f.path) for f in asked):
            text += " This revision has no ONNX model files: only its other files came."
        return text
    lacking = [f.path for f in asked if f.path not in held]
    shown = ", ".join(lacking[:3]) + (f" and {len(lacking) - 3} more" if len(lacking) > 3 else "")
    return (
        f"Fetched only {len(got)} of {count(len(asked), 'file')} "
        f"({human_bytes(got_bytes)} of {human_bytes(asked_bytes)}); not fetched: {shown}."
        + (f" {error}" if error else "")
    )
