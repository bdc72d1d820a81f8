"""Generation options: Transformers.js pipeline options merged over the model's own defaults.

The layering is Transformers.js's (``_prepare_generation_config``): built-in defaults < the model's
``config.json`` (and its ``decoder`` sub-config, where VisionEncoderDecoder models keep their token
ids) < ``generation_config.json`` < the options of the call. Unknown option keys are ignored, as
Transformers.js ignores them, but values of known keys are checked here, so a bad value is one clear
:class:`EngineError` before any model runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from inference_gui.engine.option_schema import GENERATION, UNIMPLEMENTED
from inference_gui.errors import EngineError, bounded

# Used when a model's config names no maximum length (T5's relative positions have none): a bound
# so that an absurd ``max_new_tokens`` cannot run for hours.
FALLBACK_MAX_POSITIONS = 2048

_POSITION_KEYS = ("max_position_embeddings", "n_positions", "max_target_positions")


@dataclass
class GenerationConfig:
    """What one ``generate`` call does; field names and defaults are Transformers.js's."""

    max_length: int = 20
    max_new_tokens: int | None = None
    min_length: int = 0
    min_new_tokens: int | None = None
    do_sample: bool = False
    num_beams: int = 1
    temperature: float = 1.0
    top_k: int = 50
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    num_return_sequences: int = 1
    eos_token_id: list[int] = field(default_factory=list)
    bos_token_id: int | None = None
    pad_token_id: int | None = None
    decoder_start_token_id: int | None = None
    forced_bos_token_id: int | None = None
    forced_eos_token_id: list[int] = field(default_factory=list)
    suppress_tokens: list[int] = field(default_factory=list)
    begin_suppress_tokens: list[int] = field(default_factory=list)
    bad_words_ids: list[list[int]] = field(default_factory=list)
    guidance_scale: float | None = None
    seed: int | None = None
    prompt_lookup_num_tokens: int | None = None  # None: the engine's choice (pipeline.py)

    @property
    def pad_id(self) -> int:
        """The id written after a row has finished (skipped when decoding, as a special token)."""
        if self.pad_token_id is not None:
            return self.pad_token_id
        return self.eos_token_id[0] if self.eos_token_id else 0


# Options that are one token id or a list of them (stored as lists).
_TOKEN_LISTS = ("eos_token_id", "forced_eos_token_id", "suppress_tokens", "begin_suppress_tokens")
_FIELDS = {f.name for f in dataclasses.fields(GenerationConfig)}
_NULLABLE = {f.name for f in dataclasses.fields(GenerationConfig) if f.default is None}


def model_max_positions(model_config: Mapping[str, Any]) -> int | None:
    """The longest sequence the (decoder of the) model can attend to, when its config says."""
    for scope in (model_config, model_config.get("decoder") or {}):
        for key in _POSITION_KEYS:
            value = scope.get(key)
            if isinstance(value, int) and value > 0:
                return value
    return None


def layered(
    model_config: Mapping[str, Any],
    generation_config: Mapping[str, Any] | None,
    options: Mapping[str, Any],
    keys: Collection[str],
) -> dict[str, Any]:
    """The values of ``keys`` after Transformers.js's layering (later layers win)."""
    merged: dict[str, Any] = {}
    for layer in (
        model_config,
        model_config.get("decoder") or {},
        generation_config or {},
        options,
    ):
        merged.update({k: v for k, v in layer.items() if k in keys})
    return merged


def resolve_generation_config(
    model_config: Mapping[str, Any],
    generation_config: Mapping[str, Any] | None,
    options: Mapping[str, Any],
) -> GenerationConfig:
    """Merge the three layers into a checked :class:`GenerationConfig`."""
    merged = layered(model_config, generation_config, options, _FIELDS)
    for name in _TOKEN_LISTS:
        merged[name] = _token_list(name, merged.get(name))
    merged["bad_words_ids"] = [
        _token_list("bad_words_ids", word) for word in _words(merged.get("bad_words_ids"))
    ]
    if merged.get("temperature") == 0 and merged.get("do_sample"):
        merged["do_sample"] = False  # Transformers.js: temperature 0 means greedy
    config = GenerationConfig(
        **{k: v for k, v in merged.items() if v is not None or k in _NULLABLE}
    )
    _validate(config)
    return config


# Options of Transformers.js 4.3.1's GenerationConfig whose logits processors its
# ``_get_logits_processor`` leaves commented out, with the value at which each would do nothing
# anyway; the sampling warpers matter only when sampling. Fine-tuned summarizers ship some of them
# in their generation settings (``encoder_no_repeat_ngram_size``, ``encoder_repetition_penalty``).
NOT_APPLIED: Mapping[str, Any] = {spec.name: spec.default for spec in UNIMPLEMENTED}
_SAMPLING_ONLY = frozenset({"typical_p", "epsilon_cutoff", "eta_cutoff"})


def ignored_by_transformers_js(
    config: GenerationConfig, options: Mapping[str, Any], unapplied: Mapping[str, Any]
) -> list[str]:
    """Notes on the options Transformers.js 4.3.1 takes but does not apply, and what ran instead.

    ``top_p`` (its TopPLogitsWarper is commented out: sampling draws from the ``top_k`` best
    tokens), ``num_beams > 1`` (its beam sampler proposes the best ``num_beams`` tokens and the
    loop keeps the first: greedy decoding, or one sample when sampling) and the
    :data:`NOT_APPLIED` options found in ``unapplied`` (their layered values). The engine does the
    same, so its output stays Transformers.js's; the note says so instead of differing silently.
    """

    def origin(name: str) -> str:
        return "" if name in options else " (from the model's generation config)"

    notes = []
    if config.num_beams > 1:
        ran = "sampling" if config.do_sample else "greedy decoding"
        notes.append(
            f"num_beams={config.num_beams}{origin('num_beams')} is not applied: Transformers.js "
            f"has no beam search, so {ran} ran, as it does."
        )
    if config.do_sample and config.top_p < 1.0:
        notes.append(
            f"top_p={config.top_p:g}{origin('top_p')} is not applied: Transformers.js samples "
            f"from the top_k={config.top_k} best tokens without it, and so did this run."
        )
    for name, inactive in NOT_APPLIED.items():
        value = unapplied.get(name, inactive)
        if value == inactive or (name in _SAMPLING_ONLY and not config.do_sample):
            continue
        notes.append(
            f"{name}={value}{origin(name)} is not applied: Transformers.js does not implement it, "
            "so this run did without it, as it does."
        )
    return notes


def _token_list(name: str, value: Any) -> list[int]:
    """A token id or a list of them as a list (None: none); anything else is refused by name."""
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise EngineError(
            f"{name} {bounded(value)} is not a token id or a list of token ids.",
            "Give a non-negative integer or a list of them.",
        )
    return list(values)


def _words(value: Any) -> list[Any]:
    """``bad_words_ids``: a list of non-empty token id lists (each a banned word's tokens)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(w, list) and w for w in value):
        raise EngineError(
            f"bad_words_ids {bounded(value)} is not a list of token id lists.",
            "Give one non-empty list of token ids per banned word, e.g. [[12], [7, 9]].",
        )
    return value


def _validate(config: GenerationConfig) -> None:
    """Each field against its declaration, then the rules that tie fields together.

    The declarations (option_schema.GENERATION) are what the options editor checks as you type.
    """
    for spec in GENERATION:
        if spec.name not in _FIELDS:
            continue  # declared but never applied (UNIMPLEMENTED): their notes say so
        value = spec.check(getattr(config, spec.name))
        if spec.kind == "int" and isinstance(value, float):
            setattr(config, spec.name, int(value))  # 8.0 from JSON is 8
    if config.do_sample and not config.temperature > 0:  # greedy never looks at it (0 included)
        raise EngineError(
            f"temperature {bounded(config.temperature)} is not allowed when sampling: it must "
            "be above 0.",
            "Choose a temperature above 0, or set do_sample to false.",
        )
    if config.guidance_scale is not None and config.guidance_scale > 1:
        raise EngineError(
            f"guidance_scale={config.guidance_scale}: classifier-free guidance is not supported.",
            "It needs a model run on conditional and unconditional inputs together (MusicGen); "
            "leave guidance_scale unset or at most 1.",
        )
    if config.num_return_sequences > 1 and not config.do_sample:
        raise EngineError(
            f"num_return_sequences={config.num_return_sequences} needs sampling: greedy "
            "decoding gives one answer.",
            "Set do_sample to true, or num_return_sequences to 1.",
        )


@dataclass(frozen=True)
class LengthPlan:
    """How long the sequences may grow, and a sentence for each bound that was tightened."""

    max_length: int
    notes: tuple[str, ...] = ()


def plan_length(
    config: GenerationConfig,
    prompt_length: int,
    max_positions: int | None,
    input_length: int | None = None,
) -> LengthPlan:
    """The final ``max_length``.

    ``max_new_tokens`` wins over ``max_length`` (as in Transformers.js), and neither may run past
    the positions the model has.

    ``input_length`` is the prompt's length before the tokenizer cut it to ``prompt_length``:
    the length a refusal reports, since that is what the person wrote.
    """
    wanted = (
        prompt_length + config.max_new_tokens
        if config.max_new_tokens is not None
        else config.max_length
    )
    limit = max_positions or FALLBACK_MAX_POSITIONS
    if prompt_length >= limit:
        written = max(prompt_length, input_length or 0)
        raise EngineError(
            f"The input is {written} tokens long, but the model handles at most {limit} tokens, "
            "input and generated text together: no room is left to generate.",
            f"Shorten the input to well under {limit} tokens.",
        )
    if wanted <= limit:
        return LengthPlan(wanted)
    asked = (
        f"max_new_tokens {config.max_new_tokens}"
        if config.max_new_tokens is not None
        else (f"max_length {config.max_length}")
    )
    note = (
        f"{asked} was reduced to {limit - prompt_length} new tokens: the model's maximum length is "
        f"{limit} tokens and the input uses {prompt_length}."
    )
    return LengthPlan(limit, (note,))
