"""Help -> About: the CLI's diagnostics plus the running Qt, copied with one click."""

from __future__ import annotations

import os

import PySide6
import pytest
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from inference_gui.cli.main import main
from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.ui.about import AboutDialog
from inference_gui.ui.app import application, build_window
from inference_gui.ui.main_window import MainWindow
from inference_gui.ui.settings_store import open_store, read_preferences


@pytest.fixture
def window(qtbot) -> MainWindow:
    application()
    store, _ = open_store()
    settings, _ = load_settings(read_preferences(store), os.environ, {})
    win = build_window(AppContext(settings), store, os.environ, {})
    qtbot.addWidget(win)
    win.show()
    yield win
    win.ctx.app.close()


def _help_action(window: MainWindow, text: str):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    return next(a for a in help_menu.actions() if a.text() == text)


def test_about_from_the_help_menu_copies_the_cli_report_plus_qt(
    window: MainWindow, qtbot, capsys, isolated_env
) -> None:
    _help_action(window, "&About Inference GUI").trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.copy_button.isEnabled, timeout=10_000)

    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert dialog.copy_button.text() == "Copied"
    assert f"Qt:                  {qVersion()} (PySide6 {PySide6.__version__})" in copied
    assert f"Settings file:       {isolated_env / 'config.ini'}" in copied

    assert main(["diagnostics"]) == 0
    cli_lines = capsys.readouterr().out.splitlines()
    gui_lines = copied.splitlines()
    differing = [pair for pair in zip(cli_lines, gui_lines, strict=True) if pair[0] != pair[1]]
    assert [cli.split(":")[0] for cli, _ in differing] == ["Qt"]


def test_a_failed_collection_is_said_in_the_dialog(window: MainWindow, qtbot, monkeypatch) -> None:
    def broken(*_args):
        raise OSError("disk on fire")

    monkeypatch.setattr("inference_gui.diagnostics.collect", broken)
    dialog = AboutDialog(window.ctx, window)
    qtbot.waitUntil(lambda: "disk on fire" in dialog.details.toPlainText(), timeout=10_000)
    assert dialog.details.toPlainText() == "Diagnostics unavailable: disk on fire"
    assert not dialog.copy_button.isEnabled()
    QApplication.processEvents()
