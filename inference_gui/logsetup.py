"""Logging through the standard ``logging`` module into a rotating file in the app's log folder."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path | None:
    """Send app logs to ``log_dir/inference-gui.log``; returns the file, or None if unwritable."""
    root = logging.getLogger()
    root.setLevel(min(root.level or level, level))
    log_file = log_dir / "inference-gui.log"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=3)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.set_name("inference-gui-file")
    for existing in list(root.handlers):
        if existing.get_name() == "inference-gui-file":
            root.removeHandler(existing)
            existing.close()
    root.addHandler(handler)
    return log_file
