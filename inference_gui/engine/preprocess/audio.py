"""Audio files to mono float32 samples at the model's rate, as Transformers.js's ``read_audio``.

Decoding is libsndfile's (through ``soundfile``, whose wheels bundle it: WAV, FLAC, OGG/Vorbis,
Opus, MP3, AIFF...). 16-bit PCM comes out as ``int16 / 32768``, the samples the fixtures were fed.
As ``read_audio`` (which follows ffmpeg's ``-ac 1``), a stereo file becomes
``sqrt(2) * (left + right) / 2`` and any other layout keeps its first channel. A file at another
rate than the model's is resampled with libsoxr (``soxr``, "HQ"); Transformers.js leaves that to
the browser's ``AudioContext`` (Firefox: the Speex resampler), so resampled samples agree with it
closely but not bit for bit — a file already at the model's rate is used exactly as decoded.

Work is bounded: only the first ``max_seconds`` are decoded, however long the file, and the
returned :class:`Clip` says how long the whole file was so the task can say what it did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference_gui.errors import EngineError

# A sample below one step of 16-bit audio (-90 dBFS) everywhere: nothing to hear, nothing to run on.
SILENCE_PEAK = 1 / 32768
# Rates outside this range are not audio a speech or sound model can take, even resampled.
LOWEST_RATE, HIGHEST_RATE = 1_000, 768_000


@dataclass(frozen=True)
class Clip:
    """Decoded samples at ``rate`` (the model's), with what the file was."""

    samples: np.ndarray  # float32, mono
    rate: int
    file_rate: int
    file_seconds: float  # the whole file, of which at most ``max_seconds`` were decoded
    channels: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    @property
    def truncated(self) -> bool:
        return self.file_seconds > self.seconds + 1 / self.rate


def audio_info(path: Path) -> tuple[int, int, int]:
    """``(frames, rate, channels)`` from the file's header, without decoding it."""
    import soundfile

    if not path.is_file():
        raise EngineError(f"The audio file {path} does not exist.", "Check the path.")
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
        raise EngineError(
            f"{path} is not an audio file that can be read ({_reason(exc)}).",
            "Give a WAV, FLAC, OGG, MP3 or other file libsndfile decodes.",
        ) from exc
    return int(info.frames), int(info.samplerate), int(info.channels)


def load_audio(path: Path, rate: int, max_seconds: float) -> Clip:
    """The first ``max_seconds`` of ``path`` as mono float32 at ``rate``.

    Refuses, with one line naming the file: what is not audio, an empty or silent clip, and a rate
    no audio model takes.
    """
    import soundfile

    frames, file_rate, channels = audio_info(path)
    if not LOWEST_RATE <= file_rate <= HIGHEST_RATE:
        raise EngineError(
            f"{path} is sampled at {file_rate} Hz, which is not an audio rate this app resamples.",
            f"Convert it to {rate} Hz (the model's rate), e.g. with ffmpeg -ar {rate}.",
        )
    if frames <= 0:
        raise EngineError(f"{path} holds no audio (0 samples).", "Record or pick a longer clip.")
    wanted = min(frames, math.ceil(max_seconds * file_rate))
    try:
        data, _ = soundfile.read(str(path), frames=wanted, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
        raise EngineError(
            f"{path} could not be decoded ({_reason(exc)}).", "The file may be damaged."
        ) from exc
    if len(data) == 0:
        raise EngineError(f"{path} holds no audio (0 samples).", "Record or pick a longer clip.")
    samples = to_mono(data)
    if float(np.max(np.abs(samples))) < SILENCE_PEAK:
        raise EngineError(
            f"{path} is silent: no sample reaches -90 dBFS.",
            "Check the recording level or pick a clip with sound in it.",
        )
    if file_rate != rate:
        samples = resample(samples, file_rate, rate)
    return Clip(samples, rate, file_rate, frames / file_rate, channels)


def to_mono(data: np.ndarray) -> np.ndarray:
    """(frames, channels) -> frames, as ``read_audio``: stereo summed at sqrt(2) / 2, else ch. 0."""
    if data.shape[1] == 2:
        both = data[:, 0].astype(np.float64) + data[:, 1]
        return (math.sqrt(2) * both / 2).astype(np.float32)
    return np.ascontiguousarray(data[:, 0], dtype=np.float32)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    import soxr

    return np.asarray(soxr.resample(samples, from_rate, to_rate, quality="HQ"), dtype=np.float32)


def _reason(exc: BaseException) -> str:
    """The decoder's own words, without the path it repeats (``Error opening 'p': reason``)."""
    text = str(exc).strip() or type(exc).__name__
    return text.rsplit(": ", 1)[-1].strip().rstrip(".")[:160]
