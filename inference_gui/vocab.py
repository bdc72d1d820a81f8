"""The platform's shared vocabularies: quantizations, task names, model ids and revisions.

Records validation, the hub and the engine must agree on these words exactly, so they live here once
and nowhere else. Values follow Transformers.js (dtypes, file suffixes, task names) and Firefox's
model hub rules (model ids, revisions).
"""

from __future__ import annotations

import re

DTYPES: tuple[str, ...] = ("fp32", "fp16", "q8", "int8", "uint8", "q4", "q4f16", "bnb4")
# Activations quantized at run time, with one scale per tensor over the whole batch.
DYNAMICALLY_QUANTIZED = frozenset({"q8", "int8", "uint8"})

# Threads per session, wherever they come from (records, settings, flags): far past any CPU's
# cores; more only costs memory and start-up time (99,999,999 got the process killed).
MAX_THREADS = 1024

# The special tokens a tokenizer_config.json may name (what Transformers.js reads as such).
SPECIAL_TOKEN_KEYS: tuple[str, ...] = (
    "bos_token",
    "eos_token",
    "unk_token",
    "sep_token",
    "pad_token",
    "cls_token",
    "mask_token",
)

# Transformers.js picks `onnx/<base><suffix>.onnx` for a dtype; hub and cache need the same map.
DTYPE_SUFFIX: dict[str, str] = {
    "fp32": "",
    "fp16": "_fp16",
    "q8": "_quantized",
    "int8": "_int8",
    "uint8": "_uint8",
    "q4": "_q4",
    "q4f16": "_q4f16",
    "bnb4": "_bnb4",
}

# Transformers.js pipeline task names (src/pipelines.js SUPPORTED_TASKS) plus Firefox's own tasks:
# `moz-echo` (a test task) and `wllama-text-generation` (GGUF models on the wllama backend).
TASKS: tuple[str, ...] = (
    "audio-classification",
    "automatic-speech-recognition",
    "background-removal",
    "depth-estimation",
    "document-question-answering",
    "feature-extraction",
    "fill-mask",
    "image-classification",
    "image-feature-extraction",
    "image-segmentation",
    "image-to-image",
    "image-to-text",
    "moz-echo",
    "object-detection",
    "question-answering",
    "summarization",
    "text-classification",
    "text-generation",
    "text-to-audio",
    "text2text-generation",
    "token-classification",
    "translation",
    "wllama-text-generation",
    "zero-shot-audio-classification",
    "zero-shot-classification",
    "zero-shot-image-classification",
    "zero-shot-object-detection",
)

# Other names Transformers.js's pipeline() accepts for the same tasks.
TASK_ALIASES: dict[str, str] = {
    "sentiment-analysis": "text-classification",
    "ner": "token-classification",
    "asr": "automatic-speech-recognition",
    "text-to-speech": "text-to-audio",
    "embeddings": "feature-extraction",
}

# `org/name`: each part starts and ends with a letter or digit, with `-`, `_`, `.` between.
_ID_PART = r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9])?"
MODEL_ID_RE = re.compile(rf"^{_ID_PART}/{_ID_PART}$")

# `main`, or `[v]MAJOR.MINOR[.PATCH][.(alpha|beta|pre|post|rc|)NUMBER]`, as Firefox's hub accepts.
REVISION_RE = re.compile(r"^(?:main|v?\d+\.\d+(?:\.\d+)?(?:\.(?:alpha|beta|pre|post|rc|)\d+)?)$")


def is_valid_model_id(model_id: object) -> bool:
    """True for `org/name` ids the hub accepts; `..` is refused as it could leave a folder."""
    return isinstance(model_id, str) and bool(MODEL_ID_RE.match(model_id)) and ".." not in model_id


def is_valid_revision(revision: object) -> bool:
    return isinstance(revision, str) and bool(REVISION_RE.match(revision))


def canonical_task(task: str) -> str | None:
    """The Transformers.js task name for ``task`` (resolving aliases), or None when unknown."""
    if task in TASKS:
        return task
    return TASK_ALIASES.get(task)
