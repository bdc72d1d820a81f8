"""Which task a converted model is for, read from ``config.json`` ``architectures``.

The engine is always told its task; a freshly converted folder is not, so the check infers it the
way Transformers.js's model classes are named: by the architecture's head (``...ForMaskedLM`` is
fill-mask). A head shared by several modalities (``...ForSequenceClassification`` of a text or
an audio model, a bare ``...Model``) is told apart by what the model is fed: its
``preprocessor_config.json`` says audio (a sampling rate) or images (image mean, an image
processor). Only tasks this app can run are inferred; anything else asks for ``--task``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from inference_gui.engine.tasks import TASKS

Modality = Literal["text", "image", "audio"]

# Whole architecture names whose head alone would mislead (a speech model's decoder is a
# ForConditionalGeneration; dual-tower models are bare ``Model`` classes).
_ARCHITECTURES: dict[str, str] = {
    "WhisperForConditionalGeneration": "automatic-speech-recognition",
    "MoonshineForConditionalGeneration": "automatic-speech-recognition",
    "Speech2TextForConditionalGeneration": "automatic-speech-recognition",
    "CLIPModel": "zero-shot-image-classification",
    "ChineseCLIPModel": "zero-shot-image-classification",
    "SiglipModel": "zero-shot-image-classification",
    "OwlViTForObjectDetection": "zero-shot-object-detection",
    "Owlv2ForObjectDetection": "zero-shot-object-detection",
    "ClapModel": "zero-shot-audio-classification",
    # matting models Transformers.js loads as custom architectures for background-removal
    "MODNet": "background-removal",
    "BiRefNet": "background-removal",
    "ISNet": "background-removal",
}

# Architecture name endings, longest first where one ends another (``LMHeadModel`` / ``Model``);
# a tuple value is (text task, image task, audio task) for heads several modalities share.
_HEADS: tuple[tuple[str, str | tuple[str, str, str]], ...] = (
    (
        "ForSequenceClassification",
        ("text-classification", "image-classification", "audio-classification"),
    ),
    ("ForAudioClassification", "audio-classification"),
    ("ForCTC", "automatic-speech-recognition"),
    ("ForSpeechSeq2Seq", "automatic-speech-recognition"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("LMHeadModel", "text-generation"),
    ("ForImageClassification", "image-classification"),
    ("ForObjectDetection", "object-detection"),
    ("ForSemanticSegmentation", "image-segmentation"),
    ("ForImageSegmentation", "image-segmentation"),
    ("ForDepthEstimation", "depth-estimation"),
    ("ForImageSuperResolution", "image-to-image"),
    ("VisionEncoderDecoderModel", "image-to-text"),
    ("ForVision2Seq", "image-to-text"),
    ("ForConditionalGeneration", "text2text-generation"),
    ("ForSeq2SeqLM", "text2text-generation"),
    ("Model", ("feature-extraction", "image-feature-extraction", "feature-extraction")),
)
_MODALITY_INDEX: dict[Modality, int] = {"text": 0, "image": 1, "audio": 2}


def modality(preprocessor: Mapping[str, Any] | None) -> Modality:
    """What the model is fed, from its ``preprocessor_config.json`` (text when it has none)."""
    if not preprocessor:
        return "text"
    if "sampling_rate" in preprocessor or (
        "feature_extractor_type" in preprocessor and "image_mean" not in preprocessor
    ):
        return "audio"
    return "image"


def task_of_architecture(architecture: str, fed: Modality = "text") -> str | None:
    """The task for one architecture name, or None when no head is recognised or runnable."""
    task: str | tuple[str, str, str] | None = _ARCHITECTURES.get(architecture)
    if task is None:
        task = next((t for ending, t in _HEADS if architecture.endswith(ending)), None)
    if isinstance(task, tuple):
        task = task[_MODALITY_INDEX[fed]]
    return task if task in TASKS else None


def infer_task(
    config: Mapping[str, Any], preprocessor: Mapping[str, Any] | None = None
) -> tuple[str | None, str]:
    """(task, architecture it came from); (None, what was there) when no head is recognised."""
    architectures = config.get("architectures")
    if not isinstance(architectures, list) or not architectures:
        return None, ""
    fed = modality(preprocessor)
    for name in architectures:
        task = task_of_architecture(str(name), fed)
        if task is not None:
            return task, str(name)
    return None, ", ".join(map(str, architectures))
