"""The job API: results, errors, progress and cooperative cancellation, with no Qt."""

from __future__ import annotations

import threading

import pytest

from inference_gui.errors import Cancelled, EngineError
from inference_gui.jobs import JobContext, JobRunner, Progress


@pytest.fixture
def runner():
    runner = JobRunner(max_workers=2)
    yield runner
    runner.shutdown()


def test_result_and_progress_are_delivered(runner: JobRunner) -> None:
    seen: list[Progress] = []

    def work(ctx: JobContext) -> int:
        for step in range(3):
            ctx.report(Progress("counting", step + 1, 3, "steps"))
        return 42

    job = runner.submit(work, name="count")
    job.on_progress(seen.append)
    assert job.result(5) == 42
    assert job.last_progress == Progress("counting", 3, 3, "steps")
    assert job.last_progress.fraction == 1.0


def test_errors_reach_the_caller_unchanged(runner: JobRunner) -> None:
    def fail(ctx: JobContext) -> None:
        raise EngineError("The model tiny/x has no q4 file.", "Pick another dtype.")

    job = runner.submit(fail, name="fail")
    with pytest.raises(EngineError, match="no q4 file"):
        job.result(5)


def test_cancel_stops_a_running_job_at_its_next_check(runner: JobRunner) -> None:
    started = threading.Event()

    def loop(ctx: JobContext) -> None:
        started.set()
        while True:
            ctx.cancel_event.wait(0.01)
            ctx.check_cancelled()

    job = runner.submit(loop, name="loop")
    assert started.wait(5)
    job.cancel()
    with pytest.raises(Cancelled, match="loop was cancelled"):
        job.result(5)
    assert runner.active() == []


def test_cancel_before_start_never_runs_the_work() -> None:
    runner = JobRunner(max_workers=1)
    gate = threading.Event()
    ran: list[str] = []
    blocker = runner.submit(lambda ctx: gate.wait(5), name="blocker")
    queued = runner.submit(lambda ctx: ran.append("queued"), name="queued")
    queued.cancel()
    gate.set()
    blocker.result(5)
    with pytest.raises(Cancelled):
        queued.result(5)
    runner.shutdown()
    assert ran == []


def test_work_submitted_after_shutdown_is_cancelled_not_an_exception() -> None:
    runner = JobRunner(max_workers=1)
    runner.shutdown()
    ran: list[str] = []
    job = runner.submit(lambda ctx: ran.append("late"), name="late poll")
    with pytest.raises(Cancelled, match="app is closing"):
        job.result(1)
    assert ran == [] and runner.active() == []
