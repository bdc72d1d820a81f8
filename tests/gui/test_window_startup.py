"""The window opens without the model stack on the GUI thread: numpy, tokenizers, Pillow, jinja2
and onnxruntime load on use, in jobs or in the preload thread started once the window is shown.

Checked in a fresh interpreter (this one has them all loaded) that records which thread first
imports each of them while it builds the window, shows it, visits every pane and lets the jobs
the panes start (records, cache listing, feature status) finish.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.paths import REMOTE_SETTINGS

MODEL_STACK = ("numpy", "tokenizers", "PIL", "jinja2", "onnxruntime")

PROBE = """
import json, sys, threading, time
first = {}

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in %(stack)r + ("colorsys",) and name not in first:
            first[name] = threading.current_thread().name
        return None

sys.meta_path.insert(0, Watch())
import os
from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.ui.app import application, build_window
from inference_gui.ui.panes import PANE_IDS
from inference_gui.ui.settings_store import open_store

app = application()
store, _ = open_store()
settings, _ = load_settings({}, os.environ, {})
window = build_window(AppContext(settings), store, os.environ, {})
window.show()
for pane in PANE_IDS:
    window.show_pane(pane)
    app.processEvents()
deadline = time.monotonic() + 60
while window.ctx.worker.runner.active() and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
app.processEvents()
gui = sorted(m for m, thread in first.items() if thread == "MainThread")
import colorsys  # an import on the GUI thread the probe must see: its silence above means something
print(json.dumps({"gui": gui, "probe_sees": first.get("colorsys") == "MainThread"}))
os._exit(0)
"""


def test_the_window_opens_without_the_model_stack_on_the_gui_thread(tmp_path: Path) -> None:
    config = tmp_path / "config.ini"
    records = REMOTE_SETTINGS / "ml-inference-options.json"
    config.write_text(f"[preferences]\noffline=true\nsettings_file={records}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", PROBE % {"stack": MODEL_STACK}],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "INFERENCE_GUI_CONFIG": str(config), "QT_QPA_PLATFORM": "offscreen"},
        check=True,
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["gui"] == []
    assert probe["probe_sees"] is True
