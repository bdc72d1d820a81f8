"""Play / stop for one audio file, through QtMultimedia (PySide6-Addons).

QMediaPlayer decodes and plays off the GUI thread (its FFmpeg backend), so a click never waits for
the sound card. Where playback cannot work the button is disabled and says why in one line: the
QtMultimedia module does not load (on Linux it needs the system's libpulse), or there is no sound
output device. Both are looked up once per process, on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

PLAY, STOP = "▶ Play", "■ Stop"


@functools.cache
def multimedia_problem() -> str | None:
    """Why QtMultimedia cannot be used here, or None."""
    try:
        import PySide6.QtMultimedia  # noqa: F401
    except ImportError as exc:
        return (
            f"Audio needs QtMultimedia (PySide6-Addons), which did not load: {exc}. On Linux "
            "install the PulseAudio client library (libpulse0)."
        )
    return None


def playback_problem() -> str | None:
    """Why nothing can be played, or None (checked each time: a device may be plugged in)."""
    problem = multimedia_problem()
    if problem is not None:
        return problem
    from PySide6.QtMultimedia import QMediaDevices

    if not QMediaDevices.audioOutputs():
        return "No sound output device was found; connect one to play audio."
    return None


def media_player(parent: QWidget) -> Any:
    """A QMediaPlayer with its audio output (the default device)."""
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

    player = QMediaPlayer(parent)
    player.setAudioOutput(QAudioOutput(parent))
    return player


class PlayButton(QWidget):
    """One button that plays the file set with :meth:`set_source` and stops it again.

    ``make_player`` builds the player on first play (tests pass a fake with the same signals).
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        make_player: Callable[[QWidget], Any] = media_player,
        problem: Callable[[], str | None] = playback_problem,
    ) -> None:
        super().__init__(parent)
        self._make_player = make_player
        self._problem = problem
        self._player: Any = None
        self._source: Path | None = None
        self.button = QPushButton(PLAY)
        self.button.setAccessibleName("Play or stop")
        self.button.clicked.connect(self.toggle)
        self.button.setEnabled(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.status, 1)

    @property
    def playing(self) -> bool:
        return self.button.text() == STOP

    def set_source(self, path: Path | None) -> None:
        self.stop()
        self._source = path
        self.button.setEnabled(path is not None)
        self.status.clear()

    def toggle(self) -> None:
        if self.playing:
            self.stop()
            return
        problem = self._problem()
        if problem is not None:
            self.status.setText(problem)
            return
        if self._source is None:
            return
        if self._player is None:
            self._player = self._make_player(self)
            self._player.playbackStateChanged.connect(self._state_changed)
            self._player.errorOccurred.connect(self._failed)
        self._player.setSource(QUrl.fromLocalFile(str(self._source)))
        self.status.clear()
        self._player.play()

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()
        self.button.setText(PLAY)

    def _state_changed(self, state: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.button.setText(STOP if playing else PLAY)

    def _failed(self, _error: Any, message: str) -> None:
        self.button.setText(PLAY)
        name = self._source.name if self._source else "the clip"
        self.status.setText(f"{name} cannot be played: {message or 'the player gave no reason'}.")
