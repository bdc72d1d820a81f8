"""The window and the CLI name engines without loading the model stack; it loads on use or when
the GUI preloads it off its thread. Checked in fresh interpreters (this one has it all loaded)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

MODEL_STACK = ("numpy", "tokenizers", "PIL", "jinja2", "onnxruntime")

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {stack!r} if m in sys.modules)))
"""


def loaded_after(body: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(body=body, stack=MODEL_STACK)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_engines_results_and_the_task_registry_import_without_the_model_stack() -> None:
    body = (
        "import inference_gui.engine, inference_gui.engine.compare, "
        "inference_gui.engine.workloads, inference_gui.engine.tasks"
    )
    assert loaded_after(body) == []


def test_preloading_imports_the_model_stack_on_another_thread() -> None:
    body = (
        "from inference_gui.engine.preload import preload_model_stack\n"
        "thread = preload_model_stack()\n"
        "thread.join(60)\n"
        "assert thread.name == 'preload-model-stack'"
    )
    assert loaded_after(body) == sorted(MODEL_STACK)
