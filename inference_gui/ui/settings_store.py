"""Persisted preferences and window state in QSettings (INI format, so people can read the file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from inference_gui.config import APP_NAME, ENV_PREFIX, OPTIONS
from inference_gui.errors import ConfigError

CONFIG_ENV = ENV_PREFIX + "CONFIG"
PREFS_GROUP = "preferences"


def open_store(path: str | os.PathLike[str] | None = None) -> tuple[QSettings, list[ConfigError]]:
    """Open the preferences file (``path``, ``$INFERENCE_GUI_CONFIG`` or the platform default)."""
    path = path or os.environ.get(CONFIG_ENV)
    if path:
        store = QSettings(str(Path(path).expanduser()), QSettings.Format.IniFormat)
    else:
        store = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, APP_NAME, APP_NAME)
    problems = []
    if store.status() != QSettings.Status.NoError:
        problems.append(
            ConfigError(
                f"The configuration file {store.fileName()} cannot be read ({store.status().name}).",
                "Fix or delete it; defaults are used meanwhile.",
            )
        )
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
