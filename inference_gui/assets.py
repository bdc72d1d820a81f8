"""Locate files shipped in ``resources/``, installed (package data) or run from a checkout."""

from __future__ import annotations

from importlib import resources as importlib_resources
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource.

    For example ``resource_path("settings", "ml-inference-options.json")``.
    """
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "resources").is_dir():
        # Run from a checkout: its own resources, even when an editable install of another
        # checkout (a second git worktree) maps the package to that one's.
        base = checkout / "resources"
    else:
        base = Path(str(importlib_resources.files("inference_gui.resources")))
    path = base.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"Resource {'/'.join(parts)} is missing from {base}; reinstall the app."
        )
    return path
