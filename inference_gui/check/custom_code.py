"""Models that need custom modeling code, which the platform cannot run.

``auto_map`` in ``config.json`` (or ``trust_remote_code`` in the card) means the model was written
for code shipped beside it. The ONNX graph already holds the computation, so a model may still run
as the architecture it names; the finding says which, or that there is none.
"""

from __future__ import annotations

from typing import Any

from inference_gui.check.findings import Finding, warning
from inference_gui.check.folder import ModelFolder
from inference_gui.check.task import infer_task
from inference_gui.layout import CONFIG, PREPROCESSOR_CONFIG

CARDS = ("README.md", "model_card.json")


def check_custom_code(folder: ModelFolder) -> list[Finding]:
    config = folder.config
    found = []
    auto_map = config.get("auto_map")
    if isinstance(auto_map, dict) and auto_map:
        fallback = _fallback(config, folder.json(PREPROCESSOR_CONFIG))
        classes = ", ".join(f"{k} -> {v}" for k, v in list(auto_map.items())[:4])
        found.append(
            warning(
                "CUSTOM_CODE",
                CONFIG,
                f"asks for custom code (auto_map: {classes}); the platform cannot run custom "
                f"modeling or tokenizer code. {fallback}",
                "Export with a standard architecture, or check the smoke run's output by hand.",
            )
        )
    for card in CARDS:
        if folder.has(card) and "trust_remote_code" in _text(folder, card):
            found.append(
                warning(
                    "CUSTOM_CODE",
                    card,
                    "tells users to pass trust_remote_code; the platform never runs remote code.",
                    "Say in the card how to use the ONNX files without custom code.",
                )
            )
    return found


def _fallback(config: dict[str, Any], preprocessor: dict[str, Any] | None) -> str:
    task, architecture = infer_task(config, preprocessor)
    if task is None:
        return "No standard architecture is named to fall back to."
    return f"It falls back to {architecture} ({task})."


def _text(folder: ModelFolder, card: str) -> str:
    try:
        return folder.path(card).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
