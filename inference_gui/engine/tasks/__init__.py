"""The task registry: one line per task, naming the module that implements it.

Modules are imported on first use, so loading the registry costs nothing and a task that fails to
import breaks only itself. A new task is a new module with a ``TASK`` class plus one line here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from inference_gui.errors import EngineError

if TYPE_CHECKING:
    from inference_gui.engine.tasks.base import Task

TASK_MODULES: dict[str, str] = {
    "feature-extraction": "feature_extraction",
    "text-classification": "text_classification",
    "token-classification": "token_classification",
    "fill-mask": "fill_mask",
    "question-answering": "question_answering",
    "image-classification": "image_classification",
    "moz-echo": "moz_echo",
    "text-generation": "text_generation",
    "text2text-generation": "text2text_generation",
    "summarization": "text2text_generation",
    "translation": "text2text_generation",
    "image-to-text": "image_to_text",
    "zero-shot-classification": "zero_shot_classification",
    "object-detection": "object_detection",
    "image-segmentation": "image_segmentation",
    "zero-shot-image-classification": "zero_shot_image_classification",
    "zero-shot-object-detection": "zero_shot_object_detection",
    "depth-estimation": "depth_estimation",
    "image-feature-extraction": "image_feature_extraction",
    "background-removal": "background_removal",
    "image-to-image": "image_to_image",
    "automatic-speech-recognition": "automatic_speech_recognition",
    "audio-classification": "audio_classification",
    "text-to-audio": "text_to_audio",
}


def task_class(name: str) -> type[Task]:
    """The Task class for ``name``; an unknown or unsupported task is an error listing what is."""
    module = TASK_MODULES.get(name)
    if module is None:
        raise EngineError(
            f"The task {name!r} is not supported by this app.",
            f"Supported tasks: {', '.join(sorted(TASK_MODULES))}.",
        )
    return importlib.import_module(f"{__name__}.{module}").TASK


def supported_tasks() -> list[str]:
    return sorted(TASK_MODULES)
