"""Do a graph's inputs and outputs fit the task? The names the engine feeds and reads.

The engine feeds only the inputs below (``token_type_ids`` as zeros when the tokenizer gives
none) and reads the outputs each task names, so a graph exported for another task fails at run
time; here it fails before upload, naming the input or output.
"""

from __future__ import annotations

from collections.abc import Sequence

from inference_gui.check.findings import Finding, error
from inference_gui.engine.tasks.base import Task

FED_INPUTS = frozenset(
    {
        "input_ids",
        "attention_mask",
        "token_type_ids",
        "position_ids",
        "pixel_values",
        "pixel_mask",
        "input_features",
        "input_values",
        "encoder_hidden_states",
        "encoder_attention_mask",
        "use_cache_branch",
    }
)
PAST_PREFIX = "past_key_values."

# Outputs a task reads when the task module names none (any one of them suffices).
_TASK_OUTPUTS: dict[str, tuple[str, ...]] = {
    "feature-extraction": ("last_hidden_state", "logits", "token_embeddings"),
    "text-generation": ("logits",),
}
_BASE_OUTPUTS: dict[str, tuple[str, ...]] = {
    "encoder_model": ("last_hidden_state",),
    "decoder_model_merged": ("logits",),
}


# What the first graph of a model takes, by the task's input kind; token ids otherwise. Audio
# models take either log-mel features (Whisper) or raw samples (Wav2Vec2-style encoders).
_FIRST_INPUTS: dict[str, tuple[str, ...]] = {
    "image": ("pixel_values",),
    "audio": ("input_features", "input_values"),
}


def expected_inputs(task: type[Task], base: str) -> tuple[str, ...]:
    """The inputs a graph must take one of: the task's media for its first graph, else token ids."""
    if base != "decoder_model_merged" and task.input_kind in _FIRST_INPUTS:
        return _FIRST_INPUTS[task.input_kind]
    return ("input_ids",)


def expected_outputs(task: type[Task], base: str) -> tuple[str, ...]:
    return _BASE_OUTPUTS.get(base) or task.required_outputs or _TASK_OUTPUTS.get(task.name, ())


def check_io(
    path: str, task: type[Task], base: str, inputs: Sequence[str], outputs: Sequence[str]
) -> list[Finding]:
    found = []
    if task.pixels_under_any_name and len(inputs) == 1:
        inputs = ["pixel_values"]  # the engine feeds the pixels under the one input's name
    unfed = [n for n in inputs if n not in FED_INPUTS and not n.startswith(PAST_PREFIX)]
    for name in unfed:
        found.append(
            error(
                "IO_UNEXPECTED_INPUT",
                path,
                f"takes an input {name!r} that {task.name} never feeds.",
                "Export the model for this task (the converter's --task), or pick the task "
                "it was exported for.",
            )
        )
    needed = expected_inputs(task, base)
    if not set(needed) & set(inputs):
        found.append(
            error(
                "IO_MISSING_INPUT",
                path,
                f"has no input {' or '.join(map(repr, needed))}, which {task.name} feeds "
                f"(it takes: {', '.join(inputs) or 'nothing'}).",
                "Export the model for this task, or pick the task it was exported for.",
            )
        )
    wanted = expected_outputs(task, base)
    if wanted and not set(wanted) & set(outputs):
        found.append(
            error(
                "IO_MISSING_OUTPUT",
                path,
                f"produces {', '.join(outputs[:6]) or 'nothing'} but {task.name} reads "
                f"{' or '.join(wanted)}.",
                "Export the model with the head for this task (e.g. --task "
                f"{task.name} in the converter).",
            )
        )
    return found
