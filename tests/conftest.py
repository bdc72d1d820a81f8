"""Shared test setup: headless Qt, and every test isolated from the user's real folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point preferences, cache, data and logs at a per-test folder; drop the user's overrides."""
    for key in list(os.environ):
        if key.startswith("INFERENCE_GUI_"):
            monkeypatch.delenv(key)
    home = tmp_path / "app-home"
    monkeypatch.setenv("INFERENCE_GUI_CONFIG", str(home / "config.ini"))
    monkeypatch.setenv("INFERENCE_GUI_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("INFERENCE_GUI_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("INFERENCE_GUI_LOG_DIR", str(home / "logs"))
    return home
