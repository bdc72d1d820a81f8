"""GUI responsiveness of the Inference pane: the worst stall of a 10 ms heartbeat while it works.

``python -m benchmarks.inference_pane_bench`` drives the real window offscreen against a local HTTP
hub serving the fixtures, with a fresh cache: a run that downloads, loads and runs; a comparison
over all eight dtypes (5 runs each); the benchmark workloads (3 iterations). Prints a Markdown
table.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.engine.workloads import example
from inference_gui.ui.app import application, build_window
from inference_gui.ui.settings_store import open_store
from tests.paths import HUB
from tests.support.http_hub import serve_hub


def measure(pane, start: Callable[[], None], timeout_s: float = 300) -> tuple[float, float, int]:
    """(wall seconds, worst heartbeat gap in ms, ticks) while ``start``'s work runs."""
    ticks: list[float] = []
    heartbeat = QTimer(interval=10)
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    heartbeat.start()
    began = time.monotonic()
    start()
    deadline = began + timeout_s
    while pane.busy and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.001)
    wall = time.monotonic() - began
    heartbeat.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)] or [0.0]
    return wall, max(gaps) * 1000, len(ticks)


def settle(window, timeout_s: float = 30) -> None:
    """Let the work the window starts when it opens finish and repaint."""
    deadline = time.monotonic() + timeout_s
    while window.ctx.worker.runner.active() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    for _ in range(10):
        QApplication.processEvents()
        time.sleep(0.005)


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory() as home, serve_hub(HUB) as server:
        os.environ["INFERENCE_GUI_CONFIG"] = str(Path(home) / "config.ini")
        os.environ["INFERENCE_GUI_CACHE_DIR"] = str(Path(home) / "cache")
        os.environ["INFERENCE_GUI_DATA_DIR"] = str(Path(home) / "data")
        application()
        store, _ = open_store()
        settings, _ = load_settings({}, os.environ, {"hub": server.url})
        window = build_window(AppContext(settings), store, os.environ, {})
        window.resize(1200, 800)
        pane = window.show_pane("inference")
        window.show()
        settle(window)  # startup work (records, cache listing) is not part of a run's stalls
        rows = []
        rows.append(
            (
                "sentiment: download + load + run (cold cache)",
                *measure(pane, lambda: pane.run_example(example("sentiment"))),
            )
        )

        def compare_all() -> None:
            pane.runs.setValue(5)
            pane.compare_panel.check_all()
            pane.compare()

        pane.load_example(example("embed-sentences"))
        measure(pane, lambda: None)  # wait for the dtype lookup (busy loops crash PySide6: sleep)
        rows.append(
            ("compare 8 dtypes of tiny/bert-embed, 5 runs each", *measure(pane, compare_all))
        )
        pane.benchmark_panel.iterations.setValue(3)
        rows.append(("benchmark tab: all workloads x3", *measure(pane, pane.benchmark)))
        for timer in window.findChildren(QTimer):
            timer.stop()
        window.close()
        window.ctx.app.close()
    print(
        f"{platform.machine()}, Python {platform.python_version()}, offscreen Qt; "
        "heartbeat every 10 ms.\n"
    )
    print("| work | wall s | worst stall ms | ticks |\n|---|---|---|---|")
    for name, wall, worst, ticks in rows:
        print(f"| {name} | {wall:.2f} | {worst:.1f} | {ticks} |")


if __name__ == "__main__":
    main()
