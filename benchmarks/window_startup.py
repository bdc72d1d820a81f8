"""Window start-up: how long from launch until the main window is shown, and until it is painted
with the records and the cache listing; which of the model stack the GUI thread imported by then.

``python -m benchmarks.window_startup [--runs N] [--first-result DIR [--dtype D]]`` launches a
fresh interpreter per run (offscreen Qt, a temporary home whose records come from the fixture
records file, offline) taking turns with a bare ``python -c pass``; prints medians. The suite
(``benchmarks.suite``) reports the same figures. The child does what ``run_gui`` does: build the
window, show it, then start the model-stack preload off the GUI thread. With ``--first-result``
each launch also opens the Inference pane at once and runs a model imported into its cache
beforehand (launch to result shown).
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
from collections.abc import Mapping
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
from inference_gui.ui.settings_store import open_store, read_preferences
from inference_gui.engine.preload import preload_model_stack
from PySide6.QtWidgets import QApplication
app = application()
store, _ = open_store()
settings, _ = load_settings(read_preferences(store), os.environ, {})
window = build_window(AppContext(settings), store, os.environ, {})
window.resize(1200, 800)
window.show()
app.processEvents()
shown = time.time()
stack = sorted(m for m, thread in first.items() if thread == "MainThread")
preload_model_stack()
report = {"shown": shown - launched, "stack": stack}
wanted = os.environ.get("STARTUP_FIRST_RESULT")
if wanted:  # ask for a result straight away, as a person who opened the app to run one
    from inference_gui.engine.workloads import Example
    pane = window.show_pane("inference")
    pane.run_example(Example(**json.loads(wanted)))
    while pane.busy:
        app.processEvents()
        time.sleep(0.002)
    app.processEvents()
    report["first_result"] = time.time() - launched
    report["output"] = pane.results.raw.toPlainText()[:200]
while window.ctx.worker.runner.active():
    app.processEvents()
    time.sleep(0.002)
app.processEvents()
report["painted"] = time.time() - launched
print(json.dumps(report))
os._exit(0)
"""


def with_bytecode(env: Mapping[str, str], folder: Path) -> dict[str, str]:
    """``env`` for a child that keeps compiled bytecode in ``folder``, as an installed app has it.

    pip compiles an installed package's modules; an editable checkout run with
    PYTHONDONTWRITEBYTECODE (as on these machines) would compile the app's ~150 modules on every
    launch (~0.2 s of the window's start, cProfile). The cache goes to ``folder``, not the checkout.
    """
    child = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    child["PYTHONPYCACHEPREFIX"] = str(folder)
    return child


def prepare_home(home: Path, code: Path = ROOT) -> dict[str, str]:
    """A config, data and cache folder for the child: records from the fixture file, offline."""
    config = home / "config.ini"
    config.write_text(f"[preferences]\noffline=true\nsettings_file={RECORDS}\n", encoding="utf-8")
    return {
        **with_bytecode(os.environ, home / "bytecode"),
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


def measure_first_result(
    runs: int, folder: Path, model: str, dtype: str, code: Path = ROOT
) -> dict[str, object]:
    """Launch to the first result shown: the model in ``folder`` (a feature-extraction model in
    Transformers.js layout) is imported into the child's cache once as ``model``; each launch
    opens the Inference pane at once and runs it at ``dtype`` on one sentence (mean pooling,
    normalized), offline."""
    wanted = {
        "name": "first-result",
        "title": "first result",
        "task": "feature-extraction",
        "model_id": model,
        "revision": "v1.0.0",
        "dtype": dtype,
        "input": {"text": "The quick brown fox jumps over the lazy dog near the river bank."},
        "options": {"pooling": "mean", "normalize": True},
    }
    times, outputs = [], set()
    with tempfile.TemporaryDirectory() as home:
        env = prepare_home(Path(home), code)
        subprocess.run(
            [sys.executable, "-m", "inference_gui", "cache", "import", str(folder)]
            + ["--model", model, "--revision", "v1.0.0"],
            env=env,
            cwd=env["PYTHONPATH"],
            check=True,
            capture_output=True,
        )
        env["STARTUP_FIRST_RESULT"] = json.dumps(wanted)
        launch_window(env)  # the first launch creates the settings store
        for _ in range(runs):
            result = launch_window(env)
            times.append(float(result["first_result"]))  # type: ignore[arg-type]
            outputs.add(str(result["output"])[:60])
    return {
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "max_ms": max(times) * 1000,
        "outputs": sorted(outputs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--first-result",
        type=Path,
        metavar="DIR",
        help="also time launch to the first result of this feature-extraction model folder",
    )
    parser.add_argument("--dtype", default="q8", help="with --first-result")
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="checkout to measure (before/after pairs)"
    )
    args = parser.parse_args()
    print(json.dumps(measure(args.runs, args.code), indent=2))
    if args.first_result:
        first = measure_first_result(
            args.runs, args.first_result, "bench/first-result", args.dtype, args.code
        )
        print(json.dumps({"first result": first}, indent=2))


if __name__ == "__main__":
    main()
