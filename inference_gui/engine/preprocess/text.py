"""Text to token ids the way Transformers.js's tokenizer call does it.

``tokenizers`` runs ``tokenizer.json``; ``tokenizer_config.json`` adds what Transformers.js reads
from it: special tokens, ``model_max_length``, ``padding_side`` and
``clean_up_tokenization_spaces``. Truncation copies Transformers.js exactly — the ids are cut at
the maximum length, special tokens included — and the cut is reported, since silently dropping
input misleads whoever reads the output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from inference_gui.engine.preprocess.chat_template import ChatTemplate
from inference_gui.errors import EngineError
from inference_gui.vocab import SPECIAL_TOKEN_KEYS

_CLEANUPS = (
    (" .", "."),
    (" ?", "?"),
    (" !", "!"),
    (" ,", ","),
    (" ' ", "'"),
    (" n't", "n't"),
    (" 'm", "'m"),
    (" 's", "'s"),
    (" 've", "'ve"),
    (" 're", "'re"),
)


@dataclass
class Encoded:
    """A padded batch: int64 arrays shaped (batch, length), plus which rows were truncated."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    token_type_ids: np.ndarray
    truncated: list[int] = field(default_factory=list)
    original_lengths: list[int] = field(default_factory=list)
    # Set by a task whose output reads no padded position (pooled embeddings, per-row logits): its
    # rows may then run in length-sorted micro-batches (engine/batching.py).
    independent_rows: bool = False
    # The outputs the task reads, when it reads only some (None: all); set by the task.
    outputs: list[str] | None = None

    def feeds(self) -> dict[str, np.ndarray]:
        return {
            "input_ids": self.input_ids,
            "attention_mask": self.attention_mask,
            "token_type_ids": self.token_type_ids,
        }


class TextTokenizer:
    """``tokenizer.json`` + ``tokenizer_config.json`` with Transformers.js's call semantics."""

    def __init__(
        self,
        tokenizer_json: Path,
        config: Mapping[str, Any] | None = None,
        *,
        label: str = "tokenizer",
    ) -> None:
        try:
            self._tok = load_tokenizer(tokenizer_json)
        except Exception as exc:  # noqa: BLE001 - the Rust side raises plain Exception
            raise EngineError(
                f"{label}: tokenizer.json cannot be loaded: {exc}.",
                "The file is damaged or from an unsupported tokenizer; fetch it again.",
            ) from exc
        self._tok.no_truncation()
        self._tok.no_padding()
        self.config = dict(config or {})
        self.label = label
        limit = self.config.get("model_max_length")
        # Python-side configs use a huge sentinel (1e30) for "no limit".
        self.model_max_length: int | None = (
            int(limit) if isinstance(limit, int | float) and 0 < limit < 1e12 else None
        )
        self.padding_side = self.config.get("padding_side", "right")
        self.clean_up_spaces = bool(self.config.get("clean_up_tokenization_spaces", True))
        self.special_ids = {int(t["id"]) for t in self._added_tokens() if t.get("special")}
        # Set by the engine for tasks that take chats (text-generation); None: the model has none.
        self.chat_template: ChatTemplate | None = None

    def _added_tokens(self) -> list[dict[str, Any]]:
        decoder = self.config.get("added_tokens_decoder")
        if isinstance(decoder, Mapping):
            return [dict(value, id=int(key)) for key, value in decoder.items()]
        return [
            {"id": i, "special": True}
            for i in (self._tok.token_to_id(t) for t in self._special_token_names())
            if i is not None
        ]

    def _special_token_names(self) -> list[str]:
        names = []
        for key in SPECIAL_TOKEN_KEYS:
            value = self.config.get(key)
            if isinstance(value, Mapping):
                value = value.get("content")
            if isinstance(value, str):
                names.append(value)
        return names

    def token(self, name: str) -> str | None:
        """A special token's text by its config name (``mask_token``...)."""
        value = self.config.get(name)
        if isinstance(value, Mapping):
            value = value.get("content")
        return value if isinstance(value, str) else None

    def token_id(self, name: str) -> int | None:
        text = self.token(name)
        return self._tok.token_to_id(text) if text is not None else None

    @property
    def pad_id(self) -> int:
        pad = self.token_id("pad_token")
        return pad if pad is not None else 0

    @property
    def vocab_size(self) -> int:
        return self._tok.get_vocab_size(with_added_tokens=True)

    def __call__(
        self,
        texts: Sequence[str],
        pairs: Sequence[str] | None = None,
        *,
        truncation: bool = True,
        add_special_tokens: bool = True,
        pad_to_max_length: bool = False,
    ) -> Encoded:
        """Encode a batch padded to its longest row, truncated at ``model_max_length``.

        ``pad_to_max_length`` is Transformers.js's ``padding: 'max_length'``: every row padded to
        ``model_max_length`` (SigLIP's text tower was trained on texts padded so, and its export
        has no attention mask); without a maximum it pads to the longest row, as ``padding: true``.
        """
        # One encode per text: encode_batch's thread pool costs ~0.5 ms a call, far more than
        # tokenising the short inputs a desktop run gets.
        pairs_or_none = pairs if pairs is not None else [None] * len(texts)
        encodings = [
            self._tok.encode(text, pair, add_special_tokens=add_special_tokens)
            for text, pair in zip(texts, pairs_or_none, strict=True)
        ]
        rows = [(e.ids, e.type_ids) for e in encodings]
        lengths = [len(ids) for ids, _ in rows]
        limit = self.model_max_length if truncation else None
        truncated = [i for i, n in enumerate(lengths) if limit is not None and n > limit]
        width = (
            min(max(lengths, default=0), limit) if limit is not None else max(lengths, default=0)
        )
        if pad_to_max_length and self.model_max_length is not None:
            width = max(width, self.model_max_length)
        if all(n == width for n in lengths):  # nothing to pad or cut: build the arrays directly
            ids = np.array([r[0] for r in rows], dtype=np.int64).reshape(len(rows), width)
            types = np.array([r[1] for r in rows], dtype=np.int64).reshape(len(rows), width)
            return Encoded(ids, np.ones_like(ids), types, truncated, lengths)
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        types = np.zeros((len(rows), width), dtype=np.int64)
        for r, (row_ids, row_types) in enumerate(rows):
            n = min(len(row_ids), width)
            cols = slice(width - n, width) if self.padding_side == "left" else slice(0, n)
            ids[r, cols] = row_ids[:n]
            mask[r, cols] = 1
            types[r, cols] = row_types[:n]
        return Encoded(ids, mask, types, truncated, lengths)

    def truncation_note(self, encoded: Encoded) -> str | None:
        """A sentence for the user when some input was cut, or None."""
        if not encoded.truncated:
            return None
        longest = max(encoded.original_lengths[i] for i in encoded.truncated)
        which = (
            "The input was"
            if len(encoded.original_lengths) == 1
            else f"{len(encoded.truncated)} of {len(encoded.original_lengths)} inputs were"
        )
        return (
            f"{which} truncated to the model's maximum of {self.model_max_length} tokens "
            f"(longest input: {longest} tokens); the rest was ignored."
        )

    def decode(self, ids: Sequence[int], *, skip_special_tokens: bool = False) -> str:
        text = self._tok.decode([int(i) for i in ids], skip_special_tokens=skip_special_tokens)
        return clean_up_tokenization(text) if self.clean_up_spaces else text

    @property
    def backend(self) -> Tokenizer:
        """The ``tokenizers`` object, for decoding that Transformers.js does its own way (CTC)."""
        return self._tok

    def token_text(self, token_id: int) -> str | None:
        return self._tok.id_to_token(int(token_id))


def load_tokenizer(path: Path) -> Tokenizer:
    """``tokenizer.json`` as ``tokenizers`` reads it, or, for a vocabulary-only model, as WordLevel.

    The CTC speech repos of Transformers.js (Xenova/wav2vec2-base-960h and the like) write a model
    with a ``vocab`` and no ``type``; ``tokenizers`` refuses it, while Transformers.js takes it as a
    plain token -> id table, which is what a WordLevel model is.
    """
    try:
        return Tokenizer.from_file(str(path))
    except Exception:  # noqa: BLE001 - the Rust side raises plain Exception
        data = json.loads(path.read_text(encoding="utf-8"))
        model = data.get("model") if isinstance(data, dict) else None
        if not (isinstance(model, dict) and "type" not in model and _vocabulary_only(model)):
            raise
        data["model"] = {
            "type": "WordLevel",
            "vocab": model["vocab"],
            "unk_token": model.get("unk_token", "<unk>"),
        }
        return Tokenizer.from_str(json.dumps(data))


def _vocabulary_only(model: Mapping[str, Any]) -> bool:
    """Transformers.js's test for its vocabulary-only model: a token -> id object, no merges."""
    return isinstance(model.get("vocab"), dict) and not (
        {"merges", "continuing_subword_prefix"} & set(model)
    )


def special_token_ids(tokenizer: Tokenizer) -> set[int]:
    """Ids of the added tokens that ``tokenizer.json`` marks special.

    What ``skip_special_tokens`` drops in Transformers.js, whatever ``tokenizer_config.json`` says.
    """
    return {i for i, token in tokenizer.get_added_tokens_decoder().items() if token.special}


def clean_up_tokenization(text: str) -> str:
    """The spacing clean-up Transformers.js applies after decoding when the config asks for it."""
    for before, after in _CLEANUPS:
        text = text.replace(before, after)
    return text
