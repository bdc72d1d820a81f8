"""File -> Open Firefox profile…: a read-only view of a Firefox profile's ML model cache.

Its own window (not a pane) so it sits beside the Cache pane for comparison; it reads through the
core (:mod:`inference_gui.firefox`) on the worker, like ``inference-gui firefox ls``/``verify``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inference_gui.firefox.profile_cache import ProfileCache, read_profile_cache
from inference_gui.firefox.profiles_ini import list_profiles
from inference_gui.firefox.verify import FileCheck, cache_reference, verify_profile
from inference_gui.format import human_bytes
from inference_gui.ui.context import UiContext

COLUMNS = (
    "Model / revision / file",
    "Size",
    "Last used",
    "Last updated",
    "Tasks",
    "Engines",
    "Check",
)
CHECK_COLUMN = COLUMNS.index("Check")


def _when(value: object) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[attr-defined]


class FirefoxProfileWindow(QDialog):
    """Pick a profile (from profiles.ini or a folder), list its cache, verify it against ours."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Firefox profile (read-only)")
        self.resize(900, 520)
        self.cache: ProfileCache | None = None
        self._file_items: dict[tuple[str, str, str], QTreeWidgetItem] = {}

        self.profiles = QComboBox()
        self.profiles.setAccessibleName("Firefox profile")
        for profile in list_profiles():
            label = f"{profile.name}{' (default)' if profile.is_default else ''} — {profile.path}"
            self.profiles.addItem(label, str(profile.path))
        self.profiles.activated.connect(
            lambda _i: self.open_profile(Path(self.profiles.currentData()))
        )
        browse = QPushButton("Open folder…")
        browse.clicked.connect(self._browse)
        self.verify_button = QPushButton("Verify against our cache")
        self.verify_button.setEnabled(False)
        self.verify_button.clicked.connect(self.verify)
        top = QHBoxLayout()
        top.addWidget(self.profiles, 1)
        top.addWidget(browse)
        top.addWidget(self.verify_button)

        self.status = QLabel("Pick a Firefox profile.")
        self.status.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setAccessibleName("Firefox model cache")
        self.tree.setColumnWidth(0, 300)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Firefox profile folder")
        if folder:
            self.open_profile(Path(folder))

    def open_profile(self, folder: Path) -> None:
        """Read ``folder`` on the worker; the tree fills when the answer arrives."""
        self.status.setText(f"Reading {folder}…")
        self.verify_button.setEnabled(False)
        self.ctx.worker.submit(
            lambda _job: read_profile_cache(folder),
            name="read Firefox profile",
            on_done=self._show,
            on_error=lambda exc: self.status.setText(f"Cannot read {folder}: {exc}"),
        )

    def _show(self, cache: ProfileCache) -> None:
        self.cache = cache
        self.tree.clear()
        self._file_items.clear()
        for model in cache.models:
            model_item = QTreeWidgetItem(self.tree, [model.hub_model, human_bytes(model.size)])
            for revision in model.revisions:
                revision_item = QTreeWidgetItem(
                    model_item,
                    [
                        revision.revision,
                        human_bytes(revision.size),
                        _when(revision.last_used),
                        _when(revision.last_updated),
                    ],
                )
                for f in revision.files:
                    item = QTreeWidgetItem(
                        revision_item,
                        [
                            f.path,
                            human_bytes(f.size),
                            _when(f.last_used),
                            _when(f.last_updated),
                            ", ".join(f.tasks),
                            ", ".join(f.engines),
                            "bytes missing" if f.missing else "",
                        ],
                    )
                    self._file_items[(model.hub_model, revision.revision, f.path)] = item
        self.tree.expandAll()
        notes = [cache.lock.detail, *cache.warnings]
        if cache.stray_records:
            notes.append(f"{len(cache.stray_records)} stray header records (not counted).")
        self.status.setText(
            f"{cache.profile}: {len(cache.files)} files, {human_bytes(cache.total_size)} in "
            f"{len(cache.models)} models. " + " ".join(notes)
        )
        self.verify_button.setEnabled(bool(cache.models))

    def verify(self) -> None:
        """Hash every cached file and compare with our cache's index, on the worker."""
        cache, app = self.cache, self.ctx.app
        if cache is None:
            return
        self.verify_button.setEnabled(False)
        self.ctx.worker.submit(
            lambda _job: verify_profile(cache, cache_reference(app.cache)),
            name="verify Firefox profile",
            on_done=self._show_checks,
            on_error=lambda exc: self.status.setText(f"Verification failed: {exc}"),
        )

    def _show_checks(self, checks: list[FileCheck]) -> None:
        for check in checks:
            item = self._file_items.get((check.model, check.revision, check.path))
            if item is not None:
                item.setText(CHECK_COLUMN, check.status)
                item.setToolTip(CHECK_COLUMN, check.detail)
        ok = sum(c.status == "ok" for c in checks)
        self.status.setText(
            f"{self.status.text()} Verified: {ok} of {len(checks)} match our cache."
        )
        self.verify_button.setEnabled(True)
