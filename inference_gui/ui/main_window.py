"""The main window: a sidebar of panes, a menu, and a status bar saying where data comes from."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inference_gui.assets import resource_path
from inference_gui.cache.store import ChangeWatch
from inference_gui.errors import AppError
from inference_gui.format import human_bytes
from inference_gui.jobs import Job
from inference_gui.packs import PackSummary, import_pack
from inference_gui.ui.about import AboutDialog
from inference_gui.ui.context import UiContext
from inference_gui.ui.error_text import error_parts
from inference_gui.ui.panes import PANES
from inference_gui.ui.panes.base import Pane
from inference_gui.ui.panes.cache import CachePane
from inference_gui.ui.panes.firefox_profile import FirefoxProfileWindow
from inference_gui.ui.panes.inference import InferencePane
from inference_gui.ui.preferences import PreferencesDialog
from inference_gui.ui.widgets.welcome import WelcomeBanner

CACHE_POLL_MS = 1000  # how often the status bar checks whether anyone changed the cache


def _scrollable(pane: Pane) -> QScrollArea:
    """Let a dense pane scroll on a small screen instead of forcing a huge minimum window size."""
    area = QScrollArea()
    area.setWidget(pane)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


class MainWindow(QMainWindow):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("Inference GUI")
        self.setWindowIcon(QIcon(str(resource_path("icons", "app.svg"))))
        # Panes are built the first time they are shown: the window appears once the first one is
        # built (building all six took ~0.4 s, mostly the Inference pane's many widgets).
        self.panes: dict[str, Pane] = {}
        self.pane_ids = [pane_class.pane_id for pane_class in PANES]

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFixedWidth(170)
        self.sidebar.setAccessibleName("Panes")
        self.stack = QStackedWidget()
        for index, pane in enumerate(PANES):
            self.stack.addWidget(QWidget())  # a placeholder until the pane is first shown
            item = QListWidgetItem(QIcon(str(resource_path("icons", pane.icon))), pane.title)
            item.setToolTip(f"{pane.description} (Ctrl+{index + 1})")
            item.setData(Qt.ItemDataRole.UserRole, pane.pane_id)
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._row_changed)

        self.welcome = WelcomeBanner(ctx)
        self.welcome.examples_requested.connect(self.show_examples)
        self.welcome.import_requested.connect(self.import_model_folder)
        column = QVBoxLayout()
        column.addWidget(self.welcome)
        column.addWidget(self.stack, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addLayout(column, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()
        self.setAcceptDrops(True)  # a demo pack (.zip) dropped anywhere on the window
        ctx.settings_changed.connect(self.refresh_status)
        self.restore_state()
        self.refresh_status()

    # -- navigation -------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        prefs = QAction("&Preferences…", self, shortcut=QKeySequence("Ctrl+,"))
        prefs.triggered.connect(self.open_preferences)
        file_menu.addAction(prefs)
        firefox = QAction("Open &Firefox profile…", self)
        firefox.triggered.connect(self.open_firefox_profile)
        file_menu.addAction(firefox)
        pack = QAction("Import demo &pack…", self)
        pack.setToolTip("Install a demo pack's models and records so its features run offline")
        pack.triggered.connect(self.choose_pack)
        file_menu.addAction(pack)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        for index, pane in enumerate(PANES):
            action = QAction(pane.title, self, shortcut=QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, pid=pane.pane_id: self.show_pane(pid))
            view_menu.addAction(action)
            self.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Inference GUI", self)
        about.triggered.connect(self.open_about)
        help_menu.addAction(about)

    def pane(self, pane_id: str) -> Pane:
        """The pane, built (in its place in the stack) if this is its first use."""
        if pane_id not in self.pane_ids:
            raise KeyError(f"no pane {pane_id!r}; panes are {', '.join(self.pane_ids)}")
        if pane_id not in self.panes:
            index = self.pane_ids.index(pane_id)
            built = PANES[index](self.ctx)
            self.panes[pane_id] = built
            placeholder = self.stack.widget(index)
            current = self.stack.currentIndex()
            self.stack.insertWidget(index, _scrollable(built))
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.stack.setCurrentIndex(current)
        return self.panes[pane_id]

    def show_pane(self, pane_id: str) -> Pane:
        """Switch to a pane by id; unknown ids raise KeyError listing the valid ones."""
        pane = self.pane(pane_id)
        self.sidebar.setCurrentRow(self.pane_ids.index(pane_id))
        return pane

    def show_examples(self) -> None:
        """The Inference pane with its ready-made examples list focused and open."""
        pane = self.show_pane("inference")
        assert isinstance(pane, InferencePane)
        pane.example.setFocus()
        pane.example.showPopup()

    def import_model_folder(self) -> None:
        pane = self.show_pane("cache")
        assert isinstance(pane, CachePane)
        pane.import_folder()

    @property
    def current_pane(self) -> Pane:
        return self.pane(self.pane_ids[self.stack.currentIndex()])

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        self.pane(self.pane_ids[row])
        self.stack.setCurrentIndex(row)
        self.welcome.pane_shown(self.current_pane.pane_id)
        self.current_pane.activated()

    # -- status bar --------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        self.status_hub = QLabel()
        self.status_source = QLabel()
        self.status_offline = QLabel()
        self.status_cache = QLabel("Cache: …")
        self._cache_watch: ChangeWatch | None = None
        self._cache_problem = ""  # the cache error last shown in a box, so it is shown once
        # Runs, fetches, imports and deletes (here or in another instance) change the cache size.
        self._cache_timer = QTimer(self, interval=CACHE_POLL_MS)
        self._cache_timer.timeout.connect(self._poll_cache)
        self._cache_timer.start()
        for label, name in (
            (self.status_hub, "statusHub"),
            (self.status_source, "statusSource"),
            (self.status_offline, "statusOffline"),
            (self.status_cache, "statusCache"),
        ):
            label.setObjectName(name)
            self.statusBar().addPermanentWidget(label)

    def refresh_status(self) -> None:
        settings = self.ctx.settings
        hub = settings.hub if settings.hub_is_local else f"{settings.hub}{settings.hub_template}"
        self.status_hub.setText(f"Hub: {hub}")
        source = {
            "embedded": "embedded dump",
            "server": settings.settings_server,
            "file": settings.settings_file,
        }[settings.settings_source]
        self.status_source.setText(f"Records: {source}")
        self.status_offline.setText("Offline" if settings.offline else "Online")
        self.refresh_cache_size()

    def _poll_cache(self) -> None:
        if self._cache_watch is not None and self._cache_watch.changed():
            self.refresh_cache_size()

    def refresh_cache_size(self) -> None:
        """Measure the cache off the GUI thread; the label updates when the answer arrives."""
        if self._cache_watch is not None:
            self._cache_watch.close()
            self._cache_watch = None
        try:  # follows a new cache_dir
            self._cache_watch = ChangeWatch(self.ctx.app.cache.store.path)
        except AppError as exc:  # damaged index, uncreatable folder: say so once, never raise
            self.status_cache.setText("Cache: unavailable")
            self.status_cache.setToolTip(str(exc))
            if str(exc) != self._cache_problem:
                self._cache_problem = str(exc)
                self.show_error(exc, "The model cache cannot be opened")
            return
        self._cache_problem = ""
        self.ctx.worker.submit(
            lambda _ctx: self.ctx.app.cache_size(),
            name="measure cache",
            on_done=self._cache_measured,
            on_error=lambda exc: self.status_cache.setText("Cache: unavailable"),
        )

    def _cache_measured(self, size: int) -> None:
        self.status_cache.setText(f"Cache: {human_bytes(size)}")
        self.welcome.cache_measured(size)

    # -- dialogs -----------------------------------------------------------------------------
    def open_preferences(self) -> None:
        PreferencesDialog(self.ctx, self).exec()

    def open_firefox_profile(self) -> FirefoxProfileWindow:
        window = FirefoxProfileWindow(self.ctx, self)
        window.show()
        return window

    def open_about(self) -> AboutDialog:
        dialog = AboutDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_startup_problems(self, problems: Sequence[AppError]) -> QMessageBox:
        """Settings that could not be used: say which and why; the app runs on with defaults."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Some settings were not used",
            "\n\n".join(str(p) for p in problems),
            parent=self,
        )
        box.setInformativeText("The app started with the default for each of these.")
        box.open()
        return box

    def show_error(self, error: BaseException, title: str = "Inference GUI") -> QMessageBox:
        """Tell the user what went wrong in plain words (never a traceback)."""
        text, detail = error_parts(error)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        box.setInformativeText(detail)
        box.open()
        return box

    # -- demo packs --------------------------------------------------------------------------
    def choose_pack(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a demo pack", "", "Demo packs (*.zip)")
        if path:
            self.import_pack(Path(path))

    def import_pack(self, path: Path) -> Job[PackSummary]:
        """Verify and install a pack off the GUI thread; then every pane reads anew."""
        self.statusBar().showMessage(f"Importing the demo pack {path.name}…")

        def done(summary: PackSummary) -> None:
            what = ", ".join(summary.features + summary.examples) or "nothing"
            self.statusBar().showMessage(
                f"Imported {path.name}: {summary.files} files "
                f"({human_bytes(summary.bytes)}); ready offline: {what}."
            )
            self.ctx.settings_changed.emit()  # records and cache changed: panes reload

        def failed(exc: BaseException) -> None:
            self.statusBar().clearMessage()
            self.show_error(exc, "Demo pack not imported")

        return self.ctx.worker.submit(
            lambda job: import_pack(self.ctx.app, path, progress=job.report),
            name=f"Import {path.name}",
            on_done=done,
            on_error=failed,
        )

    @staticmethod
    def _dropped_packs(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [Path(u.toLocalFile()) for u in urls if u.toLocalFile().lower().endswith(".zip")]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if self._dropped_packs(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        for path in self._dropped_packs(event):
            self.import_pack(path)
        event.acceptProposedAction()

    # -- window state ------------------------------------------------------------------------
    def restore_state(self) -> None:
        store = self.ctx.store
        geometry = store.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        pane = store.value("window/pane", "records")
        self.show_pane(pane if pane in self.pane_ids else "records")

    def save_state(self) -> None:
        self.ctx.store.setValue("window/geometry", self.saveGeometry())
        self.ctx.store.setValue("window/pane", self.current_pane.pane_id)
        self.ctx.store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_state()
        super().closeEvent(event)
