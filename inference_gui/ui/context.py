"""What every pane receives: the core services, the worker, the preferences store and signals."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from inference_gui.config import OPTIONS, Settings, load_settings
from inference_gui.context import AppContext
from inference_gui.errors import ConfigError
from inference_gui.ui.log_bridge import LogBridge
from inference_gui.ui.settings_store import read_preferences, write_preferences
from inference_gui.ui.worker import Worker


class UiContext(QObject):
    """Shared by the main window and its panes; ``settings_changed`` fires after Preferences."""

    settings_changed = Signal()

    def __init__(
        self,
        app: AppContext,
        store: QSettings,
        env: Mapping[str, str],
        flags: Mapping[str, Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.store = store
        self.env = dict(env)
        self.flags = dict(flags)
        self.worker = Worker(app.jobs, self)
        self.log_bridge = LogBridge(parent=self)

    @property
    def settings(self) -> Settings:
        return self.app.settings

    def overridden_keys(self) -> set[str]:
        """Preferences that a flag or environment variable currently overrides."""
        return {o.key for o in OPTIONS if o.env in self.env or self.flags.get(o.key) is not None}

    def save_preferences(self, values: dict[str, str]) -> list[ConfigError]:
        """Validate and persist preferences, then apply them; nothing is saved if any is invalid."""
        stored = {**read_preferences(self.store), **values}
        stored = {k: v for k, v in stored.items() if v not in ("", None)}
        _, problems = load_settings(stored, env={}, flags={})
        if problems:
            return problems
        write_preferences(self.store, values)
        settings, _ = load_settings(stored, self.env, self.flags)
        old, self.app.settings = self.app.settings, dataclasses.replace(settings)
        if (old.hub, old.hub_template) != (settings.hub, settings.hub_template):
            # Engines are keyed by their options, not the hub: a loaded one would keep serving
            # the old hub's model under the same name. Unloading waits for runs, so off the GUI.
            self.worker.submit(lambda _: self.app.engines.unload_all(), name="unload engines")
        self.settings_changed.emit()
        return []
