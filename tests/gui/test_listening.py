"""Listening: play / stop, recording with its level meter, and generated audio (play, save).

The machine running the tests has no sound card and no microphone (QMediaDevices lists none), so
those paths are tested for their one-line messages, and the state logic with a fake player and
with microphone bytes handed to the recorder directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from PySide6.QtCore import QObject, Signal

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.raw_audio import RawAudio
from inference_gui.ui.panes.inference.results import OutputView
from inference_gui.ui.widgets.audio_input import AudioInput
from inference_gui.ui.widgets.audio_player import PLAY, STOP, PlayButton
from inference_gui.ui.widgets.recorder import NO_MICROPHONE, RECORD, Take
from tests.paths import INPUTS

# QtMultimedia needs the system's PulseAudio client library on Linux (.ci/run installs libpulse0).
multimedia = pytest.importorskip(
    "PySide6.QtMultimedia", reason="QtMultimedia cannot load here (on Linux: install libpulse0)"
)
QMediaDevices, QMediaPlayer = multimedia.QMediaDevices, multimedia.QMediaPlayer

HEADLESS = not QMediaDevices.audioOutputs() and not QMediaDevices.audioInputs()


class FakePlayer(QObject):
    playbackStateChanged = Signal(object)
    errorOccurred = Signal(object, str)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def setSource(self, url) -> None:
        self.calls.append(f"source {Path(url.toLocalFile()).name}")

    def play(self) -> None:
        self.calls.append("play")
        self.playbackStateChanged.emit(QMediaPlayer.PlaybackState.PlayingState)

    def stop(self) -> None:
        self.calls.append("stop")
        self.playbackStateChanged.emit(QMediaPlayer.PlaybackState.StoppedState)


@pytest.mark.skipif(not HEADLESS, reason="this machine has a sound device")
def test_without_devices_play_and_record_each_say_so_in_one_line(qtbot) -> None:
    widget = AudioInput()
    qtbot.addWidget(widget)
    assert widget.set_path(INPUTS / "chirp.wav")
    widget.player.button.click()
    assert widget.player.status.text() == (
        "No sound output device was found; connect one to play audio."
    )
    assert widget.player.button.text() == PLAY
    widget.recorder.button.click()
    assert widget.recorder.status.text() == NO_MICROPHONE
    assert not widget.recorder.recording and widget.recorder.button.text() == RECORD


def test_play_toggles_with_the_players_state_and_names_a_failure(qtbot) -> None:
    player = FakePlayer()
    button = PlayButton(make_player=lambda parent: player, problem=lambda: None)
    qtbot.addWidget(button)
    assert not button.button.isEnabled()
    button.set_source(INPUTS / "chirp.wav")
    button.button.click()
    assert player.calls == ["source chirp.wav", "play"] and button.button.text() == STOP
    button.button.click()
    assert player.calls[-1] == "stop" and button.button.text() == PLAY
    player.playbackStateChanged.emit(QMediaPlayer.PlaybackState.PlayingState)
    player.playbackStateChanged.emit(QMediaPlayer.PlaybackState.StoppedState)  # played to the end
    assert button.button.text() == PLAY
    player.errorOccurred.emit(QMediaPlayer.Error.FormatError, "Invalid data")
    assert button.status.text() == "chirp.wav cannot be played: Invalid data."


def test_a_take_decodes_split_frames_to_mono_and_measures_the_peak(tmp_path: Path) -> None:
    take = Take("Int16", 2, 8000)
    frames = np.array([[16384, 0], [-32768, -32768], [100, 300]], dtype="<i2").tobytes()
    assert take.add(frames[:5]) == pytest.approx(20 * np.log10(0.25))  # 1 frame + 1 byte
    assert take.add(frames[5:]) == pytest.approx(0.0)  # full scale
    assert take.frames == 3 and take.seconds == 3 / 8000
    take.save(tmp_path / "t.wav")
    data, rate = soundfile.read(tmp_path / "t.wav", dtype="int16")
    assert rate == 8000 and data.tolist() == [8192, -32767, 200]
    floats = Take("Float", 1, 16000)
    assert floats.add(np.zeros(4, "<f4").tobytes()) == -60.0  # silence: the meter's floor


def test_recorded_take_becomes_the_input(qtbot) -> None:
    widget = AudioInput()
    qtbot.addWidget(widget)
    recorder = widget.recorder
    recorder.take = Take("Int16", 1, 16000)  # what start() sets up when a microphone opens
    tone = (0.5 * np.sin(np.arange(8000) / 5) * 32767).astype("<i2")
    recorder.consume(tone.tobytes())
    assert 85 <= recorder.meter.value() <= 95  # -6 dBFS on a -60..0 dB meter
    with qtbot.waitSignal(recorder.recorded) as signal:
        recorder.stop()
    path = signal.args[0]
    assert widget.path == path and widget.caption.text().startswith(f"{path.name} — 0.50 s")
    assert recorder.status.text() == "Recorded 0.5 s." and recorder.meter.value() == 0


def test_generated_audio_is_drawn_playable_and_savable(qtbot, tmp_path: Path) -> None:
    view = OutputView()
    qtbot.addWidget(view)
    clips = [
        RawAudio((0.3 * np.sin(np.arange(n) / 7)).astype(np.float32), 16000) for n in (8000, 16000)
    ]
    view.show_output("text-to-audio", clips, RunInput.text(["Hello", "world"]))
    shown = view.audio.clips
    assert [c.caption.text() for c in shown] == [
        "1. “Hello” — 0.50 s, 16000 Hz",
        "2. “world” — 1.00 s, 16000 Hz",
    ]
    assert shown[0].player.button.isEnabled()
    assert shown[1].waveform.envelope is not None
    assert shown[1].waveform.envelope.high.max() == pytest.approx(0.3, abs=1e-3)
    target = tmp_path / "hello.wav"
    assert shown[0].save(target) and shown[0].status.text() == f"Saved {target}."
    data, rate = soundfile.read(target, dtype="float32")
    assert rate == 16000 and np.allclose(data, clips[0].audio, atol=1 / 32767)
    assert not shown[0].save(tmp_path / "missing" / "x.wav")
    assert "Could not save" in shown[0].status.text()
