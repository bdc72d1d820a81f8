"""The first-run banner on a fresh install: what it says offline, and when it goes away for good."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.ui.app import application, build_window
from inference_gui.ui.main_window import MainWindow
from inference_gui.ui.settings_store import open_store, read_preferences
from tests.paths import HUB


def open_window(qtbot, flags: dict[str, object]) -> MainWindow:
    application()
    store, _ = open_store()
    settings, _ = load_settings(read_preferences(store), os.environ, flags)
    win = build_window(AppContext(settings), store, os.environ, flags)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def offline_window(qtbot) -> MainWindow:
    win = open_window(qtbot, {"offline": True})
    yield win
    win.ctx.app.close()


def test_fresh_offline_start_says_where_records_come_from_and_that_the_cache_is_empty(
    offline_window: MainWindow, qtbot
) -> None:
    banner = offline_window.welcome
    qtbot.waitUntil(banner.isVisible)
    assert "embedded dump" in banner.records_line.text()
    assert "is empty" in banner.cache_line.text()
    assert "Offline mode is on" in banner.cache_line.text()
    assert str(offline_window.ctx.settings.cache_dir) in banner.cache_line.text()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert not [b.text() for b in boxes if b.isVisible()]


def test_it_shows_over_records_and_cache_only(offline_window: MainWindow, qtbot) -> None:
    banner = offline_window.welcome
    qtbot.waitUntil(banner.isVisible)
    offline_window.show_pane("inference")  # the form and results keep their height
    assert not banner.isVisible()
    offline_window.show_pane("cache")
    assert banner.isVisible()


def test_dismissing_is_remembered_across_starts(offline_window: MainWindow, qtbot) -> None:
    qtbot.waitUntil(offline_window.welcome.isVisible)
    offline_window.welcome.dismiss_button.click()
    assert not offline_window.welcome.isVisible()
    offline_window.close()
    offline_window.ctx.app.close()
    again = open_window(qtbot, {"offline": True})
    qtbot.waitUntil(lambda: again.status_cache.text() == "Cache: 0 B")
    qtbot.wait(50)
    assert not again.welcome.isVisible()
    again.ctx.app.close()


def test_a_model_in_the_cache_ends_the_first_run(offline_window: MainWindow, qtbot) -> None:
    qtbot.waitUntil(offline_window.welcome.isVisible)
    offline_window.ctx.app.cache.import_folder(
        HUB / "tiny" / "bert-sentiment" / "v1.0.0", "me/sentiment", "v1.0.0"
    )
    qtbot.waitUntil(lambda: not offline_window.welcome.isVisible())
    assert offline_window.ctx.store.value("welcome/done", False, type=bool)


def test_a_local_hub_folder_is_saved_as_the_hub(offline_window: MainWindow, qtbot) -> None:
    banner = offline_window.welcome
    banner.use_hub_folder(str(HUB))
    assert offline_window.ctx.settings.hub_is_local
    assert offline_window.status_hub.text() == f"Hub: {HUB}"
    assert "local hub folder" in banner.cache_line.text()
    assert banner.problem_line.isHidden()
    banner.use_hub_folder("ftp://example.org/models")
    assert not banner.problem_line.isHidden()
    assert "only http(s) URLs or local folders" in banner.problem_line.text()


def test_try_an_example_opens_the_examples_list(offline_window: MainWindow, qtbot) -> None:
    offline_window.show_pane("records")
    offline_window.welcome.examples_button.click()
    assert offline_window.current_pane.pane_id == "inference"
    qtbot.waitUntil(lambda: offline_window.current_pane.example.view().isVisible())
