"""A JSON object editor that says, as you type, whether (and where) the options are not valid.

Beyond JSON, the options are checked against the task's declaration (engine.option_schema, the one
the engine checks a run with): a wrong type or value is an error that disables Run; a key the task
does not read is warned about; a value Transformers.js does not apply is noted.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from inference_gui.engine.option_schema import check_options

COLORS = {"error": "#b3261e", "warning": "#8a5a00", "note": "#1f5f99"}
LABELS = {"error": "Error", "warning": "Warning", "note": "Note"}


def parse_options(text: str) -> tuple[dict[str, Any] | None, str]:
    """(options, "") when ``text`` is a JSON object (or empty), else (None, what is wrong)."""
    if not text.strip():
        return {}, ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
    if not isinstance(value, dict):
        return None, 'The options must be a JSON object, like {"top_k": 3}.'
    return value, ""


class _CompactEditor(QPlainTextEdit):
    """Asks for four lines, not QPlainTextEdit's 192 px: in the scrolling settings panel the
    preferred height is what the panel gives, and the problems below must fit at 1024x640."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        lines = self.fontMetrics().lineSpacing() * 4
        return QSize(hint.width(), lines + 2 * self.frameWidth() + 8)


class OptionsEditor(QWidget):
    """``validity_changed(bool)`` lets the pane disable Run while the options cannot be used."""

    validity_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = _CompactEditor()
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setAccessibleName("Pipeline options (JSON)")
        self.editor.setPlaceholderText('{"top_k": 3}')
        self.status = QLabel()
        self.status.setObjectName("optionsStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.status)
        self._valid = True
        self.task = ""
        self.editor.textChanged.connect(self._validate)
        self._validate()

    @property
    def valid(self) -> bool:
        return self._valid

    def value(self) -> dict[str, Any]:
        """The options; only call while ``valid`` (the pane disables Run otherwise)."""
        return parse_options(self.editor.toPlainText())[0] or {}

    def set_value(self, options: Mapping[str, Any]) -> None:
        self.editor.setPlainText(json.dumps(dict(options), indent=2) if options else "{}")

    def set_task(self, task: str) -> None:
        """Check the options against ``task``'s declaration from now on."""
        self.task = task
        self._validate()

    def _validate(self) -> None:
        value, problem = parse_options(self.editor.toPlainText())
        found = check_options(self.task, value) if value and self.task else []
        severity = (
            "error"
            if problem
            else next(
                (s for s in ("error", "warning", "note") if any(p.severity == s for p in found)), ""
            )
        )
        lines = [("error", problem)] if problem else [(p.severity, p.message) for p in found]
        # each line in its own severity's colour and word, so a note under an error does not
        # read as one (nor rely on colour alone)
        self.status.setText(
            "<br>".join(
                f'<span style="color: {COLORS[kind]}">{LABELS[kind]}: '
                f"{html.escape(text, quote=False)}</span>"
                for kind, text in lines
            )
            or "Options are valid."
        )
        self.status.setProperty("error", severity == "error")
        self.status.setProperty("severity", severity)
        valid = severity != "error"
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
