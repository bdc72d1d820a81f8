"""The Compare tab's "Also run in Firefox": offered only when a Firefox can run, else why not."""

from __future__ import annotations

from pathlib import Path

from tests.gui.inference_support import inference_pane, open_window
from tests.paths import HUB


def test_without_firefox_the_option_is_off_and_says_why(qtbot, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no firefox-esr, firefox or npm here
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        option = inference_pane(window).compare_panel.firefox
        qtbot.waitUntil(lambda: option.toolTip().startswith("No Firefox found"), timeout=10_000)
        assert not option.isEnabled() and not option.isChecked()
        assert "apt-get install firefox-esr" in option.toolTip()


def test_a_found_firefox_enables_the_option_and_a_lost_one_unchecks_it(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        panel = inference_pane(window).compare_panel
        qtbot.waitUntil(lambda: not panel.firefox.toolTip().startswith("Looking"), timeout=10_000)
        panel.set_firefox("")
        assert panel.firefox.isEnabled() and "headless Firefox" in panel.firefox.toolTip()
        panel.firefox.setChecked(True)
        panel.set_firefox("No Firefox found (firefox-esr or firefox).")
        assert not panel.firefox.isEnabled() and not panel.firefox.isChecked()
