"""The feature extractors: Whisper's log-mel spectrogram and Wav2Vec2's normalisation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from inference_gui.engine.preprocess.audio import load_audio
from inference_gui.engine.preprocess.audio_features import (
    Wav2Vec2FeatureExtractor,
    WhisperFeatureExtractor,
    _hertz_to_mel,
    _mel_to_hertz,
    audio_feature_extractor,
    hann_window,
    mel_filter_bank,
)
from inference_gui.errors import EngineError
from tests.paths import HUB, INPUTS

WHISPER = json.loads((HUB / "tiny/whisper-asr/v1.0.0/preprocessor_config.json").read_text())
REAL_WHISPER = {**WHISPER, "chunk_length": 30, "n_samples": 480000, "nb_max_frames": 3000}


def tone(hz: float, seconds: float, rate: int = 16000) -> np.ndarray:
    return (0.5 * np.sin(2 * np.pi * hz * np.arange(int(seconds * rate)) / rate)).astype(np.float32)


def test_hann_window_is_the_periodic_one() -> None:
    np.testing.assert_allclose(hann_window(400), np.hanning(401)[:-1], atol=1e-15)


def test_slaney_mel_scale_round_trips_and_is_linear_below_1khz() -> None:
    hertz = np.array([0.0, 200.0, 999.0, 1000.0, 4000.0, 8000.0])
    np.testing.assert_allclose(_mel_to_hertz(_hertz_to_mel(hertz)), hertz, rtol=1e-12, atol=1e-9)
    assert _hertz_to_mel(np.array([600.0]))[0] == pytest.approx(9.0)  # 3 * 600 / 200
    assert _hertz_to_mel(np.array([1000.0 * 6.4]))[0] == pytest.approx(15.0 + 27.0)


def test_mel_filters_are_unit_area_triangles_up_to_8khz() -> None:
    bank = mel_filter_bank(201, 80, 0.0, 8000.0, 16000)
    assert bank.shape == (80, 201) and (bank >= 0).all()
    bin_hz = 8000 / 200
    peaks = bank.argmax(axis=1) * bin_hz
    assert (np.diff(peaks) >= 0).all() and peaks[-1] <= 8000
    widths = (bank > 0).sum(axis=1)
    wide = widths >= 8  # narrow low filters are sampled too coarsely to integrate
    # Slaney normalisation: each filter integrates to ~1 over frequency
    np.testing.assert_allclose(bank[wide].sum(axis=1) * bin_hz, 1.0, rtol=0.05)


def test_log_mel_has_whispers_shape_range_and_peak_bin() -> None:
    extractor = WhisperFeatureExtractor(WHISPER)
    features = extractor(tone(1000, 1.0))["input_features"]
    assert features.shape == (1, 80, 200) and features.dtype == np.float32
    # log10 clamped to 8 below the maximum, then (x + 4) / 4: a spread of at most 2
    assert float(features.max() - features.min()) <= 2.0 + 1e-6
    loudest = int(features[0, :, 20].argmax())
    centres = _mel_to_hertz(np.linspace(_hertz_to_mel(0.0), _hertz_to_mel(8000.0), 82))[1:-1]
    assert abs(centres[loudest] - 1000) < 60


def test_log_mel_pads_short_clips_and_cuts_long_ones_to_the_window() -> None:
    extractor = WhisperFeatureExtractor(WHISPER)
    clip = tone(700, 3.0)
    np.testing.assert_array_equal(
        extractor(clip)["input_features"], extractor(clip[:32000])["input_features"]
    )
    padded = np.concatenate([clip[:16000], np.zeros(16000, np.float32)])
    np.testing.assert_array_equal(
        extractor(clip[:16000])["input_features"], extractor(padded)["input_features"]
    )


def test_real_whisper_windows_are_3000_frames_of_30_seconds() -> None:
    extractor = WhisperFeatureExtractor(REAL_WHISPER)
    assert extractor.window_seconds == 30
    assert extractor(tone(440, 0.5))["input_features"].shape == (1, 80, 3000)


def test_given_mel_filters_are_used_and_checked() -> None:
    ones = np.zeros((80, 201))
    ones[:, 10] = 1.0
    extractor = WhisperFeatureExtractor({**WHISPER, "mel_filters": ones.tolist()})
    features = extractor(tone(1000, 1.0))["input_features"][0]
    assert np.ptp(features, axis=0).max() == 0  # every mel row is the same single FFT bin
    with pytest.raises(EngineError, match="mel_filters"):
        WhisperFeatureExtractor({**WHISPER, "mel_filters": [[1.0] * 201] * 3})


def test_wav2vec2_normalises_the_whole_clip() -> None:
    samples = load_audio(INPUTS / "chirp.wav", 16000, 30).samples
    out = Wav2Vec2FeatureExtractor({"sampling_rate": 16000, "do_normalize": True})(samples)
    values = out["input_values"]
    assert values.shape == (1, len(samples)) and values.dtype == np.float32
    wide = samples.astype(np.float64)
    wanted = (wide - wide.mean()) / np.sqrt(wide.var() + 1e-7)
    np.testing.assert_allclose(values[0], wanted, atol=1e-6)
    assert out["attention_mask"].sum() == len(samples)
    raw = Wav2Vec2FeatureExtractor({"sampling_rate": 16000, "do_normalize": False})(samples)
    np.testing.assert_array_equal(raw["input_values"][0], samples)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"feature_extractor_type": "ClapFeatureExtractor", "sampling_rate": 48000}, "Clap"),
        ({"feature_extractor_type": "Wav2Vec2FeatureExtractor"}, "sampling_rate"),
        ({**WHISPER, "hop_length": 0}, "hop_length"),
    ],
)
def test_unusable_configs_are_named(config: dict, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        audio_feature_extractor(config, label="tiny/x")
