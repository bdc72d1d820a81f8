"""The job API: run engine work (loading, inference, hashing, downloads) off the caller's thread.

One small surface for every long operation: ``JobRunner.submit(fn)`` returns a :class:`Job` whose
progress, result, error and cancellation can be observed. No Qt here: the GUI adapts jobs to its
event loop in ``ui/worker.py``, the CLI simply waits on them, and tests use them directly.

The work function receives a :class:`JobContext`; it reports progress with ``ctx.report(...)`` and
calls ``ctx.check_cancelled()`` at safe points (cancellation is cooperative, since Python threads
cannot be killed; engine code additionally maps it to onnxruntime's ``RunOptions.terminate``).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from inference_gui.cancel import cancel_scope
from inference_gui.errors import Cancelled

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """One progress report.

    ``done``/``total`` are in ``unit`` (bytes, steps...); a total of 0 means unknown.
    """

    phase: str
    done: float = 0
    total: float = 0
    unit: str = ""
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fraction(self) -> float | None:
        return min(1.0, self.done / self.total) if self.total else None


ProgressCallback = Callable[[Progress], None]


class JobContext:
    """What a running job sees: a way to report progress and to learn it was cancelled."""

    def __init__(self, job: Job[Any]) -> None:
        self._job = job

    @property
    def cancelled(self) -> bool:
        return self._job.cancel_event.is_set()

    @property
    def cancel_event(self) -> threading.Event:
        """The event itself, for code (such as an inference session) that polls or waits on it."""
        return self._job.cancel_event

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled(f"{self._job.name} was cancelled.")

    def report(self, progress: Progress) -> None:
        self._job._emit_progress(progress)


class Job(Generic[T]):
    """A submitted piece of work: a future plus progress listeners and a cancel flag."""

    _ids = itertools.count(1)

    def __init__(self, name: str) -> None:
        self.id = next(self._ids)
        self.name = name
        self.future: Future[T] = Future()
        self.cancel_event = threading.Event()
        self.last_progress: Progress | None = None
        self._listeners: list[ProgressCallback] = []
        self._lock = threading.Lock()

    def on_progress(self, callback: ProgressCallback) -> None:
        with self._lock:
            self._listeners.append(callback)

    def _emit_progress(self, progress: Progress) -> None:
        self.last_progress = progress
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(progress)
            except Exception:  # a broken listener must not kill the job
                log.exception("progress listener failed for job %s", self.name)

    def cancel(self) -> None:
        """Ask the job to stop; it ends with :class:`Cancelled` at its next safe point."""
        self.cancel_event.set()
        self.future.cancel()  # succeeds only if it has not started yet

    def done(self) -> bool:
        return self.future.done()

    def result(self, timeout: float | None = None) -> T:
        """Wait for and return the result; raises the job's error (``Cancelled`` when cancelled)."""
        try:
            return self.future.result(timeout)
        except Exception as exc:  # concurrent.futures.CancelledError is an Exception subclass
            if self.future.cancelled():
                raise Cancelled(f"{self.name} was cancelled.") from exc
            raise


class JobRunner:
    """A small pool of worker threads; ``submit`` never blocks the caller."""

    def __init__(self, max_workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="job")
        self._active: dict[int, Job[Any]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[[JobContext], T], *, name: str = "job") -> Job[T]:
        job: Job[T] = Job(name)
        ctx = JobContext(job)

        def run() -> None:
            if not job.future.set_running_or_notify_cancel():
                return
            try:
                ctx.check_cancelled()
                with cancel_scope(job.cancel_event):
                    value = fn(ctx)
            except BaseException as exc:  # noqa: BLE001 - delivered to the caller through the future
                job.future.set_exception(exc)
            else:
                job.future.set_result(value)
            finally:
                with self._lock:
                    self._active.pop(job.id, None)

        with self._lock:
            if self._closed:
                job.cancel_event.set()
                job.future.set_exception(Cancelled(f"{name} was not started: the app is closing."))
                return job
            self._active[job.id] = job
            self._pool.submit(run)
        return job

    def active(self) -> list[Job[Any]]:
        with self._lock:
            return list(self._active.values())

    def shutdown(self, *, cancel: bool = True) -> None:
        """Stop taking work (later submissions end at once as Cancelled) and wait for the pool."""
        with self._lock:
            self._closed = True
        if cancel:
            for job in self.active():
                job.cancel()
        self._pool.shutdown(wait=True, cancel_futures=cancel)
