"""Locate files shipped in ``resources/``, installed (package data) or run from a checkout."""

from __future__ import annotations

from importlib import resources as importlib_resources
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource.

    For example ``resource_path("settings", "ml-inference-options.json")``.
    """
    try:
        base = Path(str(importlib_resources.files("inference_gui.resources")))
    except ModuleNotFoundError:  # running from a checkout without installing
        base = Path(__file__).resolve().parent.parent / "resources"
    path = base.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"Resource {'/'.join(parts)} is missing from {base}; reinstall the app."
        )
    return path
