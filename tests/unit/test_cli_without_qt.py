"""The headless CLI stays light: commands that run no model load neither Qt nor onnxruntime.

Checked in a fresh interpreter, since this test process may have loaded both already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("PySide6", "qasync", "onnxruntime")
# what start-up must not pay for: ``--version`` and ``--help`` load no command module at all
MODEL_STACK = ("numpy", "onnxruntime", "tokenizers", "PIL", "jinja2", "PySide6")

PROBE = """
import json, sys
from inference_gui.cli.main import COMMANDS, SHARED_MODULES, main
COMMAND_MODULES = {f"inference_gui.cli.{SHARED_MODULES.get(n, n)}" for n, _ in COMMANDS}
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({
    "code": code,
    "loaded": sorted({m.split(".")[0] for m in sys.modules}),
    "commands": sorted(m for m in sys.modules if m in COMMAND_MODULES),
}))
"""


def run_probe(*args: str, config: Path) -> dict:
    env = {**os.environ, "INFERENCE_GUI_CONFIG": str(config)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [("--version",), ("records", "list")])
def test_command_loads_neither_qt_nor_onnxruntime(args: tuple[str, ...], tmp_path: Path) -> None:
    config = tmp_path / "config.ini"
    config.write_text("[preferences]\noffline=true\n", encoding="utf-8")
    probe = run_probe(*args, config=config)
    assert probe["code"] == 0
    assert "inference_gui" in probe["loaded"]
    assert [m for m in HEAVY if m in probe["loaded"]] == []


def test_stored_preferences_reach_the_cli_without_qt(tmp_path: Path) -> None:
    """The preferences file is read (a bad stored value is reported) with Qt still unloaded."""
    config = tmp_path / "config.ini"
    config.write_text("[preferences]\nthreads=many\n", encoding="utf-8")
    env = {**os.environ, "INFERENCE_GUI_CONFIG": str(config)}
    result = subprocess.run(
        [sys.executable, "-m", "inference_gui", "records", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 2
    assert "threads='many'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
def test_version_and_help_load_no_command_module(args: tuple[str, ...], tmp_path: Path) -> None:
    """Start-up stays fast: command modules (and the model stack they import) load on use only."""
    probe = run_probe(*args, config=tmp_path / "config.ini")
    assert probe["code"] == 0
    assert probe["commands"] == []
    assert [m for m in MODEL_STACK if m in probe["loaded"]] == []


def test_a_command_loads_only_its_own_module(tmp_path: Path) -> None:
    config = tmp_path / "config.ini"
    config.write_text("[preferences]\noffline=true\n", encoding="utf-8")
    probe = run_probe("records", "list", config=config)
    assert probe["code"] == 0
    assert probe["commands"] == ["inference_gui.cli.records"]
