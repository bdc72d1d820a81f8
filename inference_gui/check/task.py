"""Which task a converted model is for, read from ``config.json`` ``architectures``.

The engine is always told its task; a freshly converted folder is not, so the check infers it the
way Transformers.js's model classes are named: by the architecture's head (``...ForMaskedLM`` is
fill-mask). Only tasks this app can run are inferred; anything else asks for ``--task``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Architecture name endings, longest first where one ends another (``LMHeadModel`` / ``Model``).
_HEADS: tuple[tuple[str, str], ...] = (
    ("ForSequenceClassification", "text-classification"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("LMHeadModel", "text-generation"),
    ("ForImageClassification", "image-classification"),
    ("VisionEncoderDecoderModel", "image-to-text"),
    ("ForVision2Seq", "image-to-text"),
    ("ForConditionalGeneration", "text2text-generation"),
    ("ForSeq2SeqLM", "text2text-generation"),
    ("Model", "feature-extraction"),
)


def task_of_architecture(architecture: str) -> str | None:
    for ending, task in _HEADS:
        if architecture.endswith(ending):
            return task
    return None


def infer_task(config: Mapping[str, Any]) -> tuple[str | None, str]:
    """(task, architecture it came from); (None, what was there) when no head is recognised."""
    architectures = config.get("architectures")
    if not isinstance(architectures, list) or not architectures:
        return None, ""
    for name in architectures:
        task = task_of_architecture(str(name))
        if task is not None:
            return task, str(name)
    return None, ", ".join(map(str, architectures))
