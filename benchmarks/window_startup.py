"""Window start-up: how long from launch until the main window is shown, and until it is painted
with the records and the cache listing; which of the model stack the GUI thread imported by then.

``python -m benchmarks.window_startup [--runs N]`` launches a fresh interpreter per run (offscreen
Qt, a temporary home whose records come from the fixture records file and whose cache holds the
fixture hub imported once) taking turns with a bare ``python -c pass``; prints medians. The suite
(``benchmarks.suite``) reports the same figures. The child does what ``run_gui`` does: build the
window, show it, then start the model-stack preload off the GUI thread.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL_STACK = ("numpy", "onnxruntime", "tokenizers", "PIL", "jinja2")
RECORDS = ROOT / "tests" / "fixtures" / "remote-settings" / "ml-inference-options.json"

CHILD = """
import os, sys, time, json, threading
launched = float(os.environ["STARTUP_LAUNCHED"])
first = {}

class Watch:  # which thread first imports each module of the model stack
    def find_spec(self, name, path=None, target=None):
        if name in %(stack)r and name not in first:
            first[name] = threading.current_thread().name

sys.meta_path.insert(0, Watch())
from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.ui.app import application, build_window
from inference_gui.ui.settings_store import open_store
from inference_gui.engine.preload import preload_model_stack
from PySide6.QtWidgets import QApplication
app = application()
store, _ = open_store()
settings, _ = load_settings({}, os.environ, {})
window = build_window(AppContext(settings), store, os.environ, {})
window.resize(1200, 800)
window.show()
app.processEvents()
shown = time.time()
stack = sorted(m for m, thread in first.items() if thread == "MainThread")
preload_model_stack()
while window.ctx.worker.runner.active():
    app.processEvents()
    time.sleep(0.002)
app.processEvents()
painted = time.time()
print(json.dumps({"shown": shown - launched, "painted": painted - launched, "stack": stack}))
os._exit(0)
"""


def prepare_home(home: Path, code: Path = ROOT) -> dict[str, str]:
    """A config, data and cache folder for the child: records from the fixture file, offline."""
    config = home / "config.ini"
    config.write_text(f"[preferences]\noffline=true\nsettings_file={RECORDS}\n", encoding="utf-8")
    return {
        **os.environ,
        "INFERENCE_GUI_CONFIG": str(config),
        "INFERENCE_GUI_CACHE_DIR": str(home / "cache"),
        "INFERENCE_GUI_DATA_DIR": str(home / "data"),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(code),
    }


def launch_window(env: dict[str, str]) -> dict[str, object]:
    env = {**env, "STARTUP_LAUNCHED": repr(time.time())}
    out = subprocess.run(
        [sys.executable, "-c", CHILD % {"stack": MODEL_STACK}],
        env=env,
        cwd=env["PYTHONPATH"],  # ``-c`` puts the working folder first on sys.path
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def launch_bare() -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - began


def measure(runs: int, code: Path = ROOT) -> dict[str, object]:
    """Medians (and spreads) over ``runs`` launches taking turns with a bare interpreter."""
    shown, painted, bare, stacks = [], [], [], set()
    with tempfile.TemporaryDirectory() as home:
        env = prepare_home(Path(home), code)
        launch_window(env)  # the first launch creates the folders and the cache index
        for _ in range(runs):
            bare.append(launch_bare())
            result = launch_window(env)
            shown.append(float(result["shown"]))  # type: ignore[arg-type]
            painted.append(float(result["painted"]))  # type: ignore[arg-type]
            stacks.update(result["stack"])  # type: ignore[arg-type]

    def spread(values: list[float]) -> dict[str, float]:
        return {
            "median_ms": statistics.median(values) * 1000,
            "min_ms": min(values) * 1000,
            "max_ms": max(values) * 1000,
        }

    return {
        "python -c pass": spread(bare),
        "window shown": spread(shown),
        "window painted (records, cache)": spread(painted),
        "model stack imported on the GUI thread before shown": sorted(stacks),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="checkout to measure (before/after pairs)"
    )
    args = parser.parse_args()
    print(json.dumps(measure(args.runs, args.code), indent=2))


if __name__ == "__main__":
    main()
