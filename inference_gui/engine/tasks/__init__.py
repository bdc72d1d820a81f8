"""The task registry: one line per task, naming the module that implements it and what it takes.

Modules are imported on first use, so loading the registry costs nothing and a task that fails to
import breaks only itself. A new task is a new module with a ``TASK`` class plus one line here.
What a task takes (its :class:`TaskSpec`) is declared here rather than in its module, so the
window can lay out its input form without importing the module and, through it, the model stack
(numpy, tokenizers, Pillow, onnxruntime: ~0.5 s on the GUI thread at start-up); the ``Task``
class reads the same declaration.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inference_gui.engine.inputs import InputKind
from inference_gui.errors import EngineError

if TYPE_CHECKING:
    from inference_gui.engine.tasks.base import Task


@dataclass(frozen=True)
class TaskSpec:
    """Where a task lives and what it takes, known without importing it."""

    module: str
    input_kind: InputKind = "text"
    accepts_chat: bool = False  # takes a chat (list of messages) where it takes text
    takes_labels: bool = False  # also takes candidate labels (zero-shot tasks)
    needs_model: bool = True


TASKS: dict[str, TaskSpec] = {
    "feature-extraction": TaskSpec("feature_extraction"),
    "text-classification": TaskSpec("text_classification"),
    "token-classification": TaskSpec("token_classification"),
    "fill-mask": TaskSpec("fill_mask"),
    "question-answering": TaskSpec("question_answering", "qa"),
    "image-classification": TaskSpec("image_classification", "image"),
    "moz-echo": TaskSpec("moz_echo", "any", needs_model=False),
    "text-generation": TaskSpec("text_generation", accepts_chat=True),
    "text2text-generation": TaskSpec("text2text_generation"),
    "summarization": TaskSpec("text2text_generation"),
    "translation": TaskSpec("text2text_generation"),
    "image-to-text": TaskSpec("image_to_text", "image"),
    "zero-shot-classification": TaskSpec("zero_shot_classification", takes_labels=True),
    "object-detection": TaskSpec("object_detection", "image"),
    "image-segmentation": TaskSpec("image_segmentation", "image"),
    "zero-shot-image-classification": TaskSpec(
        "zero_shot_image_classification", "image", takes_labels=True
    ),
    "zero-shot-object-detection": TaskSpec(
        "zero_shot_object_detection", "image", takes_labels=True
    ),
    "depth-estimation": TaskSpec("depth_estimation", "image"),
    "image-feature-extraction": TaskSpec("image_feature_extraction", "image"),
    "background-removal": TaskSpec("background_removal", "image"),
    "image-to-image": TaskSpec("image_to_image", "image"),
    "automatic-speech-recognition": TaskSpec("automatic_speech_recognition", "audio"),
    "audio-classification": TaskSpec("audio_classification", "audio"),
    "text-to-audio": TaskSpec("text_to_audio"),
}


def task_spec(name: str) -> TaskSpec:
    """What ``name`` takes; an unknown or unsupported task is an error listing what is."""
    spec = TASKS.get(name)
    if spec is None:
        raise EngineError(
            f"The task {name!r} is not supported by this app.",
            f"Supported tasks: {', '.join(sorted(TASKS))}.",
        )
    return spec


def task_class(name: str) -> type[Task]:
    """The Task class for ``name`` (imports its module, and the model stack with it)."""
    return importlib.import_module(f"{__name__}.{task_spec(name).module}").TASK


def supported_tasks() -> list[str]:
    return sorted(TASKS)
