"""Generated audio (text-to-audio): each clip's waveform, play / stop, and Save as WAV.

Each clip is written once as a 16-bit WAV into a folder that lives as long as the result: the
player streams it from there and Save copies it, so neither re-encodes on the GUI thread.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTemporaryDir
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine.inputs import RunInput
from inference_gui.errors import EngineError
from inference_gui.ui.widgets.audio_player import PlayButton
from inference_gui.ui.widgets.batches import per_input
from inference_gui.ui.widgets.waveform import WaveformView, read_envelope

if TYPE_CHECKING:
    from inference_gui.engine.raw_audio import RawAudio

WAVE_HEIGHT = 96


class ClipView(QWidget):
    """One clip: caption, waveform, and its buttons."""

    def __init__(self, clip: RawAudio, wav: Path, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.wav = wav
        self.caption = QLabel(f"{title} — {clip.seconds:.2f} s, {clip.sampling_rate} Hz")
        self.caption.setWordWrap(True)
        self.waveform = WaveformView()
        self.waveform.setFixedHeight(WAVE_HEIGHT)
        self.waveform.set_envelope(read_envelope(wav))
        self.player = PlayButton()
        self.player.set_source(wav)
        self.save_button = QPushButton("Save as WAV…")
        self.save_button.clicked.connect(self._ask_where)
        self.status = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.player, 1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.caption)
        layout.addWidget(self.waveform)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

    def _ask_where(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save audio", self.wav.name, "WAV (*.wav)")
        if name:
            self.save(Path(name))

    def save(self, target: Path) -> bool:
        try:
            shutil.copyfile(self.wav, target)
        except OSError as exc:
            self.status.setText(f"Could not save {target}: {exc.strerror or exc}.")
            return False
        self.status.setText(f"Saved {target}.")
        return True


class GeneratedAudioView(QScrollArea):
    """The result kind "audio": one :class:`ClipView` per generated clip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self._folder: QTemporaryDir | None = None
        self.clips: list[ClipView] = []
        self.setWidget(QWidget())

    def show_output(self, output: Any, inputs: RunInput) -> None:
        # numpy comes with raw_audio: import it with a result in hand, not with the window
        from inference_gui.engine.raw_audio import RawAudio

        clips = per_input(output, inputs)
        if not all(isinstance(clip, RawAudio) for clip in clips):
            raise TypeError("text-to-audio output without RawAudio clips")
        for view in self.clips:
            view.player.stop()
        self._folder = QTemporaryDir()  # the previous result's files go with the old folder
        body = QWidget()
        layout = QVBoxLayout(body)
        self.clips = []
        texts = inputs.texts or ("",) * len(clips)
        for number, (clip, text) in enumerate(zip(clips, texts, strict=False), 1):
            wav = Path(self._folder.path()) / f"speech-{number}.wav"
            try:
                clip.save_wav(wav)
            except EngineError as exc:
                layout.addWidget(QLabel(exc.message))
                continue
            title = f"{number}. “{text[:80]}”" if text else f"Clip {number}"
            view = ClipView(clip, wav, title)
            self.clips.append(view)
            layout.addWidget(view)
        layout.addStretch(1)
        self.setWidget(body)
