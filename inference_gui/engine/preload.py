"""Import what running a model needs on a background thread, so no one waits for it later.

The window and the CLI name engines and results without numpy, tokenizers, Pillow, jinja2 or
onnxruntime (those load on use, ~0.3 s together on a 2-core machine). The GUI starts this once
it is up, so the first run does not pay for the imports on its job thread either.
"""

from __future__ import annotations

import importlib
import logging
import threading

MODEL_STACK = (
    "numpy",
    "tokenizers",
    "PIL.Image",
    "jinja2",
    "onnxruntime",
    "inference_gui.engine.session",
    "inference_gui.engine.tasks.base",
)


def _import_all() -> None:
    for name in MODEL_STACK:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a broken install is reported when a run needs it
            logging.getLogger(__name__).debug("preloading %s failed", name, exc_info=True)


def preload_model_stack() -> threading.Thread:
    """Start importing the model stack on a daemon thread; returns it (tests join it)."""
    thread = threading.Thread(target=_import_all, name="preload-model-stack", daemon=True)
    thread.start()
    return thread
