"""RunGuard really interrupts onnxruntime: a session that runs until ``terminate`` is set stops
with Cancelled or TimedOut, and session options keep idle threads from spinning."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import onnxruntime as ort
import pytest

from inference_gui.engine.session import RunGuard, session_options
from inference_gui.errors import Cancelled, EngineError, TimedOut


class EndlessSession:
    """Stands in for a long kernel: runs until the RunOptions' terminate flag is set."""

    def __init__(self, started: threading.Event | None = None) -> None:
        self.started = started or threading.Event()

    def get_outputs(self) -> list[Any]:
        return [SimpleNamespace(name="out")]

    def run(self, outputs: Any, feeds: Any, run_options: ort.RunOptions) -> list[Any]:
        self.started.set()
        while not run_options.terminate:
            time.sleep(0.001)
        raise RuntimeError("Exiting due to terminate flag being set to true.")


def test_cancel_sets_terminate_and_reports_cancelled() -> None:
    cancel = threading.Event()
    session = EndlessSession()
    threading.Thread(target=lambda: (session.started.wait(), cancel.set()), daemon=True).start()
    with pytest.raises(Cancelled), RunGuard(cancel) as guard:
        guard.run(session, {})  # type: ignore[arg-type]


def test_deadline_sets_terminate_and_reports_timed_out() -> None:
    with pytest.raises(TimedOut, match="50 ms"), RunGuard(None, 50) as guard:
        guard.run(EndlessSession(), {})  # type: ignore[arg-type]


def test_other_failures_are_engine_errors() -> None:
    class Broken(EndlessSession):
        def run(self, outputs: Any, feeds: Any, run_options: ort.RunOptions) -> list[Any]:
            raise RuntimeError("Got invalid dimensions for input: input_ids")

    with pytest.raises(EngineError, match="invalid dimensions"), RunGuard() as guard:
        guard.run(Broken(), {})  # type: ignore[arg-type]


def test_session_options_do_not_spin_and_optimise_fully() -> None:
    options = session_options(3)
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert options.get_session_config_entry("session.inter_op.allow_spinning") == "0"
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert options.intra_op_num_threads == 3
    assert session_options(0).intra_op_num_threads == 0  # automatic


def test_back_to_back_runs_do_not_wake_the_watcher_and_a_parked_one_still_cancels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Waking the watcher thread per run took the GIL from short runs; it now wakes only when
    parked, and after parking (idle) a new run's cancel still reaches a long kernel."""
    from inference_gui.engine import session as session_module

    monkeypatch.setattr(session_module, "_IDLE_TICKS", 3)
    watcher = session_module._WATCHER
    wakes: list[int] = []
    real_set = watcher._wake.set
    monkeypatch.setattr(watcher._wake, "set", lambda: (wakes.append(1), real_set())[1])
    for _ in range(20):  # short runs in a row, as a batch or a benchmark makes
        with RunGuard(threading.Event()):
            pass
    assert len(wakes) <= 1
    deadline = time.monotonic() + 5
    while not watcher._parked and time.monotonic() < deadline:
        time.sleep(0.01)
    assert watcher._parked
    woken = len(wakes)
    test_cancel_sets_terminate_and_reports_cancelled()
    assert len(wakes) == woken + 1
