"""A read-only cache (folder, index or blobs/) is browsed, with every writing action refused."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from inference_gui.cache import ModelCache
from inference_gui.cli.main import main
from inference_gui.errors import CacheError
from inference_gui.hub import Hub
from tests.paths import HUB

FILES = ("config.json", "tokenizer.json", "onnx/model_quantized.onnx")


def filled_cache(root: Path) -> None:
    cache = ModelCache(root, 10**9)
    for path in FILES:
        cache.fetch(Hub(HUB), "tiny/bert-embed", "v1.0.0", path)
    cache.close()


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable for real: permissions, or (as root, who ignores them) a read-only
    bind mount."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    for command in (
        ["mount", "--bind", str(path), str(path)],
        ["mount", "-o", "remount,bind,ro", str(path)],
    ):
        if subprocess.run(command, capture_output=True).returncode != 0:
            subprocess.run(["umount", str(path)], capture_output=True)
            pytest.skip("running as root without the right to mount: cannot make a read-only path")
    try:
        yield
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=True)


@pytest.mark.parametrize("part", ["", "index.sqlite", "blobs"])
def test_the_cli_lists_a_read_only_cache_and_refuses_changes_in_one_line(
    tmp_path, capsys, monkeypatch, part
) -> None:
    root = tmp_path / "cache"
    filled_cache(root)
    monkeypatch.setenv("INFERENCE_GUI_CACHE_DIR", str(root))
    with read_only(root / part if part else root):
        assert main(["cache", "ls"]) == 0
        out, err = capsys.readouterr()
        assert "tokenizer.json" in out and err == ""
        assert main(["cache", "rm", "--all", "--yes"]) == 1
        out, err = capsys.readouterr()
        assert "read-only" in err and len(err.strip().splitlines()) == 1
        cache = ModelCache(root, 10**9)
        assert cache.read_only
        hit = cache.fetch(Hub(HUB), "tiny/bert-embed", "v1.0.0", "config.json")
        assert hit.read_bytes() == (HUB / "tiny/bert-embed/v1.0.0/config.json").read_bytes()
        with pytest.raises(CacheError, match="read-only"):
            cache.fetch(Hub(HUB), "tiny/bert-embed", "v1.0.0", "vocab.txt")
        cache.close()
    assert ModelCache(root, 10**9).store.all()  # nothing was lost


def test_the_cache_pane_browses_a_read_only_cache_with_writing_disabled(tmp_path, qtbot) -> None:
    from inference_gui.config import load_settings
    from inference_gui.context import AppContext
    from inference_gui.ui.app import application
    from inference_gui.ui.context import UiContext
    from inference_gui.ui.panes.cache import CachePane
    from inference_gui.ui.settings_store import open_store

    root = tmp_path / "cache"
    filled_cache(root)
    with read_only(root):
        application()
        store, _ = open_store()
        settings, _ = load_settings({}, {"INFERENCE_GUI_CACHE_DIR": str(root)}, {})
        ui = UiContext(AppContext(settings), store, os.environ, {})
        pane = CachePane(ui)
        qtbot.addWidget(pane)
        qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=10000)
        assert "read-only" in pane.status.text().lower()
        for button in (pane.fetch_button, pane.import_button, pane.hf_button):
            assert not button.isEnabled() and "read-only" in button.toolTip()
        ui.app.close()


def test_an_uncreatable_cache_folder_is_a_message_box_in_the_gui(tmp_path, qtbot) -> None:
    from PySide6.QtWidgets import QMessageBox

    from inference_gui.config import load_settings
    from inference_gui.context import AppContext
    from inference_gui.ui.app import application, build_window
    from inference_gui.ui.settings_store import open_store

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    application()
    store, _ = open_store()
    environ = {"INFERENCE_GUI_CACHE_DIR": str(blocker / "cache")}
    settings, _ = load_settings({}, environ, {})
    window = build_window(AppContext(settings), store, environ, {})  # raised OSError before
    qtbot.addWidget(window)
    boxes = [b for b in window.findChildren(QMessageBox) if "cache" in b.text().lower()]
    assert boxes and "Traceback" not in boxes[0].text()
    assert window.status_cache.text() == "Cache: unavailable"
