"""The audio widgets: input (open/drop, waveform, refusals), transcript and score views."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from inference_gui.engine.inputs import RunInput
from inference_gui.errors import EngineError
from inference_gui.ui.panes.inference.results import OutputView
from inference_gui.ui.widgets.audio_input import AudioInput
from inference_gui.ui.widgets.input_editor import InputEditor
from inference_gui.ui.widgets.waveform import read_envelope
from tests.paths import INPUTS


def test_audio_input_opens_drops_and_refuses(qtbot) -> None:
    widget = AudioInput()
    qtbot.addWidget(widget)
    assert widget.set_path(INPUTS / "chirp.wav") and widget.path == INPUTS / "chirp.wav"
    assert widget.caption.text() == "chirp.wav — 1.50 s, 16000 Hz, mono"
    assert widget.waveform.envelope is not None and widget.waveform.envelope.high.max() > 0.1
    assert not widget.set_path(INPUTS / "red-circle.png")
    assert "not an audio file" in widget.caption.text() and "Still using chirp.wav" in (
        widget.caption.text()
    )
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(INPUTS / "two-tones.wav"))])
    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dropEvent(drop)
    assert widget.path == INPUTS / "two-tones.wav"
    assert widget.player.button.isEnabled()


def test_input_editor_gives_the_audio_file_or_says_what_is_missing(qtbot) -> None:
    editor = InputEditor()
    qtbot.addWidget(editor)
    editor.set_kind("audio")
    with pytest.raises(EngineError, match="No audio file"):
        editor.value()
    editor.audio.set_path(INPUTS / "noise-burst.wav")
    assert editor.value() == RunInput.audio(INPUTS / "noise-burst.wav")


def test_envelope_of_a_long_file_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "ten-minutes.wav"
    rate = 8000
    soundfile.write(str(path), np.full(rate * 600, 0.25), rate, subtype="PCM_16")
    envelope = read_envelope(path, columns=100, max_seconds=120)
    assert (envelope.file_seconds, envelope.shown_seconds, len(envelope.high)) == (600, 120, 100)
    assert "first 120 s" in envelope.caption("ten-minutes.wav")
    np.testing.assert_allclose(envelope.high, 0.25, atol=1e-4)


def test_transcript_under_the_waveform_and_audio_scores_as_bars(qtbot) -> None:
    view = OutputView()
    qtbot.addWidget(view)
    clips = RunInput.audio([INPUTS / "chirp.wav", INPUTS / "two-tones.wav"])
    view.show_output("automatic-speech-recognition", [{"text": " one"}, {"text": "two"}], clips)
    assert [label.text() for label in view.transcript.texts] == [" one", "two"]
    view.show_output(
        "audio-classification",
        [{"label": "music", "score": 0.6}, {"label": "noise", "score": 0.4}],
        RunInput.audio(INPUTS / "two-tones.wav"),
    )
    assert view.scores.items() == [("music", 0.6), ("noise", 0.4)]
