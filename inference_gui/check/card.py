"""The model card: the sections readers need (missing ones are warnings) and its metadata.

``README.md`` is parsed with ``huggingface_hub``'s ModelCard (YAML metadata + Markdown), so the
metadata means what it means on the Hub; ``model_card.json`` is read as sections by key.
"""

from __future__ import annotations

import json
import re
from typing import Any

from huggingface_hub import ModelCard

from inference_gui.check.findings import Finding, info, warning
from inference_gui.check.folder import ModelFolder

# Section -> heading words that count as that section (lower case, matched inside the heading).
SECTIONS: dict[str, tuple[str, ...]] = {
    "model description": ("model description", "model details", "description", "overview"),
    "intended uses and limitations": ("intended use", "uses"),
    "how to use": ("how to use", "usage", "getting started", "quick start"),
    "limitations and bias": ("limitation", "bias", "risks"),
    "training data": ("training data", "dataset"),
    "training procedure": ("training procedure", "training"),
    "evaluation results": ("evaluation", "results"),
}
METADATA = ("license", "library_name", "pipeline_tag")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.+?)\s*#*\s*$", re.MULTILINE)


def _readme(text: str) -> tuple[dict[str, Any], list[str]]:
    card = ModelCard(text, ignore_metadata_errors=True)
    return card.data.to_dict(), [h.lower() for h in _HEADING.findall(card.text)]


def _json_card(text: str) -> tuple[dict[str, Any], list[str]]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    keys = [str(k).replace("_", " ").lower() for k in value]
    return value, keys


def check_card(folder: ModelFolder, task: str | None) -> list[Finding]:
    name = next((c for c in ("README.md", "model_card.json") if folder.has(c)), None)
    if name is None:
        return [
            warning(
                "CARD_MISSING",
                "",
                "There is no model card (README.md or model_card.json).",
                "Write a README.md saying what the model does, how to use it and its limits.",
            )
        ]
    try:
        text = folder.path(name).read_text(encoding="utf-8", errors="replace")
        metadata, headings = (_readme if name.endswith(".md") else _json_card)(text)
    except (OSError, ValueError) as exc:
        return [warning("CARD_UNREADABLE", name, f"cannot be read: {exc}.", "Write it again.")]
    found = []
    for section, words in SECTIONS.items():
        if not any(word in heading for heading in headings for word in words):
            found.append(
                warning(
                    "CARD_MISSING_SECTION",
                    name,
                    f"has no {section!r} section.",
                    f"Add a heading '## {section.capitalize()}' with that information.",
                )
            )
    shown = ", ".join(f"{k}: {metadata.get(k)}" for k in METADATA if metadata.get(k))
    found.append(info("CARD_METADATA", name, f"metadata: {shown or 'none'}."))
    if not metadata.get("license"):
        found.append(
            warning(
                "CARD_NO_LICENSE",
                name,
                "states no license.",
                "Add 'license: <id>' to the card's metadata (the YAML block at its top).",
            )
        )
    tag = metadata.get("pipeline_tag")
    if task and tag and tag != task:
        found.append(
            warning(
                "CARD_PIPELINE_TAG",
                name,
                f"says pipeline_tag {tag}, but the model is checked as {task}.",
                "Make the card's pipeline_tag name the task the model was exported for.",
            )
        )
    return found
