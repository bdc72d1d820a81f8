"""Raw output as indented JSON, read-only and monospaced, beside the friendly view."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget


def to_json(value: Any) -> str:
    """Indented JSON; values JSON cannot hold (paths, numpy scalars) are written as text."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class JsonView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setAccessibleName("Raw JSON output")

    def set_value(self, value: Any) -> None:
        self.setPlainText(to_json(value))
