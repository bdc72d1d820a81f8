"""A run's input in the form its task takes: text (one or a batch), question + context, image,
audio."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine.inputs import InputKind, RunInput
from inference_gui.errors import EngineError
from inference_gui.ui.widgets.audio_input import AudioInput
from inference_gui.ui.widgets.image_input import ImageInput


def _page(*widgets: QWidget) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QPlainTextEdit) else 0)
    return page


class InputEditor(QStackedWidget):
    """One page per input kind; ``set_kind`` follows the task, ``value`` builds the RunInput."""

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
        self.audio = AudioInput()
        self._pages: dict[str, QWidget] = {
            "text": _page(self.text, self.batch),
            "qa": _page(self.question, self.context),
            "image": self.image,
            "audio": self.audio,
        }
        for page in self._pages.values():
            self.addWidget(page)
        self._kind: InputKind = "text"

    @property
    def kind(self) -> InputKind:
        return self._kind

    def set_kind(self, kind: InputKind) -> None:
        self._kind = kind
        self.setCurrentWidget(self._pages.get(kind, self._pages["text"]))

    def value(self) -> RunInput:
        """The input as the engine takes it; no image chosen yet is an error saying what to do."""
        if self._kind == "qa":
            return RunInput.qa(self.question.text(), self.context.toPlainText())
        if self._kind == "image":
            if self.image.path is None:
                raise EngineError("No image is chosen.", "Open, drop or paste an image first.")
            return RunInput.image(self.image.path)
        if self._kind == "audio":
            if self.audio.path is None:
                raise EngineError("No audio file is chosen.", "Open or drop an audio file first.")
            return RunInput.audio(self.audio.path)
        text = self.text.toPlainText()
        if self.batch.isChecked():
            return RunInput.text([line for line in text.splitlines() if line.strip()])
        return RunInput.text(text)

    def load(self, value: Mapping[str, Any], image: Path | None = None) -> None:
        """Show an example's input (``text``, ``texts``, ``question``/``context``, or ``image``)."""
        if "question" in value or "context" in value:
            self.question.setText(str(value.get("question", "")))
            self.context.setPlainText(str(value.get("context", "")))
        elif image is not None:
            self.image.set_path(image)
        else:
            texts = value.get("texts") or [value.get("text", "")]
            self.text.setPlainText("\n".join(str(t) for t in texts))
            self.batch.setChecked("texts" in value)
