"""``moz-echo``: Firefox's plumbing test task.

No model; the output is the input, as Firefox's echo engine returns it (``{"output": <input>}``)
so a whole request path can be checked cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.tasks.base import RunContext, Task


class MozEcho(Task):
    name = "moz-echo"
    model_bases = ()
    needs_tokenizer = False

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Any:
        if inputs.kind == "qa":
            return {"question": inputs.question, "context": inputs.context}
        values: list[Any] = list(inputs.texts) or [str(p) for p in inputs.images]
        return values if inputs.batched else values[0]

    def run(self, prepared: Any, ctx: RunContext) -> Any:
        return prepared

    def postprocess(
        self, outputs: Any, prepared: Any, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        return {"output": outputs}


TASK = MozEcho
