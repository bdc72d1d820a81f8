"""Tokenizer sanity: it loads, its special tokens exist, inputs get cut, chat models can chat.

Read by the engine's own loader (the ``tokenizers`` package, plus the vocabulary-only models of CTC
speech repos that Transformers.js reads), so "loads here" means "loads there".
"""

from __future__ import annotations

from typing import Any

from inference_gui.check.findings import Finding, error, info, warning
from inference_gui.check.folder import ModelFolder
from inference_gui.engine.preprocess.text import load_tokenizer
from inference_gui.engine.tasks import task_class
from inference_gui.layout import TOKENIZER, TOKENIZER_CONFIG
from inference_gui.vocab import SPECIAL_TOKEN_KEYS

# transformers writes this sentinel (int(1e30)) when a tokenizer has no real limit
NO_LIMIT = 10**29
CHAT_HINTS = ("chat", "instruct", "conversational")


def _content(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) and value else None


def check_tokenizer(folder: ModelFolder, task: str) -> list[Finding]:
    if not folder.has(TOKENIZER):
        return []  # placement reports a missing tokenizer
    try:
        tokenizer = load_tokenizer(folder.path(TOKENIZER))
    except Exception as exc:  # noqa: BLE001 - the Rust tokenizer raises a plain Exception
        return [
            error(
                "TOKENIZER_UNREADABLE",
                TOKENIZER,
                f"cannot be loaded: {str(exc)[:200]}.",
                "Save the tokenizer again with a current transformers version.",
            )
        ]
    config = folder.json(TOKENIZER_CONFIG) or {}
    special = {**(folder.json("special_tokens_map.json") or {}), **config}
    found: list[Finding] = []
    named = {k: _content(special.get(k)) for k in SPECIAL_TOKEN_KEYS}
    tokens = {k: v for k, v in named.items() if v is not None}
    for key, token in tokens.items():
        if tokenizer.token_to_id(token) is None:
            found.append(
                error(
                    "TOKENIZER_SPECIAL_MISSING",
                    TOKENIZER_CONFIG,
                    f"names {key} {token!r}, which tokenizer.json does not have.",
                    "Save tokenizer.json and tokenizer_config.json together from one tokenizer.",
                )
            )
    if not tokens:
        found.append(
            warning(
                "TOKENIZER_NO_SPECIAL_TOKENS",
                TOKENIZER_CONFIG,
                "names no special tokens (bos, eos, pad, cls, sep, unk, mask).",
                "Save the tokenizer config from the original model.",
            )
        )
    if task == "fill-mask" and "mask_token" not in tokens:
        found.append(
            error(
                "TOKENIZER_NO_MASK",
                TOKENIZER_CONFIG,
                "names no mask_token, which fill-mask needs.",
                'Set mask_token (e.g. "[MASK]") in tokenizer_config.json.',
            )
        )
    limit = config.get("model_max_length")
    if encodes_text(task) and (not isinstance(limit, int) or limit >= NO_LIMIT):
        known = folder.config.get("max_position_embeddings") or folder.config.get("n_positions")
        found.append(
            warning(
                "TOKENIZER_NO_MAX_LENGTH",
                TOKENIZER_CONFIG,
                "sets no model_max_length, so long inputs are not cut and may fail.",
                f"Set model_max_length to {known} (the model's positions)."
                if known
                else "Set model_max_length to the longest input the model takes.",
            )
        )
    found += _chat(folder, config, task)
    return found


def encodes_text(task: str) -> bool:
    """Whether the task feeds tokenized text; an input length limit matters only then.

    A speech or captioning model's tokenizer only decodes.
    """
    cls = task_class(task)
    return cls.input_kind in ("text", "qa") or cls.takes_labels


def _chat(folder: ModelFolder, config: dict[str, Any], task: str) -> list[Finding]:
    if task != "text-generation":
        return []
    if config.get("chat_template") or folder.has("chat_template.jinja"):
        return [info("TOKENIZER_CHAT_TEMPLATE", TOKENIZER_CONFIG, "has a chat template.")]
    name = "/".join(folder.root.resolve().parts[-2:]).lower()  # model name (and revision)
    card = folder.path("README.md")
    text = card.read_text(encoding="utf-8", errors="replace").lower() if card.is_file() else ""
    if any(hint in name or hint in text for hint in CHAT_HINTS):
        return [
            warning(
                "TOKENIZER_NO_CHAT_TEMPLATE",
                TOKENIZER_CONFIG,
                "has no chat_template, but this looks like a chat model.",
                "Copy chat_template from the original model's tokenizer_config.json.",
            )
        ]
    return []
