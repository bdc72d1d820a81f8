"""The GUI (QSettings) and the headless CLI (configparser) share one preferences file and agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from inference_gui.preferences_file import read_preferences_file
from inference_gui.ui.settings_store import open_store, read_preferences, write_preferences

# Values QSettings has to quote or escape: commas, leading/trailing spaces, backslashes, an
# initial @, quotes, ; and =, control characters, non-ASCII text, interpolation-like %.
AWKWARD = {
    "hub": "C:\\Models\\hub, copy",
    "hub_template": " {model}/{revision} ",
    "settings_server": "@https://x.example/?a=b;c",
    "settings_file": 'q"uote\ttab\x01ctl é 日本 %(x)s',
    "threads": "3",
    "offline": "true",
}


def test_what_the_gui_writes_the_cli_reads_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "config.ini"
    store, problems = open_store(path)
    assert problems == []
    write_preferences(store, AWKWARD)
    store.setValue("window/geometry", b"\x01\xd9\xd0\xcb\x00")  # window state in the same file
    store.sync()
    stored, problems = read_preferences_file(path)
    assert problems == []
    assert stored == AWKWARD


def test_a_hand_edited_file_reads_the_same_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "config.ini"
    path.write_text(
        "[preferences]\n"
        'hub = "http://a.example/"   \n'
        "hub_template={model}/{revision} ; a comment\n"
        "settings_file=\\x41\\102\\\\x\n"
        "settings_server=a, b ,c\n"
        "threads=@@2\n"
        "data_dir=@Invalid()\n",
        encoding="utf-8",
    )
    by_qt = read_preferences(QSettings(str(path), QSettings.Format.IniFormat))
    by_cli, problems = read_preferences_file(path)
    assert problems == []
    assert by_cli == {k: v for k, v in by_qt.items() if v is not None}
    assert by_cli["settings_server"] == ["a", "b", "c"] and by_cli["settings_file"] == "AB\\x"


@pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps it in AppData, not XDG")
def test_default_file_is_where_qsettings_keeps_it(tmp_path: Path) -> None:
    """Checked in a fresh process: Qt reads XDG_CONFIG_HOME once and keeps it."""
    code = (
        "import json; from PySide6.QtCore import QSettings as Q;"
        "from inference_gui.preferences_file import default_preferences_path as d;"
        "print(json.dumps([Q(Q.Format.IniFormat, Q.Scope.UserScope, 'inference-gui',"
        " 'inference-gui').fileName(), str(d())]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "INFERENCE_GUI_CONFIG"}
    env |= {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    qt_path, our_path = json.loads(result.stdout)
    assert qt_path == our_path == str(tmp_path / "xdg" / "inference-gui" / "inference-gui.ini")
