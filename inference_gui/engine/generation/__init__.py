"""The one decoding loop and its parts, shared by every generative task (no Qt, no task logic).

``resolve_generation_config`` turns pipeline options into a checked :class:`GenerationConfig`;
:class:`Decoder` wraps a decoder session and its KV cache; :func:`generate` runs the loop under the
engine's ``RunGuard`` (cancel + timeout, also inside a step) and feeds an optional streamer.
"""

from inference_gui.engine.generation.config import (
    GenerationConfig,
    model_max_positions,
    resolve_generation_config,
)
from inference_gui.engine.generation.decoder import Decoder
from inference_gui.engine.generation.loop import GenerationOutput, generate
from inference_gui.engine.generation.streamer import Streamer, TextStreamer

__all__ = [
    "Decoder",
    "GenerationConfig",
    "GenerationOutput",
    "Streamer",
    "TextStreamer",
    "generate",
    "model_max_positions",
    "resolve_generation_config",
]
