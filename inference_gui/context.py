"""The app's services, built once from settings and shared by the CLI, the GUI and tests.

Services (records, cache, engines) are created lazily so a command only pays for what it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inference_gui.config import Settings
from inference_gui.jobs import JobRunner


@dataclass
class AppContext:
    settings: Settings
    jobs: JobRunner = field(default_factory=JobRunner)

    def cache_size(self) -> int:
        """Bytes held by the model cache folder (walks the folder; call it off the GUI thread)."""
        total = 0
        for path in self.settings.cache_dir.rglob("*"):
            try:
                if path.is_file() and not path.is_symlink():
                    total += path.stat().st_size
            except OSError:
                continue
        return total

    def close(self) -> None:
        self.jobs.shutdown()
