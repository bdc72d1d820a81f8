"""File -> Open Firefox profile…: the captured profile listed read-only, then verified."""

from __future__ import annotations

import os

from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.ui.app import application
from inference_gui.ui.context import UiContext
from inference_gui.ui.main_window import MainWindow
from inference_gui.ui.panes.firefox_profile import CHECK_COLUMN
from inference_gui.ui.settings_store import open_store
from tests.paths import FIXTURES, HUB

PROFILE = FIXTURES / "firefox-profile"


def test_the_profile_is_listed_and_verified_against_our_cache(qtbot) -> None:
    application()
    store, _ = open_store()
    settings, _ = load_settings({}, os.environ, {"hub": str(HUB)})
    ui = UiContext(AppContext(settings), store, os.environ, {"hub": str(HUB)})
    window = MainWindow(ui)
    qtbot.addWidget(window)
    ui.app.cache.import_folder(HUB / "tiny/bert-sentiment/v1.0.0", "tiny/bert-sentiment", "v1.0.0")

    dialog = window.open_firefox_profile()
    dialog.open_profile(PROFILE)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 2, timeout=10000)
    models = [dialog.tree.topLevelItem(i).text(0) for i in range(2)]
    assert models == ["localhost/tiny/bert-embed", "localhost/tiny/bert-sentiment"]
    sentiment = dialog.tree.topLevelItem(1)
    v1 = sentiment.child(1)
    assert v1.text(0) == "v1.0.0"
    config = v1.child(0)
    assert config.text(0) == "config.json" and config.text(1) == "754 B"
    assert config.text(4) == "text-classification, zero-shot-classification"
    assert "Firefox is not running" in dialog.status.text() and "6 files" in dialog.status.text()

    dialog.verify_button.click()
    qtbot.waitUntil(lambda: config.text(CHECK_COLUMN) != "", timeout=10000)
    assert [v1.child(i).text(CHECK_COLUMN) for i in range(3)] == ["ok", "ok", "ok"]
    assert sentiment.child(0).child(0).text(CHECK_COLUMN) == "unknown"  # main: not in our cache
    assert "3 of 6 match our cache" in dialog.status.text()
    dialog.close()


def test_the_firefox_profile_flag_opens_the_window_on_that_profile(monkeypatch) -> None:
    """``inference-gui --firefox-profile DIR`` hands the folder to the window it opens."""
    import inference_gui.ui.app as app_module
    from inference_gui.cli.main import main

    seen = {}

    def fake_run_gui(ctx, store, env, flags, problems, firefox_profile=None) -> int:
        seen["profile"] = firefox_profile
        return 0

    monkeypatch.setattr(app_module, "run_gui", fake_run_gui)
    assert main(["--firefox-profile", str(PROFILE)]) == 0
    assert seen["profile"] == PROFILE
