"""Start the GUI: a QApplication run by a qasync event loop, so coroutines and Qt share a loop."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from inference_gui.assets import resource_path
from inference_gui.context import AppContext
from inference_gui.engine.preload import preload_model_stack
from inference_gui.errors import ConfigError
from inference_gui.ui.context import UiContext
from inference_gui.ui.gc_guard import GuiThreadCollector
from inference_gui.ui.main_window import MainWindow


def application() -> QApplication:
    """The one QApplication, created on first use with the app's name and style sheet."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("inference-gui")
    app.setApplicationDisplayName("Inference GUI")
    app.setStyleSheet(resource_path("styles", "app.qss").read_text(encoding="utf-8"))
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(parent=app)
    return app  # type: ignore[return-value]


def build_window(
    app_ctx: AppContext, store: QSettings, env: Mapping[str, str], flags: Mapping[str, Any]
) -> MainWindow:
    ui_ctx = UiContext(app_ctx, store, env, flags)
    ui_ctx.log_bridge.install()
    window = MainWindow(ui_ctx)
    logging.getLogger(__name__).info(
        "window opened: hub %s, records from %s",
        app_ctx.settings.hub,
        app_ctx.settings.settings_source,
    )
    window.destroyed.connect(ui_ctx.log_bridge.uninstall)
    return window


def install_error_hook(window: MainWindow) -> None:
    """An error nobody caught is logged and shown in plain words, not printed as a traceback."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        logging.getLogger("inference_gui").error("unhandled error", exc_info=(exc_type, exc, tb))
        window.show_error(exc)

    sys.excepthook = hook


def run_gui(
    app_ctx: AppContext,
    store: QSettings,
    env: Mapping[str, str],
    flags: Mapping[str, Any],
    problems: Sequence[ConfigError],
    firefox_profile: Path | None = None,
) -> int:
    import qasync

    app = application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = build_window(app_ctx, store, env, flags)
    window.show()
    preload_model_stack()  # off the GUI thread, once the window is up: the first run won't wait
    install_error_hook(window)
    if problems:
        window.show_startup_problems(problems)
    if firefox_profile is not None:
        window.open_firefox_profile().open_profile(firefox_profile)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    app_ctx.close()
    return 0


def render_pane(
    window: MainWindow, pane_id: str, size: tuple[int, int], settle_seconds: float = 15.0
) -> QImage:
    """Show ``pane_id`` at ``size`` (width, height) and grab it once background work it started
    has finished."""
    window.resize(*size)
    window.show_pane(pane_id)
    window.show()
    app = QApplication.instance()
    deadline = time.monotonic() + settle_seconds
    while time.monotonic() < deadline:
        app.processEvents()
        if not window.ctx.worker.runner.active():
            break
        time.sleep(0.02)
    for _ in range(5):  # let results delivered by the last jobs repaint
        app.processEvents()
    return window.grab().toImage()
