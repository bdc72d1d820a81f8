"""An audio input: open a file, drop one or record one; its waveform and length show what will run,
and it can be played before running.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from inference_gui.ui.widgets.audio_player import PlayButton
from inference_gui.ui.widgets.recorder import Recorder
from inference_gui.ui.widgets.waveform import WaveformView, read_envelope

AUDIO_FILTER = "Audio (*.wav *.flac *.ogg *.oga *.opus *.mp3 *.aiff *.aif);;All files (*)"


class AudioInput(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._path: Path | None = None
        self.waveform = WaveformView()
        self.waveform.setMaximumHeight(160)
        self.caption = QLabel("Drop an audio file here (WAV, FLAC, OGG, MP3) or open one.")
        self.caption.setWordWrap(True)
        open_button = QPushButton("Open…")
        open_button.clicked.connect(self._open)
        self.player = PlayButton()
        self.recorder = Recorder()
        self.recorder.recorded.connect(self.set_path)
        buttons = QHBoxLayout()
        buttons.addWidget(open_button)
        buttons.addWidget(self.player, 1)
        buttons.addWidget(self.recorder, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.waveform, 1)
        layout.addWidget(self.caption)
        layout.addLayout(buttons)

    @property
    def path(self) -> Path | None:
        return self._path

    def set_path(self, path: Path) -> bool:
        """Show ``path``; False (and a message) when it cannot be decoded as audio."""
        try:
            envelope = read_envelope(Path(path))
        except (RuntimeError, OSError, ValueError):
            kept = f" Still using {self._path.name}." if self._path else ""
            self.caption.setText(f"{path} is not an audio file this app can read.{kept}")
            return False
        self._path = Path(path)
        self.player.set_source(self._path)
        self.waveform.set_envelope(envelope)
        self.caption.setText(envelope.caption(self._path.name))
        self.changed.emit()
        return True

    def _open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open an audio file", "", AUDIO_FILTER)
        if name:
            self.set_path(Path(name))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile() and self.set_path(Path(url.toLocalFile())):
                event.acceptProposedAction()
                return
