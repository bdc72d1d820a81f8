"""Persisted preferences and window state in QSettings (INI format, so people can read the file).

The file is the one :func:`inference_gui.preferences_file.preferences_path` names, which the CLI
reads without Qt; both read the ``[preferences]`` section with the same (Qt's) INI rules.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QSettings

from inference_gui.config import OPTIONS
from inference_gui.errors import ConfigError
from inference_gui.preferences_file import PREFS_GROUP, preferences_path, unreadable_problem


def open_store(path: str | os.PathLike[str] | None = None) -> tuple[QSettings, list[ConfigError]]:
    """Open the preferences file (``path``, ``$INFERENCE_GUI_CONFIG`` or the platform default)."""
    store = QSettings(str(preferences_path(path)), QSettings.Format.IniFormat)
    problems = []
    if store.status() != QSettings.Status.NoError:
        problems.append(unreadable_problem(store.fileName(), store.status().name))
    return store, problems


def read_preferences(store: QSettings) -> dict[str, Any]:
    store.beginGroup(PREFS_GROUP)
    try:
        return {o.key: store.value(o.key) for o in OPTIONS if store.contains(o.key)}
    finally:
        store.endGroup()


def write_preferences(store: QSettings, values: dict[str, str]) -> None:
    """Store the given preferences; an empty string removes one (back to the default)."""
    store.beginGroup(PREFS_GROUP)
    try:
        for key, value in values.items():
            if value == "":
                store.remove(key)
            else:
                store.setValue(key, value)
    finally:
        store.endGroup()
    store.sync()
