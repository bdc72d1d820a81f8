"""The GUI's side of the job API: results and progress delivered on the GUI thread.

Core jobs run on worker threads (``inference_gui.jobs``). This adapter marshals their callbacks
back to the GUI thread through a queued Qt signal, and also offers ``await worker.run(...)`` for
coroutines on the qasync event loop. The GUI thread never waits on a job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from inference_gui.jobs import Job, JobContext, JobRunner, Progress

T = TypeVar("T")


class Worker(QObject):
    """Submits core jobs and calls back on the GUI thread."""

    _call = Signal(object)
    jobs_changed = Signal()

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._call.connect(lambda fn: fn(), Qt.ConnectionType.QueuedConnection)

    def on_gui_thread(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the GUI thread soon (callable from any thread)."""
        self._call.emit(fn)

    def submit(
        self,
        fn: Callable[[JobContext], T],
        *,
        name: str,
        on_progress: Callable[[Progress], None] | None = None,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Job[T]:
        job = self.runner.submit(fn, name=name)
        if on_progress is not None:
            job.on_progress(lambda p: self.on_gui_thread(lambda: on_progress(p)))

        def finished(_: Any) -> None:
            def deliver() -> None:
                self.jobs_changed.emit()
                try:
                    value = job.result(0)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's error callback
                    if on_error is not None:
                        on_error(exc)
                    return
                if on_done is not None:
                    on_done(value)

            self.on_gui_thread(deliver)

        job.future.add_done_callback(finished)
        self.jobs_changed.emit()
        return job

    async def run(
        self,
        fn: Callable[[JobContext], T],
        *,
        name: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> T:
        """Await a job from a coroutine on the GUI's event loop."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()

        def done(value: T) -> None:
            if not future.done():
                future.set_result(value)

        def error(exc: BaseException) -> None:
            if not future.done():
                future.set_exception(exc)

        self.submit(fn, name=name, on_progress=on_progress, on_done=done, on_error=error)
        return await future
