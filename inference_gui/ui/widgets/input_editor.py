"""A run's input in the form its task takes: text (one or a batch), question + context, image,
audio."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
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
        layout.addWidget(widget, 1 if isinstance(widget, QPlainTextEdit | ImageInput) else 0)
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
        self.labels = QLineEdit()
        self.labels.setPlaceholderText("Candidate labels, comma-separated (zero-shot tasks)")
        self.labels.setAccessibleName("Candidate labels")
        # further images an example brings (image feature extraction compares them); choosing
        # another image forgets them
        self.more_images: list[Path] = []
        self.image.changed.connect(self.more_images.clear)
        self.audio = AudioInput()
        self._pages: dict[str, QWidget] = {
            "text": _page(self.text, self.batch),
            "qa": _page(self.question, self.context),
            "image": _page(self.image, self.labels),
            "audio": self.audio,
        }
        for page in self._pages.values():
            self.addWidget(page)
        self._kind: InputKind = "text"

    def minimumSizeHint(self) -> QSize:
        """The shown page's minimum, not the tallest page's: a text input needs less room than
        the image preview, and the room goes to the result."""
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    @property
    def kind(self) -> InputKind:
        return self._kind

    def set_kind(self, kind: InputKind) -> None:
        self._kind = kind
        self.setCurrentWidget(self._pages.get(kind, self._pages["text"]))
        self.updateGeometry()

    def value(self) -> RunInput:
        """The input as the engine takes it; no image chosen yet is an error saying what to do."""
        if self._kind == "qa":
            return RunInput.qa(self.question.text(), self.context.toPlainText())
        if self._kind == "image":
            if self.image.path is None:
                raise EngineError("No image is chosen.", "Open, drop or paste an image first.")
            labels = [label.strip() for label in self.labels.text().split(",") if label.strip()]
            if self.more_images:
                return RunInput.zero_shot_image([self.image.path, *self.more_images], labels)
            return RunInput.zero_shot_image(self.image.path, labels)
        if self._kind == "audio":
            if self.audio.path is None:
                raise EngineError("No audio file is chosen.", "Open or drop an audio file first.")
            return RunInput.audio(self.audio.path)
        text = self.text.toPlainText()
        if self.batch.isChecked():
            return RunInput.text([line for line in text.splitlines() if line.strip()])
        return RunInput.text(text)

    def load(
        self, value: Mapping[str, Any], image: Path | None = None, more: Sequence[Path] = ()
    ) -> None:
        """Show an example's input (``text``, ``texts``, ``question``/``context``, or ``image``)."""
        if "question" in value or "context" in value:
            self.question.setText(str(value.get("question", "")))
            self.context.setPlainText(str(value.get("context", "")))
        elif image is not None:
            self.image.set_path(image)
            self.labels.setText(", ".join(str(label) for label in value.get("labels", [])))
            self.more_images = list(more)
        else:
            texts = value.get("texts") or [value.get("text", "")]
            self.text.setPlainText("\n".join(str(t) for t in texts))
            self.batch.setChecked("texts" in value)
