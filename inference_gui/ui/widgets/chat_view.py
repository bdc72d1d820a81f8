"""A chat's result as a transcript: each message under its role, the assistant's reply growing as it
is decoded, and "Continue the conversation" to answer it.

The output is Transformers.js's ``[{"generated_text": [...messages, {"role": "assistant", ...}]}]``
(a list of those for a batch of chats); anything else raises, and the pane shows the JSON instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine.inputs import RunInput
from inference_gui.ui.widgets.batches import per_input

Conversation = list[dict[str, str]]

# The left edge of a message says who wrote it; the colours read on light and dark themes alike.
ROLE_COLOURS = {"system": "#8a8a8a", "user": "#3d7bd9", "assistant": "#2e9d4f"}
OTHER_ROLE_COLOUR = "#b07a2a"
ROLE_EDGE = 4  # px


class MessageBubble(QFrame):
    """One message: the role above its text (selectable, wrapped)."""

    def __init__(self, role: str, content: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        colour = ROLE_COLOURS.get(role, OTHER_ROLE_COLOUR)
        self.colour = QColor(colour)
        self.role = QLabel(f'<b style="color:{colour}">{role}</b>')
        self.role.setTextFormat(Qt.TextFormat.RichText)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName(f"{role} message")
        self.set_text(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 8, 6)
        layout.setSpacing(2)
        layout.addWidget(self.role)
        layout.addWidget(self.text)

    def set_text(self, content: str) -> None:
        self.text.setText(content or "…")

    def set_font(self, font: QFont) -> None:
        """Set on the labels themselves: under the app's style sheet a parent's font does not
        reach them."""
        for label in (self.role, self.text):
            label.setFont(font)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Painted, not styled: a style sheet would stop the view's (presentation) font from
        reaching the text."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(QRectF(self.rect()), 4, 4)
        painter.setBrush(self.colour)
        painter.drawRect(QRectF(0, 0, ROLE_EDGE, self.height()))
        painter.end()


class ChatView(QWidget):
    """The transcript of one or more conversations; ``stream`` shows a reply as it is decoded."""

    continue_requested = Signal(list)  # the whole conversation, the assistant's reply included

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Chat transcript")
        self.bubbles: list[MessageBubble] = []
        self._conversations: list[Conversation] = []
        self._streaming: tuple[Conversation, MessageBubble] | None = None
        self._body = QWidget()
        self._body_layout = QVBoxLayout(self._body)
        self._body_layout.setSpacing(8)
        self._body_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self._body)
        self.continue_button = QPushButton("Continue the conversation")
        self.continue_button.setToolTip(
            "Put this conversation, reply included, in the input with a new message to write"
        )
        self.continue_button.setEnabled(False)
        self.continue_button.clicked.connect(
            lambda: self.continue_requested.emit(list(self._conversations[0]))
        )
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)

    def changeEvent(self, event: QEvent) -> None:
        """Presentation mode sets a larger font on the view: pass it to the messages."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            for bubble in self.bubbles:
                bubble.set_font(self.font())

    @property
    def conversations(self) -> list[Conversation]:
        return [list(c) for c in self._conversations]

    def show_output(self, output: Any, inputs: RunInput) -> None:
        """Every conversation the output holds (a chat's replies, a batch's chats)."""
        conversations = [
            _conversation(item)
            for result in per_input(output, inputs)
            for item in (result if isinstance(result, list) else [result])
        ]
        if not conversations:
            raise ValueError("the output holds no conversation")
        self._show(conversations)
        # Continuing needs one conversation to continue.
        self.continue_button.setEnabled(len(conversations) == 1)

    def stream(self, conversation: Sequence[Mapping[str, str]], reply: str) -> None:
        """``conversation`` and the assistant's ``reply`` so far (replaced, not appended, so a
        token that changes how the previous ones decode shows right)."""
        messages = [dict(m) for m in conversation]
        if self._streaming is None or self._streaming[0] != messages:
            self._show([[*messages, {"role": "assistant", "content": reply}]])
            self._streaming = (messages, self.bubbles[-1])
            self.continue_button.setEnabled(False)
        self._streaming[1].set_text(reply)
        self._scroll_to_end()

    def clear(self) -> None:
        self._show([])
        self.continue_button.setEnabled(False)

    def _show(self, conversations: list[Conversation]) -> None:
        self._streaming = None
        for old in [*self.bubbles, *self._body.findChildren(QLabel, "chatHeading")]:
            old.setParent(None)  # gone now, not when the event loop next runs
            old.deleteLater()
        self.bubbles = []
        self._conversations = conversations
        at = 0
        for number, conversation in enumerate(conversations, 1):
            if len(conversations) > 1:
                heading = QLabel(f"Conversation {number}")
                heading.setObjectName("chatHeading")
                self._body_layout.insertWidget(at, heading)
                at += 1
            for message in conversation:
                bubble = MessageBubble(message["role"], message["content"], self._body)
                bubble.set_font(self.font())
                self._body_layout.insertWidget(at, bubble)
                self.bubbles.append(bubble)
                at += 1
        self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        """The newest text is what a person reads: keep the end in view once laid out."""
        bar = self.scroll.verticalScrollBar()
        QTimer.singleShot(0, bar, lambda: bar.setValue(bar.maximum()))  # not after bar dies


def _conversation(item: Any) -> Conversation:
    """The messages of one ``{"generated_text": [...]}``; raises for any other shape."""
    messages = item["generated_text"]
    if not isinstance(messages, list):
        raise TypeError("generated_text is not a list of messages")
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in messages]
