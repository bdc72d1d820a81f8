"""A damaged ``index.sqlite`` is detected, named in one line, rebuilt on request; never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inference_gui.cache import ModelCache
from inference_gui.cache.store import DamagedIndex
from inference_gui.cli.main import main
from inference_gui.hub import Hub
from tests.paths import HUB

ROOT = Path(__file__).resolve().parents[3]


def filled_cache(root: Path) -> Path:
    cache = ModelCache(root, 10**9)
    hub = Hub(HUB)
    for path in ("config.json", "tokenizer.json", "onnx/model_quantized.onnx"):
        cache.fetch(hub, "tiny/bert-embed", "v1.0.0", path)
    cache.close()
    return root / "index.sqlite"


def damage(index: Path, how: str) -> None:
    data = index.read_bytes()
    assert len(data) >= 4 * 4096, "the index must span pages for this test to mean anything"
    if how == "truncated":
        index.write_bytes(data[: len(data) // 2 + 100])
    else:  # one page of garbage, the 100-byte header intact
        page = 4096
        index.write_bytes(data[:page] + b"\xa5" * page + data[2 * page :])


@pytest.mark.parametrize("how", ["truncated", "garbage-page"])
def test_opening_a_damaged_index_says_so_and_points_at_the_rebuild(tmp_path, how) -> None:
    index = filled_cache(tmp_path / "cache")
    damage(index, how)
    with pytest.raises(DamagedIndex) as raised:
        ModelCache(tmp_path / "cache", 10**9)
    assert str(index) in raised.value.message and "--repair" in raised.value.hint


@pytest.mark.parametrize("how", ["truncated", "garbage-page"])
def test_every_cache_command_prints_one_line_and_verify_repair_rebuilds(
    tmp_path, capsys, monkeypatch, how
) -> None:
    index = filled_cache(tmp_path / "cache")
    damage(index, how)
    monkeypatch.setenv("INFERENCE_GUI_CACHE_DIR", str(tmp_path / "cache"))
    for command in (["ls"], ["verify"], ["rm", "--all", "--yes"], ["evict", "--dry-run"]):
        assert main(["cache", *command]) == 1, command
        out, err = capsys.readouterr()
        assert "damaged" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["cache", "verify", "--repair"]) == 0
    out, err = capsys.readouterr()
    assert "set aside" in out
    assert main(["cache", "ls"]) == 0
    assert "tokenizer.json" in capsys.readouterr().out
    assert list((tmp_path / "cache").glob("index.sqlite.damaged-*"))


def test_the_gui_and_screenshots_show_the_message_instead_of_crashing(tmp_path) -> None:
    index = filled_cache(tmp_path / "cache")
    damage(index, "garbage-page")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "INFERENCE_GUI_CACHE_DIR": str(tmp_path / "cache"),
    }
    for pane in ("cache", "records"):
        shot = tmp_path / f"{pane}.png"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "inference_gui",
                "screenshot",
                "--pane",
                pane,
                "--output",
                str(shot),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and shot.is_file()


def test_the_cache_pane_shows_the_damage_and_a_rebuild_button(tmp_path, qtbot) -> None:
    from inference_gui.config import load_settings
    from inference_gui.context import AppContext
    from inference_gui.ui.app import application
    from inference_gui.ui.context import UiContext
    from inference_gui.ui.panes.cache import CachePane
    from inference_gui.ui.settings_store import open_store

    index = filled_cache(tmp_path / "cache")
    damage(index, "garbage-page")
    application()
    store, _ = open_store()
    settings, _ = load_settings({}, {"INFERENCE_GUI_CACHE_DIR": str(tmp_path / "cache")}, {})
    ui = UiContext(AppContext(settings), store, os.environ, {})
    pane = CachePane(ui)  # raised DatabaseError before
    qtbot.addWidget(pane)
    assert "damaged" in pane.status.text()
    assert pane.rebuild_button.isVisible() or not pane.rebuild_button.isHidden()
    pane.rebuild_button.click()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=10000)
    ui.app.close()
