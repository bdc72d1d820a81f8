"""The preferences file read without Qt: found where QSettings keeps it, values unescaped as Qt
does. (That a file QSettings wrote reads back the same is checked in tests/gui.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from inference_gui.preferences_file import (
    default_preferences_path,
    preferences_path,
    qt_ini_value,
    read_preferences_file,
)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("plain", "plain"),
        ('"x,y"', "x,y"),
        ('" lead"', " lead"),
        ("C:\\\\Users\\\\x", "C:\\Users\\x"),
        ("@@at", "@at"),
        ('q\\"uote', 'q"uote'),
        ("tab\\there", "tab\there"),
        ("\\x1\\x63tl", "\x01ctl"),
        ("unquoted trailing   ", "unquoted trailing"),
        ("a, b", ["a", "b"]),
        ("kept ; a comment", "kept"),
        ("@Invalid()", None),
        ("", ""),
    ],
)
def test_values_unescape_as_qt_reads_them(raw: str, value: object) -> None:
    assert qt_ini_value(raw) == value


def test_only_the_preferences_section_and_known_keys_are_read(tmp_path: Path) -> None:
    config = tmp_path / "config.ini"
    config.write_text(
        '[General]\nhub=http://wrong.example/\n\n[preferences]\nhub="http://a.example/"\n'
        "threads=3\nunknown=1\n\n[window]\ngeometry=@ByteArray(\\x1\\xd9)\n",
        encoding="utf-8",
    )
    assert read_preferences_file(config) == ({"hub": "http://a.example/", "threads": "3"}, [])


def test_a_missing_file_is_no_problem(tmp_path: Path) -> None:
    assert read_preferences_file(tmp_path / "none.ini") == ({}, [])


def test_an_unreadable_file_is_one_clear_problem(tmp_path: Path) -> None:
    folder = tmp_path / "config.ini"
    folder.mkdir()  # a folder where the file should be: unreadable even for root
    stored, problems = read_preferences_file(folder)
    assert stored == {}
    assert len(problems) == 1 and str(folder) in str(problems[0])
    assert "cannot be read" in str(problems[0])


def test_path_comes_from_the_argument_then_the_environment_then_the_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFERENCE_GUI_CONFIG", str(tmp_path / "env.ini"))
    assert preferences_path(tmp_path / "arg.ini") == tmp_path / "arg.ini"
    assert preferences_path() == tmp_path / "env.ini"
    monkeypatch.delenv("INFERENCE_GUI_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if sys.platform != "win32":  # Windows keeps it under AppData, whatever XDG says
        assert preferences_path() == tmp_path / "xdg" / "inference-gui" / "inference-gui.ini"
    assert preferences_path() == default_preferences_path()
