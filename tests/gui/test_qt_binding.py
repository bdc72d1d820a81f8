"""The installed Qt binding keeps Python's reference counts straight.

PySide6 6.12.0's ``processEvents()`` dropped a reference to ``None`` on every call; pytest-qt's
waits call it thousands of times, and after enough GUI tests the interpreter aborted while exiting
("none_dealloc" / "bool_dealloc", exit 134) although every test had passed. The app itself spins
the event loop for hours. pyproject.toml excludes that release; this test fails on it.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtWidgets import QApplication, QWidget

CALLS = 2000


def test_processing_events_leaves_none_and_bools_referenced(qtbot) -> None:
    app = QApplication.instance()
    assert app is not None
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()

    def counts() -> tuple[int, int]:
        gc.collect()
        return sys.getrefcount(None), sys.getrefcount(True) + sys.getrefcount(False)

    before = counts()
    for _ in range(CALLS):
        app.processEvents()
    after = counts()
    # ordinary churn moves these by a few; the broken release lost one per call
    assert before[0] - after[0] < CALLS // 10, f"None lost {before[0] - after[0]} references"
    assert before[1] - after[1] < CALLS // 10, f"bools lost {before[1] - after[1]} references"
