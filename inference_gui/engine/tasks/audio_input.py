"""The clips of a run, loaded at the feature extractor's rate, with a note for each one cut."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.preprocess.audio import Clip, load_audio
from inference_gui.engine.preprocess.audio_features import AudioFeatureExtractor
from inference_gui.engine.tasks.base import RunContext
from inference_gui.errors import EngineError


def load_clips(
    inputs: RunInput, extractor: AudioFeatureExtractor, limit: float, why: str, ctx: RunContext
) -> list[Clip]:
    """Decode at most ``limit`` seconds of each file; ``why`` ends the note when one is cut."""
    clips = []
    for path in inputs.audios:
        ctx.check()
        clip = load_audio(path, extractor.sampling_rate, limit)
        if clip.truncated:
            ctx.warn(
                f"{path.name} is {clip.file_seconds:.1f} s long; only its first "
                f"{clip.seconds:g} s were used: {why}."
            )
        clips.append(clip)
    return clips


def shortest_input(config: Mapping[str, Any]) -> int:
    """Samples a raw-waveform model (Wav2Vec2's convolutional feature encoder) needs for one frame.

    Each layer (kernel k, stride s) turns n samples into (n - k) // s + 1, so one output frame
    needs, walking back from the last layer, (need - 1) * s + k. 0 when the config has no encoder.
    """
    kernels, strides = config.get("conv_kernel"), config.get("conv_stride")
    if not (isinstance(kernels, list) and isinstance(strides, list) and kernels):
        return 0
    need = 1
    for kernel, stride in zip(reversed(kernels), reversed(strides), strict=False):
        need = (need - 1) * int(stride) + int(kernel)
    return need


def require_frames(clips: list[Clip], inputs: RunInput, config: Mapping[str, Any]) -> None:
    """A clip too short for even one frame is named, rather than failing inside the model."""
    need = shortest_input(config)
    for path, clip in zip(inputs.audios, clips, strict=True):
        if len(clip.samples) < need:
            raise EngineError(
                f"{path.name} is {1000 * clip.seconds:.0f} ms long; this model needs at least "
                f"{1000 * need / clip.rate:.0f} ms ({need} samples at {clip.rate} Hz).",
                "Pick a longer clip.",
            )
