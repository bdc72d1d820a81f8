"""A chat as a run's input: messages with roles, added and removed one by one, or pasted as JSON.

The rows are what a person edits; "Edit as JSON" swaps them for the list Transformers.js takes
(``[{"role": ..., "content": ...}]``), so a conversation copied from a script or the CLI's
``--messages`` file goes in as it is. Checking what the messages hold is the engine's job
(:meth:`RunInput.chat`), so the pane, the CLI and examples refuse a bad chat with the same words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inference_gui.errors import EngineError
from inference_gui.ui.error_text import error_text

CHAT_ROLES = ("system", "user", "assistant")
CONTENT_LINES = 2  # a message box shows this many lines before it scrolls


class MessageRow(QWidget):
    """One message: its role, its text and a button that removes it."""

    def __init__(self, role: str, content: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = QComboBox()
        self.role.addItems(CHAT_ROLES)
        if role not in CHAT_ROLES:  # a role the pane does not offer (tool) is kept, not changed
            self.role.addItem(role)
        self.role.setCurrentText(role)
        self.role.setAccessibleName("Role")
        self.content = QPlainTextEdit(content)
        self.content.setAccessibleName("Message")
        self.content.setPlaceholderText("Message")
        self.content.setTabChangesFocus(True)
        line = self.content.fontMetrics().lineSpacing()
        self.content.setFixedHeight(line * CONTENT_LINES + 12)
        self.remove = QToolButton(text="✕")
        self.remove.setToolTip("Remove this message")
        self.remove.setAccessibleName("Remove message")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.role, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.content, 1)
        layout.addWidget(self.remove, 0, Qt.AlignmentFlag.AlignTop)

    def message(self) -> dict[str, str]:
        return {"role": self.role.currentText(), "content": self.content.toPlainText()}


class ChatInput(QWidget):
    """The messages of one conversation; ``messages`` gives them as the engine takes them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[MessageRow] = []
        self._list = QWidget()
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(0, 0, 0, 0)
        self._list_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self._list)
        # two messages in view: the one answered and the one being written
        self.scroll.setMinimumHeight(2 * MessageRow("user", "").sizeHint().height() + 12)
        self.json = QPlainTextEdit()
        self.json.setAccessibleName("Messages as JSON")
        self.json.setPlaceholderText('[{"role": "user", "content": "Hello"}]')
        self.views = QStackedWidget()
        self.views.addWidget(self.scroll)
        self.views.addWidget(self.json)
        self.add_button = QPushButton("Add message")
        self.add_button.setToolTip("Add a message (the role follows the last one)")
        self.add_button.clicked.connect(self._add_next)
        self.json_button = QPushButton("Edit as JSON")
        self.json_button.setCheckable(True)
        self.json_button.setToolTip("Edit or paste the messages as a JSON list of {role, content}")
        self.json_button.toggled.connect(self._set_json_mode)
        self.problem = QLabel()
        self.problem.setObjectName("chatInputProblem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        for button in (self.add_button, self.json_button):
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.json_button)
        buttons.addWidget(self.problem, 1)
        buttons.addStretch(0)  # keeps the buttons left while there is no problem to show
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.views, 1)
        layout.addLayout(buttons)
        self.set_messages([{"role": "user", "content": ""}])

    # -- rows --------------------------------------------------------------------------------------
    def add_message(self, role: str = "user", content: str = "") -> MessageRow:
        row = MessageRow(role, content)
        row.remove.clicked.connect(lambda: self._remove(row))
        self._list_layout.insertWidget(len(self.rows), row)
        self.rows.append(row)
        return row

    def _add_next(self) -> None:
        if self.json_button.isChecked():
            self.json_button.setChecked(False)
            if self.json_button.isChecked():  # the JSON did not parse: stay and say why
                return
        last = self.rows[-1].role.currentText() if self.rows else "assistant"
        row = self.add_message("assistant" if last == "user" else "user")
        self._show(row)

    def _remove(self, row: MessageRow) -> None:
        self.rows.remove(row)
        row.setParent(None)  # gone now, not when the event loop next runs
        row.deleteLater()

    def _show(self, row: MessageRow) -> None:
        """Scroll to ``row`` and put the cursor in it, once the layout has placed it."""
        self._list.adjustSize()
        self.scroll.ensureWidgetVisible(row)
        row.content.setFocus()

    def set_messages(self, messages: Sequence[Mapping[str, Any]]) -> None:
        """Show ``messages`` as rows (leaving JSON mode)."""
        self.json_button.setChecked(False)
        for row in list(self.rows):
            self._remove(row)
        for message in messages:
            self.add_message(str(message.get("role", "user")), str(message.get("content", "")))
        self._say("")

    def continue_with(self, conversation: Sequence[Mapping[str, Any]]) -> None:
        """The conversation so far (the assistant's reply included) and a new user message to
        type in: continuing a chat is answering its last reply."""
        self.set_messages([*conversation, {"role": "user", "content": ""}])
        self._show(self.rows[-1])

    # -- value -------------------------------------------------------------------------------------
    def messages(self) -> Any:
        """The messages as JSON-like data (checked by :meth:`RunInput.chat`, not here)."""
        if self.json_button.isChecked():
            return _parse(self.json.toPlainText())
        return self.messages_of_rows()

    def _set_json_mode(self, on: bool) -> None:
        if on:
            self.json.setPlainText(
                json.dumps(self.messages_of_rows(), indent=2, ensure_ascii=False)
            )
            self.views.setCurrentWidget(self.json)
            self._say("")
            return
        try:
            parsed = _parse(self.json.toPlainText())
            if not isinstance(parsed, list) or not all(isinstance(m, Mapping) for m in parsed):
                raise EngineError(
                    "The messages are not a JSON list of {role, content} objects.",
                    'Write them like [{"role": "user", "content": "Hello"}].',
                )
        except EngineError as exc:
            self._say(error_text(exc))
            self.json_button.blockSignals(True)
            self.json_button.setChecked(True)
            self.json_button.blockSignals(False)
            return
        self.views.setCurrentWidget(self.scroll)
        self.set_messages(parsed)

    def messages_of_rows(self) -> list[dict[str, str]]:
        return [row.message() for row in self.rows]

    def _say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EngineError(
            f"The messages are not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
            'Write them like [{"role": "user", "content": "Hello"}], or leave JSON editing.',
        ) from None
