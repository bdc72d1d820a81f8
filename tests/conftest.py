"""Shared test setup: headless Qt, and every test isolated from the user's real folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.real_kinto import RealKinto, missing_packages

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


@pytest.fixture(scope="session")
def kinto_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealKinto]:
    """The real Kinto, started once per session (about a second) and stopped at the end."""
    missing = missing_packages()
    if missing:
        pytest.skip(f"the real Kinto needs {', '.join(missing)}: pip install -e '.[test]'")
    server = RealKinto(tmp_path_factory.mktemp("kinto"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def real_kinto(kinto_process: RealKinto) -> RealKinto:
    """The session's Kinto, emptied: only a world-readable ``main`` bucket."""
    kinto_process.reset()
    return kinto_process
