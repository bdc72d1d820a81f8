"""The app's services, built once from settings and shared by the CLI, the GUI and tests.

Services (records, cache, engines) are created lazily so a command only pays for what it uses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from inference_gui.config import Settings
from inference_gui.jobs import JobRunner

if TYPE_CHECKING:
    from inference_gui.cache import ModelCache
    from inference_gui.engine.registry import EngineRegistry
    from inference_gui.hub import Hub
    from inference_gui.records import RecordsService
    from inference_gui.run_service import RunService


@dataclass
class AppContext:
    settings: Settings
    jobs: JobRunner = field(default_factory=JobRunner)
    _services: dict[str, tuple[Any, Any]] = field(default_factory=dict, init=False, repr=False)
    _services_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _service(self, name: str, key: Any, build: Any) -> Any:
        """Build a service once per value of the settings it depends on (Preferences may change)."""
        with self._services_lock:  # worker threads and the GUI thread may ask at once
            held = self._services.get(name)
            if held is None or held[0] != key:
                if held is not None and hasattr(held[1], "close"):
                    held[1].close()
                held = (key, build())
                self._services[name] = held
            return held[1]

    @property
    def hub(self) -> Hub:
        from inference_gui.hub import Hub
        from inference_gui.hub.urls import DeferredPolicy

        s = self.settings
        policy = DeferredPolicy(lambda: self.records.url_policy())
        return self._service(
            "hub", (s.hub, s.hub_template, s.offline), lambda: Hub.from_settings(s, policy=policy)
        )

    @property
    def records(self) -> RecordsService:
        """Settings records; built once, it reads the current settings on every call."""
        from inference_gui.records import RecordsService

        return self._service("records", None, lambda: RecordsService(lambda: self.settings))

    @property
    def cache(self) -> ModelCache:
        from inference_gui.cache import ModelCache

        s = self.settings
        return self._service(
            "cache", (s.cache_dir, s.cache_limit_bytes), lambda: ModelCache.from_settings(s)
        )

    @property
    def engines(self) -> EngineRegistry:
        """Loaded engines; kept across settings changes (new engines use the current hub)."""
        from inference_gui.engine.default_files import default_factory
        from inference_gui.engine.registry import EngineRegistry

        return self._service(
            "engines",
            None,
            lambda: EngineRegistry(
                lambda options: default_factory(self, used_by=options.usage_tag)
            ),
        )

    @property
    def runs(self) -> RunService:
        """Plans and runs (records, settings and flags applied in one place); see run_service."""
        from inference_gui.run_service import RunService

        return self._service("runs", None, lambda: RunService(self))

    def cache_size(self) -> int:
        """Bytes held by the model cache, from its index (distinct contents counted once)."""
        return self.cache.total_size()

    def close(self) -> None:
        self.jobs.shutdown()
        engines = self._services.pop("engines", None)
        if engines is not None:
            engines[1].unload_all()
        cache = self._services.pop("cache", None)
        if cache is not None:
            cache[1].close()
