"""Cache pane: what is cached (model -> revision -> file), who uses it, and keeping it tidy.

Everything here goes through :class:`inference_gui.cache.ModelCache` on worker threads; the tree
refreshes when the index changes, whether this window or another instance changed it.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inference_gui.cache.model_cache import ModelCache
from inference_gui.cache.operations import DeletePlan, FileInfo
from inference_gui.cache.partials import Leftover
from inference_gui.cache.store import ChangeWatch, DamagedIndex, set_aside
from inference_gui.cache.verify import VerifyReport
from inference_gui.errors import AppError, Cancelled
from inference_gui.format import count, human_bytes
from inference_gui.jobs import Job, Progress
from inference_gui.status import CacheUse, cache_use, feature_delete_plan, referenced_revisions
from inference_gui.ui.context import UiContext
from inference_gui.ui.dialogs.fetch import FetchDialog
from inference_gui.ui.dialogs.hf_import import HfImportDialog
from inference_gui.ui.error_text import error_text
from inference_gui.ui.models.cache_tree import NODE_ROLE, ROOT, SIZE_COLUMN, CacheTreeModel, Node
from inference_gui.ui.models.roles import SortFilterProxy
from inference_gui.ui.panes.base import Pane, pane_header

POLL_MS = 1000
EMPTY_CACHE = "The cache is empty. Fetch a model or import a folder."
EXPAND_FILES = 40  # up to this many files, the first view shows every file


class CachePane(Pane):
    pane_id = "cache"
    title = "Cache"
    icon = "cache.svg"
    description = (
        "Model files downloaded from the hub: what is cached, who uses it, and how big it is."
    )

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = CacheTreeModel(self)
        self.proxy = SortFilterProxy(self)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setAutoAcceptChildRows(True)  # a matching model or revision shows its files
        self.proxy.setSourceModel(self.model)
        self._watch: ChangeWatch | None = None
        self._watch_path: Path | None = None
        self._loading = False
        self._pending = False

        self.filter = QLineEdit(placeholderText="Filter by model, revision, file, dtype or user…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.fetch_button = QPushButton("Fetch…")
        self.import_button = QPushButton("Import folder…")
        self.hf_button = QPushButton("From Hugging Face cache…")
        self.hf_button.setToolTip(
            "Import models already in your Hugging Face cache, without downloading"
        )
        self.verify_button = QPushButton("Verify")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setEnabled(False)
        self.rebuild_button = QPushButton("Rebuild index")
        self.rebuild_button.setToolTip(
            "Set the damaged index aside and rebuild it from the files in the cache"
        )
        self.rebuild_button.hide()  # shown only when the index is found damaged
        self.rebuild_button.clicked.connect(self.rebuild_index)
        self._read_only = ""
        self.fetch_button.clicked.connect(self.open_fetch)
        self.import_button.clicked.connect(self.import_folder)
        self.hf_button.clicked.connect(self.open_hf_import)
        self.verify_button.clicked.connect(lambda: self.verify(repair=False))
        self.delete_button.clicked.connect(self.delete_selected)

        tools = QHBoxLayout()
        tools.addWidget(self.filter, 1)
        for button in (
            self.fetch_button,
            self.import_button,
            self.hf_button,
            self.verify_button,
            self.delete_button,
            self.rebuild_button,
        ):
            tools.addWidget(button)

        self.view = QTreeView()
        self.view.setObjectName("cacheTree")
        self.view.setAccessibleName("Cached models, revisions and files")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 360)
        for column, width in ((SIZE_COLUMN, 90), (2, 110), (3, 130), (4, 130)):
            header.resizeSection(column, width)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_selected)

        self.total = QLabel()
        self.total.setObjectName("cacheTotal")
        self.status = QLabel()
        self.import_refusal: QMessageBox | None = None  # the last "not a model folder" answer
        self.status.setObjectName("cacheStatus")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(pane_header(self.title, self.description))
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.total)
        footer.addStretch(1)
        footer.addWidget(self.status)
        layout.addLayout(footer)

        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        ctx.settings_changed.connect(self.refresh)
        self.refresh(later=True)

    # -- loading -------------------------------------------------------------------------------
    def refresh(self, *, later: bool = False) -> None:
        """Reload the tree off the GUI thread; rows stay expanded and selected across reloads.

        ``later``: the job starts once the event loop runs. The window opens so: the listing's
        feature statuses import the model stack on the job's thread, which held the interpreter
        lock for ~150 ms of the window's construction when the job started with the pane.
        """
        if self._loading:
            self._pending = True  # load again when this one ends: it may predate the change
            return
        self._loading, self._pending = True, False
        try:
            self._ensure_watch()  # before reading, so no change slips between read and watch
        except (AppError, sqlite3.Error) as exc:  # damaged, unreadable or uncreatable cache
            self._load_failed(exc)
            return
        app = self.ctx.app

        def start() -> None:
            self.ctx.worker.submit(
                lambda _job: cache_use(app),
                name="Read the model cache",
                on_done=self._show_tree,
                on_error=self._load_failed,
            )

        if later:
            QTimer.singleShot(0, start)
        else:
            start()

    def _show_tree(self, use: CacheUse) -> None:
        self._loading = False
        if self._pending:
            self.refresh()
        expanded = self._expanded_keys()
        selected = self.selected_node()
        selected_key = selected.key() if selected else None
        tree = use.tree
        self.model.set_tree(tree, use.users)
        self._restore(expanded, selected_key)
        self.rebuild_button.hide()
        self._show_read_only(self.ctx.app.cache.read_only)
        self._show_totals()
        if self._read_only:
            pass  # the read-only notice stays
        elif not tree.models:
            self.status.setText(EMPTY_CACHE)
        elif self.status.text() == EMPTY_CACHE:  # no longer true once something arrived
            self.status.clear()

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = self._pending = False
        self.total.setText("The cache cannot be read.")
        self.status.setText(error_text(exc))
        self.rebuild_button.setVisible(isinstance(exc, DamagedIndex))

    def rebuild_index(self) -> Job[VerifyReport]:
        """Set the damaged index aside and rebuild it from the cached files (verify --repair)."""
        self.rebuild_button.setEnabled(False)
        self.status.setText("Rebuilding the cache index from the cached files…")

        def rebuild(job: Any) -> VerifyReport:
            set_aside(self.ctx.app.settings.cache_dir / "index.sqlite")
            return self.ctx.app.cache.verify(repair=True, cancel=job.cancel_event)

        def done(report: VerifyReport) -> None:
            self.rebuild_button.setEnabled(True)
            self.rebuild_button.hide()
            self.status.setText(f"Index rebuilt: {report.checked_files} files found.")
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.rebuild_button.setEnabled(True)
            self._load_failed(exc)

        return self.ctx.worker.submit(
            rebuild, name="Rebuild the cache index", on_done=done, on_error=failed
        )

    def _show_read_only(self, reason: str) -> None:
        """Disable every action that writes, and say why; browsing stays available."""
        self._read_only = reason
        for button in (self.fetch_button, self.import_button, self.hf_button, self.delete_button):
            button.setEnabled(not reason)
            button.setToolTip(f"The cache is read-only: {reason}." if reason else "")
        if reason:
            self.status.setText(f"Read-only: {reason}. Browsing only.")

    def _ensure_watch(self) -> None:
        path = self.ctx.app.cache.store.path
        if self._watch_path != path:
            if self._watch is not None:
                self._watch.close()
            self._watch, self._watch_path = ChangeWatch(path), path

    def _poll(self) -> None:
        if self._watch is not None and self._watch.changed():
            self.refresh()

    def _expanded_keys(self) -> set[tuple[str, ...]]:
        keys = set()
        for index in self._all_indexes():
            if self.view.isExpanded(index):
                keys.add(index.data(NODE_ROLE).key())
        return keys

    def _all_indexes(self, parent: QModelIndex = ROOT) -> list[QModelIndex]:
        found = []
        for row in range(self.proxy.rowCount(parent)):
            index = self.proxy.index(row, 0, parent)
            found.append(index)
            found.extend(self._all_indexes(index))
        return found

    def _restore(self, expanded: set[tuple[str, ...]], selected: tuple[str, ...] | None) -> None:
        """Re-expand what was open; the first time, open models (and revisions when few files)."""
        small = (
            sum(1 for i in self._all_indexes() if i.data(NODE_ROLE).kind == "file") <= EXPAND_FILES
        )
        for index in self._all_indexes():
            node = index.data(NODE_ROLE)
            key = node.key()
            default = node.kind == "model" or (small and node.kind == "revision")
            if key in expanded or (not expanded and default):
                self.view.setExpanded(index, True)
            if key == selected:
                self.view.setCurrentIndex(index)

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text:
            self.view.expandAll()
        self._show_totals()

    def _show_totals(self) -> None:
        """The footer: the whole cache, and while a filter narrows the tree, what it shows.

        Both count bytes as the disk holds them: content shared by several entries once.
        """
        tree_models = self.model.roots
        limit = self.ctx.app.cache.limit_bytes
        files = [n.item for m in tree_models for r in m.children for n in r.children]
        whole = (
            f"Total on disk: {human_bytes(self.model.total_size)} of {human_bytes(limit)} "
            f"— {count(len(tree_models), 'model')}, {count(len(files), 'file')}"
        )
        if not self.filter.text():
            self.total.setText(whole)
            return
        shown = [i.data(NODE_ROLE).item for i in self._all_indexes()]
        shown_files = [f for f in shown if isinstance(f, FileInfo)]
        on_disk = sum({f.sha256: f.size for f in shown_files}.values())
        self.total.setText(
            f"Filter shows {count(len(shown_files), 'file')} of {len(files)}, "
            f"{human_bytes(on_disk)} on disk. {whole}"
        )

    def activated(self) -> None:
        self.refresh()

    # -- selection and deletion ----------------------------------------------------------------
    def selected_node(self) -> Node | None:
        indexes = self.view.selectionModel().selectedRows()
        return indexes[0].data(NODE_ROLE) if indexes else None

    def _selection_changed(self, *_: Any) -> None:
        node = self.selected_node()
        self.delete_button.setEnabled(node is not None and not self._read_only)
        if node is not None:
            self.delete_button.setText(f"Delete {node.kind}…")

    def delete_selected(self) -> None:
        node = self.selected_node()
        if node is None:
            return
        target = node.target()
        self.plan_and_confirm(lambda cache: cache.plan_delete(**target))

    def plan_and_confirm(self, make_plan: Callable[[ModelCache], DeletePlan]) -> None:
        """Plan a deletion off the GUI thread, then ask (saying the bytes freed) before running."""
        cache = self.ctx.app.cache
        self.ctx.worker.submit(
            lambda _job: make_plan(cache),
            name="Plan a cache deletion",
            on_done=self.confirm_delete,
            on_error=self._failed,
        )

    def evict_unreferenced(self) -> None:
        """Every revision no feature resolves to now (as ``cache evict --unused-days 0``)."""
        app = self.ctx.app
        self.plan_and_confirm(lambda cache: cache.plan_evict(0, referenced_revisions(app)))

    def delete_feature(self, feature: str) -> None:
        """Everything ``feature`` resolves to now or was fetched for (as ``cache rm --feature``)."""
        app = self.ctx.app
        self.plan_and_confirm(lambda _cache: feature_delete_plan(app, feature))

    def _context_menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        menu = self.context_menu(index.data(NODE_ROLE) if index.isValid() else None)
        menu.exec(self.view.viewport().mapToGlobal(point))

    def context_menu(self, node: Node | None) -> QMenu:
        """Delete the row, everything a feature using it was fetched for, or unused revisions."""
        menu = QMenu(self)
        if node is not None:
            menu.addAction(f"Delete {node.kind}…", self.delete_selected)
            for feature in filter(None, self.model.used_now(node).split(", ")):
                menu.addAction(
                    f"Delete everything used by {feature}…",
                    functools.partial(self.delete_feature, feature),
                )
            menu.addSeparator()
        menu.addAction("Delete revisions no record uses…", self.evict_unreferenced)
        menu.addAction("Delete incomplete downloads…", self.evict_incomplete)
        return menu

    def evict_incomplete(self) -> None:
        """Partial downloads nobody resumes (``cache evict --incomplete``): listed, then asked."""
        self.ctx.worker.submit(
            lambda _job: self.ctx.app.cache.evict_incomplete(dry_run=True),
            name="Look for incomplete downloads",
            on_done=self.confirm_evict_incomplete,
            on_error=self._failed,
        )

    def confirm_evict_incomplete(self, found: list[Leftover]) -> None:
        if not found:
            self.status.setText("No incomplete downloads to delete.")
            return
        freed = sum(f.size for f in found)
        if not self._ask(
            "Delete incomplete downloads",
            f"Delete {count(len(found), 'incomplete download')}? A later fetch would have "
            f"resumed them.\n\nThis frees {human_bytes(freed)}.",
        ):
            return

        def done(removed: list[Leftover]) -> None:
            self.status.setText(
                f"Deleted {count(len(removed), 'incomplete download')}, freeing "
                f"{human_bytes(sum(f.size for f in removed))}."
            )
            self.refresh()

        self.ctx.worker.submit(
            lambda _job: self.ctx.app.cache.evict_incomplete(dry_run=False),
            name="Delete incomplete downloads",
            on_done=done,
            on_error=self._failed,
        )

    def _ask(self, title: str, text: str) -> bool:
        """Yes / Cancel before deleting anything, Cancel the default."""
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def confirm_delete(self, plan: DeletePlan) -> None:
        if plan.empty:
            self.status.setText(f"Nothing to delete for {plan.description}.")
            return
        why = plan.why_nothing_freed()
        note = f" ({why})" if why else ""
        if not self._ask(
            "Delete from the cache",
            f"Delete {plan.description} — {len(plan.remove)} files?\n\n"
            f"This frees {human_bytes(plan.freed_bytes)}{note}.",
        ):
            return
        self.ctx.worker.submit(
            lambda _job: self.ctx.app.cache.delete(plan),
            name="Delete from the cache",
            on_done=self._deleted,
            on_error=self._failed,
        )

    def _deleted(self, done: DeletePlan) -> None:
        self.status.setText(
            f"Deleted {len(done.remove)} files, freeing {human_bytes(done.freed_bytes)}."
        )
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        text = error_text(exc)
        self.status.setText(text)
        if not isinstance(exc, Cancelled):
            QMessageBox.warning(self, "Cache", text)

    # -- verify --------------------------------------------------------------------------------
    def verify(self, *, repair: bool) -> None:
        self.verify_button.setEnabled(False)
        self.status.setText("Repairing the cache…" if repair else "Verifying every cached file…")

        def progress(p: Progress) -> None:
            self.status.setText(f"Verifying: {human_bytes(p.done)} of {human_bytes(p.total)}")

        self.ctx.worker.submit(
            lambda job: self.ctx.app.cache.verify(
                repair=repair, cancel=job.cancel_event, progress=job.report
            ),
            name="Verify the model cache",
            on_progress=progress,
            on_done=self.show_report,
            on_error=self._verify_failed,
        )

    def _verify_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self._failed(exc)

    def show_report(self, report: VerifyReport) -> None:
        self.verify_button.setEnabled(True)
        summary = (
            f"Checked {report.checked_files} files ({human_bytes(report.checked_bytes)}): "
            + (
                "all intact."
                if report.ok
                else f"{len(report.findings)} problems"
                + (" repaired." if report.repaired else " found.")
            )
        )
        self.status.setText(summary)
        if report.ok:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Cache verification", summary, parent=self)
        box.setDetailedText(
            "\n".join(f"{f.kind}: {f.location} — {f.detail}; {f.outcome}" for f in report.findings)
        )
        if not report.repaired:
            box.setInformativeText(
                "Nothing has changed yet. Repair recovers what it can (re-indexes, restores "
                "and re-links intact files) and removes only what cannot be trusted, which "
                "is downloaded again when needed; the details say what it would do."
            )
            repair = box.addButton("Repair", QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.exec()
            if box.clickedButton() is repair:
                self.verify(repair=True)
        else:
            box.exec()
        self.refresh()

    # -- import and fetch ----------------------------------------------------------------------
    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a model folder")
        if not folder:
            return
        model, ok = QInputDialog.getText(
            self, "Import folder", "Model id (org/name):", text=f"local/{Path(folder).name}"
        )
        if not ok:
            return
        revision, ok = QInputDialog.getText(self, "Import folder", "Revision:", text="v1.0.0")
        if ok:
            self.start_import(Path(folder), model.strip(), revision.strip())

    def start_import(
        self, folder: Path, model: str, revision: str, *, force: bool = False
    ) -> Job[Any]:
        """Check the folder as ``cache import`` does, then import it; a folder with check errors
        is refused with its findings, and imported only when the person says so (``force``)."""
        self.status.setText(f"Checking {folder}…")

        def work(job: Any) -> Any:
            if not force:
                from inference_gui.check import check_folder  # loads onnx: only when asked

                report = check_folder(folder)
                if report.has_errors:
                    return report
            return self.ctx.app.cache.import_folder(
                folder, model, revision, progress=job.report, cancel=job.cancel_event
            )

        def done(result: Any) -> None:
            if isinstance(result, list):
                self.status.setText(f"Imported {len(result)} files as {model} at {revision}.")
            else:
                self._import_refused(result, folder, model, revision)

        return self.ctx.worker.submit(
            work,
            name=f"Import {model}",
            on_progress=lambda p: self.status.setText(
                f"Importing {p.detail} ({human_bytes(p.done)} of {human_bytes(p.total)})"
            ),
            on_done=done,
            on_error=self._failed,
        )

    def _import_refused(self, report: Any, folder: Path, model: str, revision: str) -> None:
        errors = [f.line() for f in report.findings if f.severity == "error"]
        self.status.setText(
            f"{folder} does not pass the model check ({len(errors)} error(s)); "
            "nothing was imported."
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Not a model folder",
            f"{folder} does not pass the model check; nothing was imported.",
            parent=self,
        )
        box.setDetailedText("\n".join(errors))
        box.setInformativeText("\n".join(errors[:5]) + ("\n…" if len(errors) > 5 else ""))
        anyway = box.addButton("Import anyway", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)

        def answered(_result: int) -> None:
            if box.clickedButton() is anyway:
                self.start_import(folder, model, revision, force=True)

        box.finished.connect(answered)
        self.import_refusal = box
        box.open()

    def open_hf_import(self) -> HfImportDialog:
        dialog = HfImportDialog(self.ctx, self)
        dialog.finished.connect(lambda _: self.refresh())
        dialog.show()
        return dialog

    def open_fetch(self) -> FetchDialog:
        node = self.selected_node()
        target = node.target() if node else {}
        dialog = FetchDialog(
            self.ctx, target.get("model", ""), target.get("revision", "main"), self
        )
        dialog.finished.connect(lambda _: self.refresh())
        dialog.show()
        return dialog
