"""onnxruntime sessions set up for a desktop app, and runs that can be cancelled or time out.

Sessions use full graph optimisation and never spin idle worker threads (spinning keeps a core
busy after every run, which a desktop app must not do). A run is guarded by :class:`RunGuard`: a
cancel event or an expired deadline sets ``RunOptions.terminate``, so onnxruntime stops between
kernels and the error is reported as :class:`Cancelled` or :class:`TimedOut`, not as a crash.

onnxruntime is imported where a session or run is made, not at module load, so commands that run
no model (``--version``, ``records``, ``cache``) never load it.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from inference_gui.engine.external_data import check_external_data
from inference_gui.errors import Cancelled, EngineError, TimedOut

if TYPE_CHECKING:
    import numpy as np
    import onnxruntime as ort

log = logging.getLogger(__name__)

_POLL_S = 0.02
_IDLE_TICKS = 50  # one second without a run before the watcher thread parks


def session_options(num_threads: int = 0) -> ort.SessionOptions:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = num_threads  # 0 lets onnxruntime pick the core count
    options.inter_op_num_threads = 1 if num_threads else 0
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3  # warnings about unused initializers are noise to users
    return options


def create_session(
    path: Path,
    num_threads: int = 0,
    *,
    label: str = "",
    edit: Callable[[Path], bytes | None] | None = None,
) -> ort.InferenceSession:
    """Load one ONNX file; a corrupt, truncated or unsupported file is an :class:`EngineError`.

    Its external-data locations are checked first, so no onnxruntime version reads outside the
    model's folder. ``edit`` may give the graph to load instead (serialized, its weights read
    from ``path``'s folder, see onnx_wire.py); when it gives None, fails, or onnxruntime refuses
    what it gives, the file loads as is (a broken file then gets onnxruntime's own words).
    """
    import onnxruntime as ort

    check_external_data(path, label=label)
    if edit is not None:
        try:
            edited = edit(path)
            if edited is not None:
                options = session_options(num_threads)
                options.add_session_config_entry(
                    "session.model_external_initializers_file_folder_path", str(path.parent)
                )
                return ort.InferenceSession(
                    edited, sess_options=options, providers=["CPUExecutionProvider"]
                )
        except Exception:  # noqa: BLE001 - any failure leaves the file as onnxruntime reads it
            log.warning("%s: loading it unedited", label or path.name, exc_info=True)
    try:
        return ort.InferenceSession(
            str(path), sess_options=session_options(num_threads), providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises several unrelated types
        detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise EngineError(
            f"{label or path.name} cannot be loaded by onnxruntime: {detail}",
            "The file may be corrupt or truncated; remove it from the cache and fetch "
            "it again, or try another dtype.",
        ) from exc


@dataclass(frozen=True)
class SessionIO:
    """A session's input and output names, read once.

    ``get_inputs()`` / ``get_outputs()`` build new NodeArg objects on every call (~10-40 us each
    right after a run has evicted the caches).
    """

    inputs: tuple[str, ...]
    outputs: list[str]
    sequence_outputs: set[str] | None  # see batching.sequence_outputs


_IO: weakref.WeakKeyDictionary[ort.InferenceSession, SessionIO] = weakref.WeakKeyDictionary()


def session_io(session: ort.InferenceSession) -> SessionIO:
    """The names of ``session``'s inputs and outputs, kept as long as the session lives."""
    io = _IO.get(session)
    if io is None:
        from inference_gui.engine.batching import sequence_outputs  # numpy: with the model stack

        inputs, outputs = session.get_inputs(), session.get_outputs()
        io = SessionIO(
            tuple(i.name for i in inputs),
            [o.name for o in outputs],
            sequence_outputs(inputs, outputs),
        )
        _IO[session] = io
    return io


class _Watcher:
    """One daemon thread polling every active guard, so a run costs no thread start or join.

    The thread parks only after ``_IDLE_TICKS`` polls without a guard: a run that starts while it
    ticks costs a set insert, not a wake-up that takes the GIL from the run (back-to-back short
    runs, as in a batch or a benchmark, woke it on every call). A guard is first polled one tick
    after it is added; a cancel that came earlier is caught by the guard's own check on entry.
    """

    def __init__(self) -> None:
        self._guards: set[RunGuard] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._parked = True
        self._thread: threading.Thread | None = None

    def add(self, guard: RunGuard) -> None:
        with self._lock:
            self._guards.add(guard)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="run-guard", daemon=True)
                self._thread.start()
            wake, self._parked = self._parked, False
        if wake:
            self._wake.set()

    def discard(self, guard: RunGuard) -> None:
        with self._lock:
            self._guards.discard(guard)

    def _loop(self) -> None:
        idle = 0
        while True:
            self._wake.wait()
            time.sleep(_POLL_S)
            with self._lock:
                guards = list(self._guards)
                idle = 0 if guards else idle + 1
                if idle >= _IDLE_TICKS:
                    self._parked, idle = True, 0
                    self._wake.clear()
            for guard in guards:
                guard.poll()


_WATCHER = _Watcher()


class RunGuard:
    """A per-run ``RunOptions`` whose ``terminate`` flag follows a cancel event and a deadline.

    While entered, a shared watcher thread polls it (every 20 ms) and sets ``terminate`` — the only
    way to interrupt a session that is inside a long kernel.
    """

    def __init__(
        self,
        cancel: threading.Event | None = None,
        timeout_ms: float | None = None,
        *,
        what: str = "The run",
    ) -> None:
        self.cancel = cancel
        self.deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms else None
        self.timeout_ms = timeout_ms
        self.what = what
        import onnxruntime as ort

        self.run_options = ort.RunOptions()
        self.run_options.log_severity_level = 4  # the terminate message is reported by us
        self._timed_out = False

    def __enter__(self) -> RunGuard:
        self.check()
        if self.cancel is not None or self.deadline is not None:
            _WATCHER.add(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _WATCHER.discard(self)

    def poll(self) -> None:
        """Set ``terminate`` once cancelled or past the deadline (called by the watcher)."""
        if self.cancel is not None and self.cancel.is_set():
            self.run_options.terminate = True
        elif self.deadline is not None and time.monotonic() >= self.deadline:
            self._timed_out = True
            self.run_options.terminate = True

    def check(self) -> None:
        """Raise Cancelled/TimedOut if either has happened.

        Call it between the steps of a multi-run task.
        """
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled(f"{self.what} was cancelled.")
        if self._timed_out or (self.deadline is not None and time.monotonic() >= self.deadline):
            self._timed_out = True
            raise TimedOut(
                f"{self.what} took longer than its timeout of {self.timeout_ms:g} ms.",
                "Raise the timeout (timeoutMS), shorten the input, or use a smaller dtype.",
            )

    def run(
        self,
        session: ort.InferenceSession,
        feeds: dict[str, np.ndarray],
        outputs: list[str] | None = None,
    ) -> dict[str, np.ndarray]:
        """Run ``session``; returns outputs by name."""
        self.check()
        try:
            values = session.run(outputs, feeds, self.run_options)
        except Exception as exc:  # noqa: BLE001 - mapped to our errors below
            self.check()
            if self.run_options.terminate:
                raise Cancelled(f"{self.what} was cancelled.") from exc
            detail = (
                str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            )
            raise EngineError(
                f"onnxruntime failed while running the model: {detail}",
                "The input may not suit this model; check the task and the model.",
            ) from exc
        names = outputs or session_io(session).outputs
        return dict(zip(names, values, strict=True))
