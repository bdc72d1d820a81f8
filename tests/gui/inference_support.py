"""Shared setup of the Inference/Engines pane tests: a window over a hub, and waiting for a run."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QTimer

from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.ui.app import application, build_window
from inference_gui.ui.main_window import MainWindow
from inference_gui.ui.panes.inference import InferencePane
from inference_gui.ui.settings_store import open_store
from tests.paths import EXPECTED

RUN_TIMEOUT_MS = 30_000


@contextmanager
def open_window(qtbot: Any, flags: Mapping[str, Any]) -> Iterator[MainWindow]:
    gc.collect()  # windows of earlier tests die here, on the GUI thread, not in a job thread's GC
    application()
    store, _ = open_store()
    settings, problems = load_settings({}, os.environ, flags)
    assert problems == []
    window = build_window(
        AppContext(settings), store, os.environ, flags
    )  # flags outlive Preferences
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    try:
        yield window
    finally:
        for timer in window.findChildren(QTimer):  # panes poll; nothing may submit after close
            timer.stop()
        window.close()
        window.ctx.app.close()


def inference_pane(window: MainWindow) -> InferencePane:
    pane = window.show_pane("inference")
    assert isinstance(pane, InferencePane)
    return pane


def wait_idle(qtbot: Any, pane: InferencePane, timeout: int = RUN_TIMEOUT_MS) -> None:
    qtbot.waitUntil(lambda: pane.job is None and pane.run_button.isEnabled(), timeout=timeout)


def wait_dtypes(qtbot: Any, pane: InferencePane) -> None:
    qtbot.waitUntil(lambda: pane.dtypes.combo.count() == 8, timeout=RUN_TIMEOUT_MS)


def choose_feature(qtbot: Any, pane: InferencePane, feature_id: str, model_id: str) -> None:
    """Pick a feature as a person does and wait until its plan fills the form."""
    qtbot.waitUntil(lambda: pane.feature.findData(feature_id) >= 0, timeout=10_000)
    pane.feature.setCurrentIndex(pane.feature.findData(feature_id))
    pane.feature.activated.emit(pane.feature.currentIndex())
    qtbot.waitUntil(lambda: pane.model_id.text() == model_id, timeout=10_000)
    wait_dtypes(qtbot, pane)


def expected(name: str) -> dict[str, Any]:
    return json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
