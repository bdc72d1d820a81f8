"""Audio files to samples: exact PCM, downmix, resampling, bounded reads, clear refusals."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile

from inference_gui.engine.preprocess.audio import load_audio
from inference_gui.errors import EngineError
from tests.paths import INPUTS


def write(path: Path, samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> Path:
    soundfile.write(str(path), samples, rate, subtype=subtype)
    return path


def tone(hz: float, seconds: float, rate: int, level: float = 0.5) -> np.ndarray:
    return level * np.sin(2 * np.pi * hz * np.arange(int(seconds * rate)) / rate)


def test_16_bit_wav_is_int16_over_32768_exactly() -> None:
    with wave.open(str(INPUTS / "two-tones.wav")) as reader:
        raw = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
    clip = load_audio(INPUTS / "two-tones.wav", 16000, max_seconds=30)
    assert clip.samples.dtype == np.float32
    np.testing.assert_array_equal(clip.samples, raw.astype(np.float32) / 32768)
    assert (clip.rate, clip.file_rate, clip.channels, clip.truncated) == (16000, 16000, 1, False)


def test_stereo_is_summed_as_read_audio_does(tmp_path: Path) -> None:
    left, right = tone(300, 0.5, 16000, 0.3), tone(500, 0.5, 16000, 0.2)
    path = write(tmp_path / "stereo.wav", np.stack([left, right], axis=1), 16000, "FLOAT")
    clip = load_audio(path, 16000, max_seconds=30)
    wanted = (
        np.sqrt(2) * (left.astype(np.float32).astype(np.float64) + right.astype(np.float32)) / 2
    )
    np.testing.assert_allclose(clip.samples, wanted, atol=1e-7)
    assert clip.channels == 2


def test_another_rate_is_resampled_to_the_models(tmp_path: Path) -> None:
    path = write(tmp_path / "cd.flac", tone(440, 1.0, 44100), 44100)
    clip = load_audio(path, 16000, max_seconds=30)
    assert (clip.rate, clip.file_rate, len(clip.samples)) == (16000, 44100, 16000)
    spectrum = np.abs(np.fft.rfft(clip.samples))
    assert abs(np.argmax(spectrum) * 16000 / len(clip.samples) - 440) <= 1
    assert 0.49 < float(np.max(np.abs(clip.samples[100:-100]))) < 0.51  # level kept


def test_a_long_file_is_read_only_as_far_as_needed(tmp_path: Path) -> None:
    """One hour of 8 kHz audio: only the first 2 s are decoded, and the clip says it was cut."""
    rate, hour = 8000, 3600
    path = tmp_path / "hour.wav"
    with soundfile.SoundFile(str(path), "w", rate, 1, "PCM_16") as out:
        block = tone(200, 60, rate)
        for _ in range(hour // 60):
            out.write(block)
    clip = load_audio(path, 16000, max_seconds=2.0)
    assert clip.file_seconds == hour and clip.truncated
    assert len(clip.samples) == 32000


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not audio at all\n" * 20) and p, "is not an audio file"),
        (lambda p: write(p, np.zeros(0), 16000), "holds no audio"),
        (lambda p: write(p, np.zeros(8000), 16000), "is silent"),
        (lambda p: write(p, tone(100, 1, 800, 0.5), 800), "800 Hz"),
        (lambda p: p, "does not exist"),
    ],
    ids=["text-file", "empty", "silent", "odd-rate", "missing"],
)
def test_bad_audio_gets_one_clear_error(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "clip.wav")
    with pytest.raises(EngineError, match=message) as caught:
        load_audio(path, 16000, max_seconds=30)
    assert "clip.wav" in str(caught.value)
