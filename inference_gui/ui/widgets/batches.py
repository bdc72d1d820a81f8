"""How a result lines up with its inputs: Transformers.js returns a list per input for batches
and one result otherwise, so every result view splits outputs the same way."""

from __future__ import annotations

from typing import Any

from inference_gui.engine.inputs import RunInput


def per_input(output: Any, inputs: RunInput) -> list[Any]:
    """One output per input: the batch's list, or the single result in a list."""
    return list(output) if inputs.batched and isinstance(output, list) else [output]
