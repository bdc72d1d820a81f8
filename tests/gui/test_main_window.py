"""The main window as a person uses it: panes, shortcuts, status bar, preferences, log, ticks."""

from __future__ import annotations

import itertools
import logging
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from inference_gui.cli.main import main
from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.engine import RunInput
from inference_gui.format import human_bytes
from inference_gui.run_service import RunRequest
from inference_gui.ui.app import application, build_window
from inference_gui.ui.main_window import MainWindow
from inference_gui.ui.panes import PANE_IDS
from inference_gui.ui.preferences import PreferencesDialog
from inference_gui.ui.settings_store import open_store, read_preferences
from tests.gui.inference_support import open_window
from tests.paths import HUB, REMOTE_SETTINGS


@pytest.fixture
def window(qtbot) -> MainWindow:
    application()
    store, problems = open_store()
    assert problems == []
    settings, _ = load_settings(read_preferences(store), os.environ, {})
    win = build_window(AppContext(settings), store, os.environ, {})
    qtbot.addWidget(win)
    win.show()
    yield win
    win.ctx.app.close()


def test_every_pane_is_reachable_from_the_sidebar(window: MainWindow) -> None:
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == [
        "Records",
        "Cache",
        "Inference",
        "Engines",
        "Log",
        "Check",
    ]
    for row, pane_id in enumerate(PANE_IDS):
        window.sidebar.setCurrentRow(row)
        assert window.current_pane.pane_id == pane_id
        assert window.current_pane.isVisible()


def test_keyboard_shortcuts_switch_panes(window: MainWindow, qtbot) -> None:
    for index, pane_id in enumerate(PANE_IDS):
        QTest.keyClick(window, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda pid=pane_id: window.current_pane.pane_id == pid, timeout=2000)


def test_status_bar_shows_hub_source_offline_and_cache_size(window: MainWindow, qtbot) -> None:
    assert window.status_hub.text() == "Hub: https://model-hub.mozilla.org/{model}/{revision}"
    assert window.status_source.text() == "Records: embedded dump"
    assert window.status_offline.text() == "Online"
    qtbot.waitUntil(
        lambda: (
            window.status_cache.text().startswith("Cache: ")
            and "…" not in window.status_cache.text()
        )
    )


def test_window_state_is_remembered(window: MainWindow, qtbot) -> None:
    window.show_pane("engines")
    window.resize(760, 540)
    saved = window.size()
    window.close()
    store, _ = open_store()
    assert store.value("window/pane") == "engines"
    settings, _ = load_settings({}, os.environ, {})
    again = build_window(AppContext(settings), store, os.environ, {})
    qtbot.addWidget(again)
    assert again.current_pane.pane_id == "engines"
    assert again.size() == saved


def test_preference_change_is_validated_persisted_and_applied(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    dialog = PreferencesDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    dialog.hub_preset.setCurrentIndex(dialog.hub_preset.findData("huggingface"))
    assert dialog.hub_template.text() == "{model}/resolve/{revision}"
    dialog.offline.setChecked(True)
    dialog.threads.setValue(3)
    dialog.save()
    assert dialog.result() == PreferencesDialog.DialogCode.Accepted
    assert window.status_offline.text() == "Offline"
    assert "huggingface.co" in window.status_hub.text()

    stored = read_preferences(
        QSettings(os.environ["INFERENCE_GUI_CONFIG"], QSettings.Format.IniFormat)
    )
    assert stored["hub"] == "https://huggingface.co/"
    assert stored["offline"] == "true" and stored["threads"] == "3"


def test_invalid_preference_is_refused_with_the_reason(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    dialog = PreferencesDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    dialog.hub_preset.setCurrentIndex(dialog.hub_preset.findData("local"))
    dialog.hub.setText(str(tmp_path / "no-such-folder"))
    dialog.save()
    assert dialog.result() != PreferencesDialog.DialogCode.Accepted
    assert "neither an http(s) URL nor an existing folder" in dialog.errors.text()
    assert "hub" not in read_preferences(window.ctx.store)


def test_log_pane_shows_filters_and_clears_records(window: MainWindow, qtbot) -> None:
    pane = window.show_pane("log")
    logging.getLogger("inference_gui.test").setLevel(logging.DEBUG)
    logging.getLogger("inference_gui.test").warning("disk nearly full")
    logging.getLogger("inference_gui.test").debug("noisy detail")
    qtbot.waitUntil(lambda: "disk nearly full" in pane.view.toPlainText())
    assert "noisy detail" not in pane.view.toPlainText()
    pane.level.setCurrentText("Debug")
    assert "noisy detail" in pane.view.toPlainText()
    pane.level.setCurrentText("Error")
    assert "disk nearly full" not in pane.view.toPlainText()
    pane.clear()
    assert pane.view.toPlainText() == "" and len(pane.bridge.records) == 0


def test_gui_thread_keeps_ticking_during_a_two_second_blocking_job(
    window: MainWindow, qtbot
) -> None:
    ticks: list[float] = []
    heartbeat = QTimer(interval=10)
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    heartbeat.start()
    finished: list[str] = []
    window.ctx.worker.submit(
        lambda ctx: time.sleep(2) or "slept", name="block", on_done=finished.append
    )
    qtbot.waitUntil(lambda: finished == ["slept"], timeout=10_000)
    heartbeat.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 50, "the GUI thread stopped ticking while the job ran"
    assert max(gaps) < 0.5, f"the GUI thread stalled for {max(gaps):.3f} s"


def test_coroutines_await_jobs_on_the_qasync_loop(window: MainWindow, qtbot) -> None:
    import asyncio

    import qasync

    loop = qasync.QEventLoop(application(), already_running=True)
    asyncio.set_event_loop(loop)
    results: list[int] = []

    async def flow() -> None:
        results.append(await window.ctx.worker.run(lambda ctx: 6 * 7, name="answer"))

    loop.create_task(flow())
    qtbot.waitUntil(lambda: results == [42], timeout=5000)
    asyncio.set_event_loop(None)


def test_unreadable_config_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "config.ini"
    bad.write_bytes(b"[preferences\n\xff\xfe garbage = = =")
    bad.chmod(0)
    store, problems = open_store(bad)
    if os.access(bad, os.R_OK):  # root can read anything; make it a folder instead
        bad.chmod(0o600)
        bad.unlink()
        bad.mkdir()
        store, problems = open_store(bad)
    assert problems and "cannot be read" in str(problems[0]) and str(bad) in str(problems[0])


def test_startup_problems_are_shown_in_plain_words(window: MainWindow, tmp_path: Path) -> None:
    _, problems = load_settings({}, env={"INFERENCE_GUI_HUB": "ftp://nowhere"}, flags={})
    box = window.show_startup_problems(problems)
    assert box.isVisible()
    assert "INFERENCE_GUI_HUB" in box.text() and "Traceback" not in box.text()
    assert "default" in box.informativeText()


def test_uncaught_errors_become_a_message_not_a_traceback(window: MainWindow, monkeypatch) -> None:
    import sys

    from inference_gui.errors import EngineError
    from inference_gui.ui.app import install_error_hook

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    shown = []
    monkeypatch.setattr(window, "show_error", shown.append)
    install_error_hook(window)
    error = EngineError("The model tiny/x has no q4 file.", "Pick another dtype.")
    sys.excepthook(EngineError, error, None)
    assert shown == [error]


def test_status_bar_cache_size_follows_changes_to_the_cache(window: MainWindow, qtbot) -> None:
    qtbot.waitUntil(lambda: window.status_cache.text() == "Cache: 0 B")
    folder = HUB / "tiny" / "bert-sentiment" / "v1.0.0"
    window.ctx.app.cache.import_folder(folder, "me/sentiment", "v1.0.0")
    size = window.ctx.app.cache_size()
    assert size > 0
    qtbot.waitUntil(lambda: window.status_cache.text() == f"Cache: {human_bytes(size)}")


def test_a_refused_preference_message_fits_without_squeezing_the_form(
    window: MainWindow, qtbot
) -> None:
    from PySide6.QtWidgets import QLabel

    dialog = PreferencesDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.hub_preset.setCurrentIndex(dialog.hub_preset.findData("custom"))
    dialog.hub.setText("ftp://example.org/models")
    dialog.save()
    assert "only http(s) URLs or local folders" in dialog.errors.text()
    qtbot.wait(50)  # let the layout settle
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and label.wordWrap():
            assert label.height() >= label.heightForWidth(label.width()), label.text()


def test_a_demo_pack_dropped_on_the_window_installs_offline(qtbot, tmp_path, capsys) -> None:
    """Dropped (or chosen from File -> Import demo pack), verified and installed off the GUI
    thread; the Records pane then lists the pack's feature and it runs with no network."""
    pack = tmp_path / "demo.zip"
    connected = ["--cache-dir", str(tmp_path / "a"), "--data-dir", str(tmp_path / "a-data")]
    settings = str(REMOTE_SETTINGS / "ml-inference-options.json")
    args = [*connected, "--hub", str(HUB), "--settings-file", settings, "pack", "export"]
    assert main([*args, str(pack), "--feature", "tiny-ner"]) == 0
    capsys.readouterr()
    with open_window(qtbot, {"offline": True}) as window:
        assert "Import demo &pack…" in [
            a.text() for a in window.menuBar().actions()[0].menu().actions()
        ]
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(pack))])
        window.dropEvent(
            QDropEvent(
                QPoint(10, 10).toPointF(),
                Qt.DropAction.CopyAction,
                mime,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            )
        )
        qtbot.waitUntil(
            lambda: "Imported demo.zip" in window.statusBar().currentMessage(), timeout=15_000
        )
        assert "tiny-ner" in window.statusBar().currentMessage()
        assert "tiny-ner" in window.ctx.app.records.feature_ids()
        result = window.ctx.app.runs.run(
            window.ctx.app.runs.plan(RunRequest(feature="tiny-ner")), RunInput.text("Alice"), {}
        )
        assert isinstance(result.output, list)


def test_panes_are_built_the_first_time_they_are_shown(window: MainWindow) -> None:
    """The window opens on one pane; each other pane is built when first shown, in its place."""
    assert list(window.panes) == [window.current_pane.pane_id]
    for index, pane_id in enumerate(PANE_IDS):
        pane = window.show_pane(pane_id)
        assert window.stack.currentIndex() == index and window.current_pane is pane
        assert window.sidebar.currentRow() == index
    assert sorted(window.panes) == sorted(PANE_IDS)
    assert window.show_pane(PANE_IDS[0]) is window.panes[PANE_IDS[0]]  # built once
