"""A run's input in the form its task takes: text (one or a batch), question + context, image,
audio, or a chat; candidate labels under the text or image for zero-shot tasks.

The task decides the page (:meth:`InputEditor.set_task`); a task that takes a chat where it takes
text (text-generation) offers "Prompt" or "Chat", and an example bringing messages picks "Chat".
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine.inputs import InputKind, RunInput
from inference_gui.engine.tasks import TaskSpec
from inference_gui.errors import EngineError
from inference_gui.ui.widgets.audio_input import AudioInput
from inference_gui.ui.widgets.chat_input import ChatInput
from inference_gui.ui.widgets.image_input import ImageInput


def _page(*widgets: QWidget) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QPlainTextEdit | ImageInput) else 0)
    return page


class InputEditor(QWidget):
    """One page per input kind; ``set_task`` follows the task, ``value`` builds the RunInput."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Input text")
        self.batch = QCheckBox("One input per line (a batch)")
        self.question = QLineEdit()
        self.question.setPlaceholderText("Question")
        self.context = QPlainTextEdit()
        self.context.setPlaceholderText("Context: the text holding the answer")
        self.image = ImageInput()
        self.labels = QLineEdit()
        self.labels.setPlaceholderText("Candidate labels, comma-separated: sports, politics, …")
        self.labels.setAccessibleName("Candidate labels")
        self.labels_row = QWidget()
        labels_layout = QHBoxLayout(self.labels_row)
        labels_layout.setContentsMargins(0, 0, 0, 0)
        labels_layout.addWidget(QLabel("Labels"))
        labels_layout.addWidget(self.labels, 1)
        self.labels_row.setVisible(False)
        self.audio = AudioInput()
        self.chat = ChatInput()
        self.pages = QStackedWidget()
        self._pages: dict[str, QWidget] = {
            "text": _page(self.text, self.batch),
            "qa": _page(self.question, self.context),
            "image": _page(self.image),
            "audio": self.audio,
            "chat": self.chat,
        }
        for page in self._pages.values():
            self.pages.addWidget(page)
        self.prompt_mode = QRadioButton("Prompt")
        self.prompt_mode.setToolTip("Continue a text")
        self.chat_mode = QRadioButton("Chat")
        self.chat_mode.setToolTip("Messages with roles, answered with the model's chat template")
        self.prompt_mode.setChecked(True)
        modes = QButtonGroup(self)
        modes.addButton(self.prompt_mode)
        modes.addButton(self.chat_mode)
        self.chat_mode.toggled.connect(lambda _: self._show_page())
        self.modes_row = QWidget()
        modes_layout = QHBoxLayout(self.modes_row)
        modes_layout.setContentsMargins(0, 0, 0, 0)
        modes_layout.addWidget(self.prompt_mode)
        modes_layout.addWidget(self.chat_mode)
        modes_layout.addStretch(1)
        self.modes_row.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.modes_row)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.labels_row)
        self._task_kind: InputKind = "text"

    def minimumSizeHint(self) -> QSize:
        """The shown page's minimum, not the tallest page's: a text input needs less room than
        the image preview, and the room goes to the result."""
        page = self.pages.currentWidget().minimumSizeHint()
        extra = sum(
            row.sizeHint().height() + 6
            for row in (self.modes_row, self.labels_row)
            if row.isVisibleTo(self)
        )
        return QSize(page.width(), page.height() + extra)

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint().expandedTo(self.pages.currentWidget().sizeHint())

    @property
    def kind(self) -> InputKind:
        """What the input is now: the task's kind, or "chat" when a chat is chosen."""
        return (
            "chat"
            if self.modes_row.isVisibleTo(self) and self.chat_mode.isChecked()
            else self._task_kind
        )

    def set_task(self, task: TaskSpec) -> None:
        """The page ``task`` takes, "Prompt / Chat" when it takes a chat, labels when it takes
        candidate labels."""
        self.set_kind(task.input_kind, chat=task.accepts_chat, labels=task.takes_labels)

    def set_kind(self, kind: InputKind, *, chat: bool = False, labels: bool = False) -> None:
        self._task_kind = kind
        self.modes_row.setVisible(chat)
        self.labels_row.setVisible(labels)
        self._show_page()

    def _show_page(self) -> None:
        self.pages.setCurrentWidget(self._pages.get(self.kind, self._pages["text"]))
        self.updateGeometry()

    def _labels(self) -> list[str]:
        return [label.strip() for label in self.labels.text().split(",") if label.strip()]

    def value(self) -> RunInput:
        """The input as the engine takes it; no image chosen yet is an error saying what to do."""
        kind, labels = self.kind, self.labels_row.isVisibleTo(self)
        if kind == "chat":
            return RunInput.chat(self.chat.messages())
        if kind == "qa":
            return RunInput.qa(self.question.text(), self.context.toPlainText())
        if kind == "image":
            if self.image.path is None:
                raise EngineError("No image is chosen.", "Open, drop or paste an image first.")
            paths = self.image.paths  # several: one batch, a list of results as Transformers.js
            images = paths if len(paths) > 1 else paths[0]
            return RunInput.zero_shot_image(images, self._labels() if labels else [])
        if kind == "audio":
            if self.audio.path is None:
                raise EngineError("No audio file is chosen.", "Open or drop an audio file first.")
            return RunInput.audio(self.audio.path)
        text = self.text.toPlainText()
        texts = (
            [line for line in text.splitlines() if line.strip()] if self.batch.isChecked() else text
        )
        return RunInput.zero_shot(texts, self._labels()) if labels else RunInput.text(texts)

    def load(self, inputs: RunInput) -> None:
        """Show an example's input in the page of its kind (a chat switches to "Chat")."""
        self.labels.setText(", ".join(inputs.labels))
        self.chat_mode.setChecked(bool(inputs.chats))
        self.prompt_mode.setChecked(not inputs.chats)
        if inputs.chats:
            self.chat.set_messages(inputs.chats[0])
        elif inputs.kind == "qa":
            self.question.setText(inputs.question or "")
            self.context.setPlainText(inputs.context or "")
        elif inputs.images:
            self.image.set_paths(list(inputs.images))
        elif inputs.audios:
            self.audio.set_path(inputs.audios[0])
        else:
            self.text.setPlainText("\n".join(inputs.texts))
            self.batch.setChecked(inputs.batched)
