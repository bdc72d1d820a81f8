"""Record from the microphone: a record / stop button, a level meter, and a WAV when stopped.

QAudioSource delivers the microphone's bytes in chunks through ``readyRead`` (Qt's audio thread
fills the buffer; the GUI thread only copies a few milliseconds of samples per chunk), so nothing
waits on the device. A take is kept as 16-bit mono samples and bounded by ``MAX_SECONDS``; when
stopped it is written as a WAV in a folder that lives as long as the widget, and ``recorded``
hands its path to the audio input. No microphone, or no QtMultimedia, is one line in the status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTemporaryDir, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from inference_gui.ui.widgets.audio_player import multimedia_problem

if TYPE_CHECKING:
    import numpy as np

RECORD, STOP = "● Record", "■ Stop"
MAX_SECONDS = 300  # five minutes: ~10 MB at 16 kHz; speech models read 30 s windows anyway
NO_MICROPHONE = "No microphone was found: connect one (or allow this app to use it) and try again."
FLOOR_DB = -60.0  # the meter's empty end

# QAudioFormat.SampleFormat names -> numpy dtype and the value of full scale
SAMPLE_FORMATS: dict[str, tuple[str, float, float]] = {
    "UInt8": ("u1", 128.0, 128.0),
    "Int16": ("<i2", 0.0, 32768.0),
    "Int32": ("<i4", 0.0, 2147483648.0),
    "Float": ("<f4", 0.0, 1.0),
}


@dataclass
class Take:
    """One recording: raw chunks in the device's format, decoded to mono as they arrive."""

    sample_format: str
    channels: int
    rate: int
    chunks: list[np.ndarray] = field(default_factory=list)
    frames: int = 0
    _rest: bytes = b""

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    def add(self, data: bytes) -> float:
        """Append ``data`` (whole frames; a split frame waits for the next chunk); its peak dBFS."""
        import numpy as np  # on recording, not with the window

        kind, offset, scale = SAMPLE_FORMATS[self.sample_format]
        width = np.dtype(kind).itemsize * self.channels
        data = self._rest + data
        usable = len(data) - len(data) % width
        self._rest = data[usable:]
        values = np.frombuffer(data[:usable], dtype=kind).astype(np.float32)
        mono = ((values - offset) / scale).reshape(-1, self.channels).mean(axis=1)
        if not len(mono):
            return FLOOR_DB
        self.chunks.append(np.clip(np.rint(mono * 32767), -32768, 32767).astype(np.int16))
        self.frames += len(mono)
        peak = float(np.max(np.abs(mono)))
        return max(FLOOR_DB, 20 * math.log10(peak)) if peak > 0 else FLOOR_DB

    def save(self, path: Path) -> None:
        import numpy as np
        import soundfile

        samples = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)
        soundfile.write(str(path), samples, self.rate, subtype="PCM_16")


class Recorder(QWidget):
    recorded = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._folder = QTemporaryDir()
        self._source: Any = None
        self._io: Any = None
        self._count = 0
        self.take: Take | None = None
        self.button = QPushButton(RECORD)
        self.button.setAccessibleName("Record from the microphone")
        self.button.clicked.connect(self.toggle)
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setMaximumWidth(120)
        self.meter.setAccessibleName("Input level")
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.meter)
        layout.addWidget(self.status, 1)

    @property
    def recording(self) -> bool:
        return self.take is not None

    def toggle(self) -> None:
        if self.recording:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        problem = multimedia_problem()
        if problem is not None:
            self.status.setText(problem)
            return
        from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices

        if not QMediaDevices.audioInputs():
            self.status.setText(NO_MICROPHONE)
            return
        device = QMediaDevices.defaultAudioInput()
        wanted = QAudioFormat()
        wanted.setSampleRate(device.preferredFormat().sampleRate() or 16000)
        wanted.setChannelCount(1)
        wanted.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        fmt = wanted if device.isFormatSupported(wanted) else device.preferredFormat()
        name = fmt.sampleFormat().name
        if name not in SAMPLE_FORMATS:
            self.status.setText(f"The microphone gives {name} samples, which this app cannot read.")
            return
        self._source = QAudioSource(device, fmt, self)
        self._io = self._source.start()
        if self._io is None:
            self.status.setText(f"{device.description()} could not be opened; it may be in use.")
            self._source = None
            return
        self.take = Take(name, fmt.channelCount(), fmt.sampleRate())
        self._io.readyRead.connect(self._read)
        self.button.setText(STOP)
        self.status.setText(f"Recording from {device.description()}…")

    def _read(self) -> None:
        if self._io is not None:
            self.consume(bytes(self._io.readAll().data()))

    def consume(self, data: bytes) -> None:
        """A chunk from the device: kept, shown on the meter; the take ends at MAX_SECONDS."""
        if self.take is None:
            return
        level = self.take.add(data)
        self.meter.setValue(round(100 * (level - FLOOR_DB) / -FLOOR_DB))
        if self.take.seconds >= MAX_SECONDS:
            self.stop(f"Stopped at the {MAX_SECONDS // 60}-minute limit. ")

    def stop(self, why: str = "") -> None:
        if self._source is not None:
            self._source.stop()
        self._source = self._io = None
        take, self.take = self.take, None
        self.button.setText(RECORD)
        self.meter.setValue(0)
        if take is None:
            return
        if take.frames == 0:
            self.status.setText(why + "Nothing was recorded: the microphone sent no sound.")
            return
        self._count += 1
        path = Path(self._folder.path()) / f"recording-{self._count}.wav"
        try:
            take.save(path)
        except (OSError, RuntimeError) as exc:
            self.status.setText(f"{why}The recording could not be written to {path}: {exc}.")
            return
        self.status.setText(f"{why}Recorded {take.seconds:.1f} s.")
        self.recorded.emit(path)
