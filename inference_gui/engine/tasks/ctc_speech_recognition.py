"""Speech recognition with a CTC head (Wav2Vec2, HuBERT, UniSpeech...): one pass, no decoder.

As Transformers.js's ``_call_wav2vec2``: each clip, at the feature extractor's rate and normalised
by it, goes through ``model`` once; every frame's most likely token is taken, and the ids are
decoded the way Transformers.js's tokenizer decodes them with ``skip_special_tokens``: special
tokens dropped first, then the CTC decoder (repeats collapsed, the pad token removed, the
clean-up, the word delimiter turned into a space, trimmed), the tokenizer's own clean-up when its
config asks for it, and a final trim. (The order matters: ``tokenizers``' CTC decoder cleans each
token separately and does not trim, which gives another text around a leading apostrophe.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.preprocess.audio_features import AudioFeatureExtractor
from inference_gui.engine.preprocess.text import (
    TextTokenizer,
    clean_up_tokenization,
    special_token_ids,
)
from inference_gui.engine.tasks.audio_input import load_clips, require_frames
from inference_gui.engine.tasks.base import RunContext

# Transformers.js's model types for this path (AutomaticSpeechRecognitionPipeline._call).
CTC_MODEL_TYPES = frozenset(
    {"wav2vec2", "wav2vec2-bert", "unispeech", "unispeech-sat", "hubert", "parakeet_ctc"}
)
# Transformers.js feeds the whole clip; an hour of raw samples would take minutes and gigabytes in
# the convolutional feature encoder, so a longer clip is cut here, with a note saying so.
MAX_SECONDS = 60.0


def ctc_features(
    inputs: RunInput, extractor: AudioFeatureExtractor, ctx: RunContext
) -> list[dict[str, np.ndarray]]:
    """The model feeds of every clip (at most ``MAX_SECONDS`` each, at least one frame)."""
    why = f"CTC speech recognition reads at most {MAX_SECONDS:g} s of a clip"
    clips = load_clips(inputs, extractor, MAX_SECONDS, why, ctx)
    require_frames(clips, inputs, ctx.resources.config)
    return [extractor(clip.samples) for clip in clips]


def greedy_path(logits: np.ndarray) -> list[int]:
    """Each frame's most likely token (the first on a tie, as Transformers.js's ``max``)."""
    return [int(i) for i in np.argmax(logits, axis=-1)]


def ctc_text(tokenizer: TextTokenizer, ids: Sequence[int]) -> str:
    """The transcript of a frame-by-frame id path, as Transformers.js decodes it."""
    backend = tokenizer.backend
    skipped = special_token_ids(backend)
    unknown = tokenizer.token("unk_token") or ""
    tokens = [backend.id_to_token(i) or unknown for i in ids if i not in skipped]
    collapsed = [t for k, t in enumerate(tokens) if k == 0 or t != tokens[k - 1]]
    decoder = backend.decoder
    pad = getattr(decoder, "pad_token", "")
    text = "".join(t for t in collapsed if t != pad)
    if getattr(decoder, "cleanup", False):
        delimiter = getattr(decoder, "word_delimiter_token", "")
        text = clean_up_tokenization(text)
        text = (text.replace(delimiter, " ") if delimiter else text).strip()
    if tokenizer.clean_up_spaces:
        text = clean_up_tokenization(text)
    return text.strip()
