"""Routes ``logging`` records from any thread to the Log pane on the GUI thread."""

from __future__ import annotations

import contextlib
import logging
from collections import deque

from PySide6.QtCore import QObject, Signal

from inference_gui.logsetup import LOG_FORMAT


class LogBridge(QObject):
    """Keeps the most recent records and announces each new one through a queued signal."""

    record_added = Signal(object)

    def __init__(self, capacity: int = 5000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.records: deque[logging.LogRecord] = deque(maxlen=capacity)
        self.formatter = logging.Formatter(LOG_FORMAT)
        self.handler = _Handler(self)
        self.record_added.connect(self.records.append)

    def install(self) -> None:
        logging.getLogger().addHandler(self.handler)

    def uninstall(self) -> None:
        logging.getLogger().removeHandler(self.handler)


class _Handler(logging.Handler):
    def __init__(self, bridge: LogBridge) -> None:
        super().__init__(logging.DEBUG)
        self.bridge = bridge

    def emit(self, record: logging.LogRecord) -> None:
        # RuntimeError: the bridge's Qt object is gone (app shutting down).
        with contextlib.suppress(RuntimeError):
            self.bridge.record_added.emit(record)
