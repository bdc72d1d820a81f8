"""One decoder graph and its key/value cache, step by step.

Works for the two layouts Transformers.js generates with: a decoder-only ``model.onnx`` (GPT-2:
``input_ids``, ``attention_mask``, ``position_ids``, ``past_key_values.N.key/value`` in,
``logits``, ``present.N.*`` out) and a merged seq2seq decoder ``decoder_model_merged.onnx`` (adds
``encoder_hidden_states``, maybe ``encoder_attention_mask``, ``use_cache_branch``, and
``past_key_values.N.encoder.*`` for the cross-attention). The graph is described once from the
session's own inputs and outputs, so nothing depends on the model's name.

The first step feeds the whole prompt with an empty past (sequence dimension 0); every later step
feeds only the newest token and the previous step's ``present.*`` as the past, so the prefix is
never recomputed. The empty past's shape is the graph's (``[batch, heads, 0, head_size]``); where
the graph leaves heads or head size symbolic they come from the config — ``num_key_value_heads``
(grouped-query attention: fewer key/value heads than query heads) and ``head_dim`` when it has
them — never from GPT-2's assumptions. A decoder exported without past (no
``past_key_values.*`` inputs) still runs: each step feeds the whole sequence so far, so step n
costs a forward pass over n tokens (see :attr:`Decoder.uses_cache`).
The cross-attention past (``*.encoder.*``) is computed on the first step and then
reused as is: in the cached branch of a merged graph those outputs are placeholders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnxruntime as ort

from inference_gui.engine.lm_head import KEEP
from inference_gui.errors import EngineError

# ``RunGuard.run`` of engine/session.py: (session, feeds, output names) -> outputs by name.
RunFn = Callable[[ort.InferenceSession, dict[str, np.ndarray], list[str]], Mapping[str, np.ndarray]]

_NUMPY_TYPES = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
    "tensor(double)": np.float64,
}


@dataclass
class DecoderState:
    """Everything that changes from step to step for one generation (dropped when it ends)."""

    past: dict[str, np.ndarray]
    past_length: int = 0
    ids: np.ndarray | None = None  # every token so far, kept only for a decoder without cache
    attention_mask: np.ndarray | None = None
    encoder: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class _PastSpec:
    shape: tuple[int | str | None, ...]
    dtype: type


class Decoder:
    """A decoder session plus what it takes to feed it; one instance serves many generations."""

    def __init__(
        self, session: ort.InferenceSession, name: str, config: Mapping[str, Any] | None = None
    ) -> None:
        self.session = session
        self.name = name
        self.config = config or {}
        inputs = {i.name: i for i in session.get_inputs()}
        outputs = [o.name for o in session.get_outputs()]
        if "input_ids" not in inputs or "logits" not in outputs:
            raise EngineError(
                f"{name} is not a text decoder: it has no input_ids input or no logits output.",
                "Use the model's decoder file (model*.onnx or decoder_model_merged*.onnx).",
            )
        self.inputs = frozenset(inputs)
        self.past_specs = {
            n: _PastSpec(tuple(i.shape), _NUMPY_TYPES.get(i.type, np.float32))
            for n, i in inputs.items()
            if n.startswith("past_key_values.")
        }
        self.uses_cache = bool(self.past_specs)
        self.present_to_past = {
            o: "past_key_values" + o[len("present") :]
            for o in outputs
            if o.startswith("present") and self.uses_cache
        }
        missing = set(self.past_specs) - set(self.present_to_past.values())
        if missing:
            raise EngineError(
                f"{name} takes {sorted(missing)[0]} but has no matching present output.",
                "Re-export the decoder with its cache outputs.",
            )
        self.output_names = ["logits", *self.present_to_past]
        self.is_seq2seq = "encoder_hidden_states" in inputs

    def start(
        self,
        rows: int,
        attention_mask: np.ndarray | None = None,
        encoder_hidden_states: np.ndarray | None = None,
        encoder_attention_mask: np.ndarray | None = None,
    ) -> DecoderState:
        """A fresh state: empty past for ``rows`` sequences, plus the encoder's output if any."""
        if self.is_seq2seq and encoder_hidden_states is None:
            raise EngineError(
                f"{self.name} needs the encoder's output, and none was given.",
                "Run the encoder first.",
            )
        encoder: dict[str, np.ndarray] = {}
        if encoder_hidden_states is not None and "encoder_hidden_states" in self.inputs:
            encoder["encoder_hidden_states"] = encoder_hidden_states
            if "encoder_attention_mask" in self.inputs:
                if encoder_attention_mask is None:
                    encoder_attention_mask = np.ones(encoder_hidden_states.shape[:2], np.int64)
                encoder["encoder_attention_mask"] = encoder_attention_mask
        past = {name: self._empty(spec, rows) for name, spec in self.past_specs.items()}
        mask = None if attention_mask is None else attention_mask.astype(np.int64)
        return DecoderState(past=past, attention_mask=mask, encoder=encoder)

    def _empty(self, spec: _PastSpec, rows: int) -> np.ndarray:
        """An empty past: ``[batch, heads, 0, head size]``, symbolic dims filled from the config."""
        heads, size = kv_shape(self.config)
        by_position = {0: rows, 1: heads, 2: 0, 3: size}
        wanted = [d if isinstance(d, int) else by_position.get(i) for i, d in enumerate(spec.shape)]
        shape = [d for d in wanted if d is not None]
        if len(shape) != 4 or len(wanted) != 4:
            raise EngineError(
                f"{self.name}: the shape of its past_key_values ({list(spec.shape)}) cannot be "
                "completed from config.json.",
                "The config lacks num_key_value_heads / num_attention_heads and head_dim / "
                "hidden_size; use the config the model was exported with.",
            )
        return np.zeros(shape, dtype=spec.dtype)

    def step(
        self,
        state: DecoderState,
        input_ids: np.ndarray,
        run: RunFn,
        *,
        every_position: bool = False,
    ) -> np.ndarray:
        """Run the decoder on the new tokens ``input_ids`` (rows, t).

        Returns the next-token scores (rows, vocab) as float32 — or, with ``every_position``, the
        scores after each new token (rows, t, vocab) — and moves ``state`` forward by ``t``
        positions.
        """
        rows, new = input_ids.shape
        mask = _grow_mask(state.attention_mask, rows, state.past_length + new)
        state.attention_mask = mask
        if not self.uses_cache:  # the whole sequence again, every step
            state.ids = (
                input_ids if state.ids is None else np.concatenate([state.ids, input_ids], 1)
            )
            input_ids = state.ids
        feeds: dict[str, np.ndarray] = {"input_ids": input_ids, **state.encoder, **state.past}
        if "attention_mask" in self.inputs:
            feeds["attention_mask"] = mask
        if "position_ids" in self.inputs:
            feeds["position_ids"] = (
                position_ids(mask)[:, -input_ids.shape[1] :]
                if input_ids.shape[1] > 1 or state.past_length == 0
                else mask.sum(axis=1, keepdims=True) - 1  # the newest token's position
            )
        if "use_cache_branch" in self.inputs:
            feeds["use_cache_branch"] = np.array([state.past_length > 0])
        if KEEP in self.inputs:  # an LM head that scores only the positions read (lm_head.py)
            feeds[KEEP] = np.array([new if every_position else 1], dtype=np.int64)
        outputs = run(self.session, feeds, self.output_names)
        keep_cross = state.past_length > 0
        state.past = {
            past: state.past[past] if keep_cross and ".encoder." in past else outputs[now]
            for now, past in self.present_to_past.items()
        }
        state.past_length += new
        logits = outputs["logits"]
        return np.array(logits if every_position else logits[:, -1, :], dtype=np.float32)

    def rewind(self, state: DecoderState, length: int) -> None:
        """Forget every position from ``length`` on, as if only ``length`` had been fed.

        The self-attention past is cut along its sequence axis; the cross-attention past (the
        encoder's) does not grow with the output and stays.
        """
        if length >= state.past_length:
            return
        if self.uses_cache:
            state.past = {
                name: value if ".encoder." in name else value[:, :, :length]
                for name, value in state.past.items()
            }
        else:
            state.ids = None if state.ids is None else state.ids[:, :length]
        if state.attention_mask is not None:
            state.attention_mask = state.attention_mask[:, :length]
        state.past_length = length


def kv_shape(config: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """(key/value heads, head size) as the config, or an encoder-decoder's decoder, says.

    ``num_key_value_heads`` else the attention heads; ``head_dim`` (``d_kv``) else the hidden size
    over the attention heads.
    """
    for scope in (config, config.get("decoder") or {}):
        heads = _first_int(scope, "num_attention_heads", "n_head", "num_heads")
        kv = _first_int(scope, "num_key_value_heads") or heads
        size = _first_int(scope, "head_dim", "d_kv")
        hidden = _first_int(scope, "hidden_size", "n_embd", "d_model")
        if size is None and hidden and heads:
            size = hidden // heads
        if kv and size:
            return kv, size
    return None, None


def _first_int(scope: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = scope.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _grow_mask(mask: np.ndarray | None, rows: int, length: int) -> np.ndarray:
    """The attention mask over past + new tokens: the given one, extended with ones."""
    if mask is None:
        return np.ones((rows, length), dtype=np.int64)
    if mask.shape[1] >= length:
        return mask
    return np.concatenate([mask, np.ones((rows, length - mask.shape[1]), np.int64)], axis=1)


def position_ids(mask: np.ndarray) -> np.ndarray:
    """Positions counted over real tokens only, so left padding does not shift them.

    Padding positions get 1 (Hugging Face's and Transformers.js's convention).
    """
    positions = np.cumsum(mask, axis=1) - 1
    return np.where(mask == 0, 1, positions).astype(np.int64)
