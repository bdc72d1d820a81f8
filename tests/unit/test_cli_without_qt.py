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

PROBE = """
import json, sys
from inference_gui.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
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
