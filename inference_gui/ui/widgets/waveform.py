"""A clip's waveform: the min/max envelope per pixel column, with text underneath if wanted.

The envelope is read block by block (memory stays small, whatever the file) and only for the first
``MAX_SECONDS``: a one-hour file draws as fast as a short one, and the caption says what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from inference_gui.engine.inputs import RunInput
from inference_gui.ui.widgets.batches import per_input

if TYPE_CHECKING:
    import numpy as np

COLUMNS = 1200
MAX_SECONDS = 120.0
BLOCK = 65536
WAVE_IN_RESULT = 64  # px: the text is the result, the waveform only says which clip it is


@dataclass(frozen=True)
class Envelope:
    """Lowest and highest sample per column (channels mixed), and how much of the file it covers."""

    low: np.ndarray
    high: np.ndarray
    shown_seconds: float
    file_seconds: float
    rate: int
    channels: int

    def caption(self, name: str) -> str:
        layout = {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} channels")
        text = f"{name} — {self.file_seconds:.2f} s, {self.rate} Hz, {layout}"
        if self.shown_seconds + 1e-6 < self.file_seconds:
            text += f" (waveform of the first {self.shown_seconds:g} s)"
        return text


def read_envelope(path: Path, columns: int = COLUMNS, max_seconds: float = MAX_SECONDS) -> Envelope:
    """The envelope of ``path``; raises soundfile's errors for what it cannot decode."""
    import numpy as np  # on use (a job thread), not with the window
    import soundfile

    with soundfile.SoundFile(str(path)) as audio:
        total = audio.frames
        frames = min(total, int(max_seconds * audio.samplerate))
        count = max(1, min(columns, frames))
        edges = np.linspace(0, frames, count + 1).astype(np.int64)
        low = np.full(count, np.inf)
        high = np.full(count, -np.inf)
        start = 0
        while start < frames:
            block = audio.read(min(BLOCK, frames - start), dtype="float32", always_2d=True)
            if len(block) == 0:
                break
            mono = block.mean(axis=1)
            column = np.searchsorted(edges, np.arange(start, start + len(mono)), side="right") - 1
            np.minimum.at(low, column, mono)
            np.maximum.at(high, column, mono)
            start += len(mono)
        low[~np.isfinite(low)] = 0
        high[~np.isfinite(high)] = 0
        rate = audio.samplerate
        return Envelope(low, high, frames / rate, total / rate, rate, audio.channels)


class WaveformView(QWidget):
    """Painted envelope, centred on the zero line; empty until a clip is set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.envelope: Envelope | None = None
        self.setMinimumHeight(72)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Waveform")

    def set_envelope(self, envelope: Envelope | None) -> None:
        self.envelope = envelope
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 120)

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        palette = self.palette()
        line = QColor(palette.color(QPalette.ColorRole.WindowText))
        line.setAlpha(60)
        middle = self.height() / 2
        painter.setPen(line)
        painter.drawLine(QPointF(0, middle), QPointF(self.width(), middle))
        if self.envelope is None:
            return
        painter.setPen(palette.color(QPalette.ColorRole.Highlight))
        low, high = self.envelope.low, self.envelope.high
        width = max(1, self.width())
        scale = middle * 0.95
        for x in range(width):
            i = min(len(low) - 1, x * len(low) // width)
            top, bottom = middle - high[i] * scale, middle - low[i] * scale
            painter.drawLine(QPointF(x + 0.5, top), QPointF(x + 0.5, max(bottom, top + 1)))


class TranscriptView(QWidget):
    """Speech recognition's result: each clip's waveform with its text underneath."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self.setAccessibleName("Transcript")
        self.texts: list[QLabel] = []

    def show_transcripts(self, rows: list[tuple[Path, str]]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.texts = []
        for path, text in rows:
            wave = WaveformView()
            wave.setFixedHeight(WAVE_IN_RESULT)
            caption = QLabel()
            try:
                envelope = read_envelope(path)
                wave.set_envelope(envelope)
                caption.setText(envelope.caption(path.name))
            except (RuntimeError, OSError, ValueError):
                caption.setText(f"{path.name} (no waveform: the file cannot be read again)")
            said = QLabel(text or "(no text)")
            said.setWordWrap(True)
            said.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            said.setStyleSheet("font-size: 15px; padding: 4px 0;")
            said.setAccessibleName("Transcribed text")
            self.texts.append(said)
            for widget in (caption, wave, said):
                self._layout.addWidget(widget)
        self._layout.addStretch(1)


class TranscriptsView(QScrollArea):
    """The result kind "transcript": every clip's :class:`TranscriptView`, scrolling."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.transcript = TranscriptView()
        self.setWidget(self.transcript)

    def show_output(self, output: Any, inputs: RunInput) -> None:
        texts = [str(result["text"]) for result in per_input(output, inputs)]
        self.transcript.show_transcripts(list(zip(inputs.audios, texts, strict=True)))
