"""The clips of a run, loaded at the feature extractor's rate, with a note for each one cut."""

from __future__ import annotations

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.preprocess.audio import Clip, load_audio
from inference_gui.engine.preprocess.audio_features import AudioFeatureExtractor
from inference_gui.engine.tasks.base import RunContext


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
