"""Audio a task generates (text-to-audio), as Transformers.js's ``RawAudio``: samples and a rate.

A run's output keeps the samples so the window can play and save them; in JSON (``run --json``,
the raw view) a clip is written in the compact form the fixtures use — length, sha256 of the
float32 bytes, mean, rms, extremes, the first 32 samples and the rms of 16 segments — so scripts
can compare runs without megabytes of numbers, and with ``--save-audio DIR`` as a WAV file whose
path goes in the JSON.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference_gui.errors import EngineError

HEAD = 32
SEGMENTS = 16


@dataclass(frozen=True, eq=False)
class RawAudio:
    """Mono float32 samples at ``sampling_rate`` Hz."""

    audio: np.ndarray
    sampling_rate: int

    def __post_init__(self) -> None:
        if self.audio.dtype != np.float32 or self.audio.ndim != 1:
            raise ValueError("RawAudio holds mono float32 samples")

    @property
    def seconds(self) -> float:
        return len(self.audio) / self.sampling_rate

    def compact(self) -> dict[str, Any]:
        """The fixtures' ``{"type": "RawAudio", ...}`` summary (tests/fixtures/README.md)."""
        samples = self.audio.astype(np.float64)
        n = len(samples)
        rms16: list[float | None] = []
        for i in range(SEGMENTS):
            part = samples[(i * n) // SEGMENTS : ((i + 1) * n) // SEGMENTS]
            rms16.append(_round6(float(np.sqrt(np.mean(part * part)))) if part.size else None)
        return {
            "type": "RawAudio",
            "sampling_rate": self.sampling_rate,
            "length": n,
            "sha256": hashlib.sha256(self.audio.astype("<f4").tobytes()).hexdigest(),
            "mean": _round6(float(samples.mean())) if n else 0,
            "rms": _round6(float(np.sqrt(np.mean(samples * samples)))) if n else 0,
            "min": _round6(float(samples.min())) if n else 0,
            "max": _round6(float(samples.max())) if n else 0,
            "head": [_round6(float(v)) for v in samples[:HEAD]],
            "rms16": rms16,
        }

    def save_wav(self, path: Path) -> None:
        """A 16-bit PCM WAV (what every player opens); samples beyond +-1 are clipped."""
        import soundfile

        try:
            soundfile.write(
                str(path), np.clip(self.audio, -1.0, 1.0), self.sampling_rate, subtype="PCM_16"
            )
        except (OSError, RuntimeError) as exc:
            raise EngineError(f"Could not write {path}: {exc}.", "Check the folder.") from exc


def _round6(value: float) -> float:
    """``Math.round(v * 1e6) / 1e6`` as the fixtures' serialiser (half up; -0 becomes 0)."""
    rounded = float(np.floor(value * 1e6 + 0.5) / 1e6)
    return 0.0 if rounded == 0 else rounded
