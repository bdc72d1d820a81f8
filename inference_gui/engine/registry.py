"""The engines this process holds: reused by options, listed in the Engines pane, unloaded.

Same options (and same file source) -> the same :class:`Engine`, so the second run of a feature
does not load again. Thread-safe: job threads create and run engines while the GUI lists them.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

from inference_gui.engine.engine import Engine, EngineInfo, as_factory
from inference_gui.engine.options import EngineOptions
from inference_gui.engine.sources import FilesFactory, ModelFiles
from inference_gui.errors import EngineError

Listener = Callable[[], None]


class EngineRegistry:
    """Engines by options key. ``default_files`` gives the files when a caller names none."""

    def __init__(
        self, default_files: Callable[[EngineOptions], FilesFactory] | None = None
    ) -> None:
        self._default_files = default_files
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._listeners: list[Listener] = []

    def get(self, options: EngineOptions, files: ModelFiles | FilesFactory | None = None) -> Engine:
        """The engine for ``options``, created (not loaded) on first request."""
        source = files.label if isinstance(files, ModelFiles) else (id(files) if files else "")
        key = f"{options.key()}|{source}"
        with self._lock:
            engine = self._engines.get(key)
            if engine is None:
                if files is None:
                    if self._default_files is None:
                        raise EngineError(
                            "No model source is configured.", "Set a hub in Preferences."
                        )
                    factory = self._default_files(options)
                else:
                    factory = as_factory(files, options)
                engine = Engine(
                    options,
                    factory,
                    engine_id=f"e{next(self._ids)}",
                    on_change=lambda _e: self._notify(),
                    source=files.label if isinstance(files, ModelFiles) else "",
                )
                self._engines[key] = engine
        self._notify()
        return engine

    def engines(self) -> list[Engine]:
        with self._lock:
            return list(self._engines.values())

    def infos(self) -> list[EngineInfo]:
        return [e.info() for e in self.engines()]

    def find(self, engine_id: str) -> Engine | None:
        return next((e for e in self.engines() if e.id == engine_id), None)

    def unload(self, engine_id: str) -> bool:
        """Free an engine's sessions and forget it; True if it existed.

        Waits for a run in progress.
        """
        with self._lock:
            key = next((k for k, e in self._engines.items() if e.id == engine_id), None)
            engine = self._engines.pop(key) if key is not None else None
        if engine is None:
            return False
        engine.unload()
        self._notify()
        return True

    def unload_all(self) -> int:
        with self._lock:
            engines = list(self._engines.values())
            self._engines.clear()
        for engine in engines:
            engine.unload()
        self._notify()
        return len(engines)

    def subscribe(self, listener: Listener) -> None:
        """Called (on whatever thread made the change) when engines are added, change or go."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
