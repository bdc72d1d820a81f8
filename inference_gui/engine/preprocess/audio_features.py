"""Audio feature extractors from ``preprocessor_config.json``, computed as Transformers.js does.

* ``Wav2Vec2FeatureExtractor``: the raw clip, zero-mean unit-variance normalised over the whole clip
  (``(x - mean) / sqrt(var + 1e-7)``, sums in float64, result float32) when ``do_normalize``.
* ``WhisperFeatureExtractor``: the clip cut or zero-padded to ``n_samples``, then the log-mel
  spectrogram of ``src/utils/audio.js``: periodic Hann window of ``n_fft``, frames every
  ``hop_length`` samples over the clip reflect-padded by ``n_fft / 2`` on both sides, power spectrum
  (float64 FFT, stored float32), ``nb_max_frames`` frames (the last one dropped), the config's
  ``mel_filters`` or Slaney-normalised Slaney-scale triangles from 0 to 8 kHz, floor 1e-10,
  ``log10``, clamped to 8 below the maximum, then ``(x + 4) / 4``.

The one step computed differently is the mel projection: Transformers.js multiplies in float32 with
onnxruntime's MatMul, this module in float64 rounded once to float32. Measured on the three fixture
clips against a float32 product (numpy's sgemm standing in for onnxruntime's): 0.1-1 % of the
features differ, each by one float32 step (at most 1.2e-7). Every other step follows the same
operations in the same precision; the fixtures' transcripts match Transformers.js exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.errors import EngineError

MEL_FLOOR = 1e-10
WHISPER_MAX_FREQUENCY = 8000.0


class AudioFeatureExtractor:
    """What audio tasks ask of a feature extractor: its rate, its window, and the model's input."""

    input_name: str = ""

    def __init__(self, config: Mapping[str, Any], *, label: str = "preprocessor") -> None:
        self.config = dict(config)
        self.label = label
        rate = self.config.get("sampling_rate")
        if not isinstance(rate, int) or rate <= 0:
            raise EngineError(
                f"preprocessor_config.json of {label} has no valid sampling_rate ({rate!r}).",
                "The model's audio rate must be given; fix or re-export its preprocessor config.",
            )
        self.sampling_rate = rate

    @property
    def window_seconds(self) -> float | None:
        """How much audio one model input holds (None: the whole clip)."""
        return None

    def __call__(self, samples: np.ndarray) -> dict[str, np.ndarray]:
        raise NotImplementedError


class Wav2Vec2FeatureExtractor(AudioFeatureExtractor):
    input_name = "input_values"

    def __call__(self, samples: np.ndarray) -> dict[str, np.ndarray]:
        values = np.asarray(samples, dtype=np.float32)
        if self.config.get("do_normalize"):
            values = zero_mean_unit_variance(values)
        return {
            "input_values": values[None, :],
            "attention_mask": np.ones((1, len(values)), dtype=np.int64),
        }


def zero_mean_unit_variance(values: np.ndarray) -> np.ndarray:
    wide = values.astype(np.float64)
    mean = wide.sum() / len(wide)
    variance = ((wide - mean) ** 2).sum() / len(wide)
    return ((wide - mean) / np.sqrt(variance + 1e-7)).astype(np.float32)


class WhisperFeatureExtractor(AudioFeatureExtractor):
    input_name = "input_features"

    def __init__(self, config: Mapping[str, Any], *, label: str = "preprocessor") -> None:
        super().__init__(config, label=label)
        c = self.config
        self.n_fft = _positive_int(c, "n_fft", label)
        self.hop_length = _positive_int(c, "hop_length", label)
        self.feature_size = _positive_int(c, "feature_size", label)
        self.n_samples = _positive_int(c, "n_samples", label)
        self.nb_max_frames = _positive_int(c, "nb_max_frames", label)
        given = c.get("mel_filters")
        self.mel_filters = (
            np.asarray(given, dtype=np.float64)
            if given is not None
            else mel_filter_bank(
                self.n_fft // 2 + 1,
                self.feature_size,
                0.0,
                WHISPER_MAX_FREQUENCY,
                self.sampling_rate,
            )
        ).astype(np.float32)
        if self.mel_filters.shape != (self.feature_size, self.n_fft // 2 + 1):
            raise EngineError(
                f"mel_filters of {label} have the shape {self.mel_filters.shape}, not "
                f"({self.feature_size}, {self.n_fft // 2 + 1}).",
                "Fix or re-export the model's preprocessor_config.json.",
            )
        self.window = hann_window(self.n_fft)

    @property
    def window_seconds(self) -> float:
        return self.n_samples / self.sampling_rate

    def __call__(self, samples: np.ndarray) -> dict[str, np.ndarray]:
        return {"input_features": self.log_mel(samples)[None]}

    def log_mel(self, samples: np.ndarray) -> np.ndarray:
        """``(feature_size, frames)`` float32 log-mel features of the first window of the clip."""
        wave = np.zeros(self.n_samples, dtype=np.float32)
        clip = np.asarray(samples, dtype=np.float32)[: self.n_samples]
        wave[: len(clip)] = clip
        power = power_spectrogram(wave, self.window, self.hop_length)
        frames = min(self.n_samples // self.hop_length, self.nb_max_frames)
        if power.shape[0] < frames:
            raise EngineError(
                f"{self.label}: {power.shape[0]} frames for a window that needs {frames}.",
                "n_samples, hop_length and nb_max_frames of preprocessor_config.json disagree.",
            )
        power = power[:frames]
        mel = (self.mel_filters.astype(np.float64) @ power.T.astype(np.float64)).astype(np.float32)
        floored = np.maximum(mel, np.float32(MEL_FLOOR)).astype(np.float64)
        logs = np.log10(floored).astype(np.float32)
        threshold = np.float64(logs.max()) - 8.0
        return ((np.maximum(logs, threshold) + 4.0) / 4.0).astype(np.float32)


def power_spectrogram(wave: np.ndarray, window: np.ndarray, hop: int) -> np.ndarray:
    """(frames, bins) float32 ``|rfft|^2`` of windowed frames, centred by reflect padding."""
    size = len(window)
    padded = np.pad(wave, size // 2, mode="reflect")
    count = 1 + (len(padded) - size) // hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, size)[::hop][:count]
    spectrum = np.fft.rfft(frames.astype(np.float64) * window, axis=1)
    return (spectrum.real**2 + spectrum.imag**2).astype(np.float32)


def hann_window(length: int) -> np.ndarray:
    """The periodic Hann window (a symmetric one of ``length + 1`` without its last point)."""
    return 0.5 - 0.5 * np.cos(np.arange(length) * (2 * np.pi / length))


def _hertz_to_mel(hertz: np.ndarray | float) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    hertz = np.asarray(hertz, dtype=np.float64)
    log_part = 15.0 + np.log(np.maximum(hertz, 1e-300) / 1000.0) * (27.0 / np.log(6.4))
    return np.where(hertz >= 1000.0, log_part, 3.0 * hertz / 200.0)


def _mel_to_hertz(mels: np.ndarray) -> np.ndarray:
    mels = np.asarray(mels, dtype=np.float64)
    log_part = 1000.0 * np.exp(np.log(6.4) / 27.0 * (mels - 15.0))
    return np.where(mels >= 15.0, log_part, 200.0 * mels / 3.0)


def _linspace(start: float, end: float, count: int) -> np.ndarray:
    """``start + step * i``, the way Transformers.js spaces points (numpy pins the last one)."""
    return start + (end - start) / (count - 1) * np.arange(count, dtype=np.float64)


def mel_filter_bank(
    bins: int, filters: int, low_hz: float, high_hz: float, rate: int
) -> np.ndarray:
    """(filters, bins) triangular filters, evenly spaced in Slaney mels, Slaney-normalised.

    Each filter rises from its lower neighbour's centre to its own and falls to its upper
    neighbour's, and is scaled by ``2 / (upper - lower)`` for about constant energy per filter.
    """
    low_mel, high_mel = float(_hertz_to_mel(low_hz)), float(_hertz_to_mel(high_hz))
    edges = _mel_to_hertz(_linspace(low_mel, high_mel, filters + 2))
    fft_hz = _linspace(0.0, float(rate // 2), bins)
    widths = np.diff(edges)
    slopes = edges[None, :] - fft_hz[:, None]  # (bins, filters + 2)
    down = -slopes[:, :-2] / widths[:-1]
    up = slopes[:, 2:] / widths[1:]
    bank = np.maximum(0.0, np.minimum(down, up)).T
    return bank * (2.0 / (edges[2:] - edges[:-2]))[:, None]


def _positive_int(config: Mapping[str, Any], key: str, label: str) -> int:
    value = config.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise EngineError(
            f"preprocessor_config.json of {label} has no valid {key} ({value!r}).",
            "Fix or re-export the model's preprocessor config.",
        )
    return value


EXTRACTORS: dict[str, type[AudioFeatureExtractor]] = {
    "WhisperFeatureExtractor": WhisperFeatureExtractor,
    "Wav2Vec2FeatureExtractor": Wav2Vec2FeatureExtractor,
}


def audio_feature_extractor(
    config: Mapping[str, Any], *, label: str = "preprocessor"
) -> AudioFeatureExtractor:
    """The extractor ``feature_extractor_type`` names; another type is an error listing ours."""
    kind = config.get("feature_extractor_type")
    cls = EXTRACTORS.get(str(kind))
    if cls is None:
        raise EngineError(
            f"{label} uses the feature extractor {kind!r}, which this app does not implement.",
            f"Supported: {', '.join(EXTRACTORS)}.",
        )
    return cls(config, label=label)
