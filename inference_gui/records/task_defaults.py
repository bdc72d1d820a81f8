"""The model Firefox runs for a task when neither the records nor the caller name one.

Firefox's ``DEFAULT_MODELS`` (``toolkit/components/ml/content/EngineProcess.sys.mjs``), which
``MLEngineChild`` applies after the Remote Settings lookup: ``createEngine({taskName})`` with no
``modelId`` and no matching ``ml-inference-options`` record runs the task's default model, at its
default dtype (q8 for all of them), and throws "No default model found for task" for a task the
table lacks. Read from Firefox's current source (2026); an earlier version (the gecko-dev mirror)
had the same models except ``text-generation`` (``Xenova/gpt2``, now ``onnx-community/gpt2-ONNX``)
and no ``text-to-speech``, and no dtype (the pipeline's own default).
Firefox's ``test-echo`` entry is left out (``moz-echo`` is this app's test task; it needs no model).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TaskDefault:
    model_id: str
    dtype: str = "q8"


TASK_DEFAULTS: Mapping[str, TaskDefault] = {
    "text-classification": TaskDefault("Xenova/distilbert-base-uncased-finetuned-sst-2-english"),
    "token-classification": TaskDefault("Xenova/bert-base-multilingual-cased-ner-hrl"),
    "question-answering": TaskDefault("Xenova/distilbert-base-cased-distilled-squad"),
    "fill-mask": TaskDefault("Xenova/bert-base-uncased"),
    "summarization": TaskDefault("Xenova/distilbart-cnn-6-6"),
    "translation": TaskDefault("Xenova/t5-small"),
    "text2text-generation": TaskDefault("Xenova/flan-t5-small"),
    "text-generation": TaskDefault("onnx-community/gpt2-ONNX"),
    "zero-shot-classification": TaskDefault("Xenova/distilbert-base-uncased-mnli"),
    "image-to-text": TaskDefault("Mozilla/distilvit"),
    "image-classification": TaskDefault("Xenova/vit-base-patch16-224"),
    "image-segmentation": TaskDefault("Xenova/detr-resnet-50-panoptic"),
    "zero-shot-image-classification": TaskDefault("Xenova/clip-vit-base-patch32"),
    "object-detection": TaskDefault("Xenova/detr-resnet-50"),
    "zero-shot-object-detection": TaskDefault("Xenova/owlvit-base-patch32"),
    "document-question-answering": TaskDefault("Xenova/donut-base-finetuned-docvqa"),
    "image-to-image": TaskDefault("Xenova/swin2SR-classical-sr-x2-64"),
    "depth-estimation": TaskDefault("Xenova/dpt-large"),
    "feature-extraction": TaskDefault("Xenova/all-MiniLM-L6-v2"),
    "image-feature-extraction": TaskDefault("Xenova/vit-base-patch16-224-in21k"),
    "text-to-speech": TaskDefault("Xenova/speecht5_tts"),
}
