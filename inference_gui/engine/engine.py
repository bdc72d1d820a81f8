"""One loaded model for one task: fetch its files, create its sessions, run inputs through the task.

``Engine.run`` is the shared run loop every task goes through — load on first use, then
preprocess -> run -> postprocess, each timed — so cancellation, timeouts, progress, timings and
error wording are the same for all tasks. Engines are thread-safe: runs on one engine are
serialised, which is what onnxruntime sessions with per-engine thread pools want anyway.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference_gui.engine.files import OnnxFile, choose_onnx_file, parse_json, read_json
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.memory import rss_bytes as read_rss
from inference_gui.engine.option_schema import check_call, unknown_option_warnings
from inference_gui.engine.options import EngineOptions
from inference_gui.engine.session import RunGuard, create_session
from inference_gui.engine.sources import FilesFactory, ModelFiles, ModelSources
from inference_gui.errors import AppError, Cancelled, EngineError
from inference_gui.jobs import Progress, ProgressCallback
from inference_gui.layout import PREPROCESSOR_CONFIG, TOKENIZER_CONFIG

if TYPE_CHECKING:  # what runs a model (numpy, tokenizers, Pillow, jinja2) is imported on use, so
    # the window and the CLI can name engines and results without paying for it at start-up
    from inference_gui.engine.preprocess.audio_features import AudioFeatureExtractor
    from inference_gui.engine.preprocess.chat_template import ChatTemplate
    from inference_gui.engine.preprocess.image import ImageProcessor
    from inference_gui.engine.preprocess.text import TextTokenizer
    from inference_gui.engine.tasks.base import StreamCallback, Task

# Phases this module reports; while files arrive the cache reports its own ("download" with bytes,
# "cached" for a hit) through the same callback.
PHASE_LOAD = "loading"
PHASE_RUN = "running"

TIMING_KEYS = ("resolve", "fetch", "session_create", "preprocess", "run", "postprocess", "total")


@dataclass(frozen=True)
class RunResult:
    """One run: Transformers.js-shaped output, milliseconds per phase, memory, files and notes."""

    output: Any
    timings_ms: dict[str, float]
    files: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    @functools.cached_property
    def rss_bytes(self) -> int:
        """The process's resident memory, read when first asked for.

        Those that report it ask right after the run (Compare, bench, the result view); reading
        /proc straight after a run that flushed the caches costs ~30 us, which a caller that
        never shows it should not pay.
        """
        return read_rss()


@dataclass
class EngineInfo:
    """A row of the engine registry, as the Engines pane and ``--json`` show it."""

    id: str
    status: str
    task: str
    model: str
    revision: str
    dtype: str
    device: str
    created: float
    runs: int
    last_run: float | None
    error: str = ""
    source: str = ""  # a local model folder the engine runs from, or "" for the configured hub


@dataclass
class _Loaded:
    task: Task
    files: tuple[str, ...]
    fetch_ms: float
    session_ms: float


class Engine:
    """A task bound to a model; loads lazily and reuses its sessions for every run."""

    def __init__(
        self,
        options: EngineOptions,
        files: FilesFactory,
        *,
        engine_id: str = "",
        on_change: Callable[[Engine], None] | None = None,
        source: str = "",
    ) -> None:
        self.options = options
        self.source = source
        self.id = engine_id or f"{options.task}:{options.model_id or '-'}"
        self._files = files
        self._on_change = on_change
        self._lock = threading.RLock()
        self._loaded: _Loaded | None = None
        from inference_gui.engine.tasks import task_class

        self.task_class = task_class(options.task)
        self.status = "created"
        self.error = ""
        self.created = time.time()
        self.runs = 0
        self.last_run: float | None = None

    # -- state -----------------------------------------------------------------------------------
    def info(self) -> EngineInfo:
        o = self.options
        return EngineInfo(
            self.id,
            self.status,
            o.task,
            o.model_id,
            o.revision,
            o.dtype_label,
            "cpu",
            self.created,
            self.runs,
            self.last_run,
            self.error,
            self.source,
        )

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    @property
    def files(self) -> tuple[str, ...]:
        return self._loaded.files if self._loaded else ()

    def _set_status(self, status: str, error: str = "") -> None:
        self.status, self.error = status, error
        if self._on_change is not None:
            self._on_change(self)

    def unload(self) -> None:
        """Drop the sessions (their memory goes with them); the next run loads again."""
        with self._lock:
            self._loaded = None
            self._set_status("unloaded")

    # -- loading ---------------------------------------------------------------------------------
    def load(
        self, progress: ProgressCallback | None = None, cancel: threading.Event | None = None
    ) -> None:
        """Fetch the files and create the sessions, unless already done. Safe to call repeatedly."""
        with self._lock:
            if self._loaded is not None:
                return
            self._set_status("loading")
            try:
                self._loaded = self._load(progress, cancel)
            except AppError as exc:
                self._set_status("cancelled" if isinstance(exc, Cancelled) else "error", str(exc))
                raise
            except Exception as exc:
                self._set_status("error", str(exc))
                raise EngineError(
                    f"Loading {self.options.model_id} failed: {exc}.", "See the log for details."
                ) from exc
            self._set_status("ready")

    def _load(self, progress: ProgressCallback | None, cancel: threading.Event | None) -> _Loaded:
        cls, o = self.task_class, self.options
        fetched: list[str] = []
        from inference_gui.engine.tasks.base import TaskResources

        guard = RunGuard(cancel, None, what=f"Loading {o.model_id or o.task}")
        started = time.perf_counter()

        def fetch(files: ModelFiles, path: str) -> Path:
            guard.check()
            if progress is not None:
                progress(Progress(PHASE_LOAD, len(fetched), 0, "files", f"{files.label}: {path}"))
            local = files.fetch(path, progress, cancel)
            main = model_files.label if model_files is not None else ""
            fetched.append(path if files.label == main else f"{files.label}/{path}")
            return local

        model_files = self._files(o.model_id, o.revision) if cls.needs_model else None
        config: dict[str, Any] = {}
        onnx: list[OnnxFile] = []
        graphs: dict[str, Path] = {}  # base -> the local ONNX file, fetched once
        if model_files is not None:
            config = read_json(model_files, "config.json") or {}
            fetched.append("config.json")
            onnx = [
                choose_onnx_file(model_files, config, base, o.dtype_for(base))
                for base in cls.bases_for(config)
            ]
            for chosen in onnx:
                local_paths = [fetch(model_files, p) for p in chosen.all_paths]
                _check_siblings(chosen, local_paths)
                graphs[chosen.base] = local_paths[0]
        tokenizer = self._load_tokenizer(fetch) if cls.needs_tokenizer else None
        processor = self._load_processor(fetch) if cls.needs_processor else None
        generation = None
        if cls.needs_generation_config and model_files is not None:
            generation = read_json(model_files, "generation_config.json", required=False)
            if generation is not None:
                fetched.append("generation_config.json")
        fetch_ms = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        sessions = {}
        label = model_files.label if model_files is not None else ""
        for chosen in onnx:
            guard.check()
            if progress is not None:
                progress(Progress(PHASE_LOAD, 0, 0, "", f"creating session for {chosen.path}"))
            sessions[chosen.base] = create_session(
                graphs[chosen.base],
                o.num_threads,
                label=f"{chosen.path} of {label}",
                edit=cls.graph_edit(chosen.base, o.dtype_for(chosen.base)),
            )
        guard.check()
        resources = TaskResources(o, config, sessions, tokenizer, processor, generation)
        _check_outputs(cls, sessions, label)
        session_ms = (time.perf_counter() - started) * 1000
        return _Loaded(cls(resources), tuple(sorted(set(fetched))), fetch_ms, session_ms)

    def _load_tokenizer(self, fetch: Callable[[ModelFiles, str], Path]) -> TextTokenizer:
        model, revision = self.options.tokenizer_source
        files = self._files(model, revision)
        if not files.exists("tokenizer.json"):
            raise EngineError(
                f"{files.label} has no tokenizer.json, which {self.options.task} needs.",
                "Pick a model with a tokenizer, or set a tokenizer id.",
            )
        path = fetch(files, "tokenizer.json")
        config = None
        if files.exists(TOKENIZER_CONFIG):
            config = parse_json(fetch(files, TOKENIZER_CONFIG), TOKENIZER_CONFIG, files.label)
        from inference_gui.engine.preprocess.text import TextTokenizer

        tokenizer = TextTokenizer(path, config, label=files.label)
        if self.task_class.accepts_chat:
            tokenizer.chat_template = _chat_template(files, fetch, tokenizer.config)
        return tokenizer

    def _load_processor(
        self, fetch: Callable[[ModelFiles, str], Path]
    ) -> ImageProcessor | AudioFeatureExtractor:
        model, revision = self.options.processor_source
        files = self._files(model, revision)
        if not files.exists("preprocessor_config.json"):
            raise EngineError(
                f"{files.label} has no preprocessor_config.json, which {self.options.task} needs.",
                "Pick a model with an image processor or audio feature extractor.",
            )
        config = parse_json(fetch(files, PREPROCESSOR_CONFIG), PREPROCESSOR_CONFIG, files.label)
        return self.task_class.processor_class(config, label=files.label)

    # -- running ---------------------------------------------------------------------------------
    def run(
        self,
        inputs: RunInput,
        options: Mapping[str, Any] | None = None,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        stream: StreamCallback | None = None,
        timeout_ms: float | None = None,
        resolve_ms: float = 0.0,
    ) -> RunResult:
        """Run ``inputs`` with Transformers.js pipeline ``options``; loads first if needed.

        ``timeout_ms`` (default: the engine options' ``timeout_ms``) bounds the inference itself.
        Errors leave the engine usable: a failed or cancelled run does not unload it.
        """
        from inference_gui.engine.tasks.base import RunContext  # loaded with the task already

        call_options = dict(options or {})
        check_call(self.options.task, call_options)
        inputs.require(
            self.task_class.input_kind, self.options.task, chat_ok=self.task_class.accepts_chat
        )
        started = time.perf_counter()
        with self._lock:
            loaded_here = self._loaded is None
            self.load(progress, cancel)
            loaded = self._loaded
            assert loaded is not None
            self._set_status("running")
            timings = dict.fromkeys(TIMING_KEYS, 0.0)
            timings["resolve"] = resolve_ms
            if loaded_here:
                timings["fetch"], timings["session_create"] = loaded.fetch_ms, loaded.session_ms
            guard = RunGuard(
                cancel,
                timeout_ms or self.options.timeout_ms,
                what=f"{self.options.task} on {self.options.model_id or 'the input'}",
            )
            ctx = RunContext(loaded.task.resources, guard, progress, stream)
            for warning in unknown_option_warnings(self.options.task, call_options):
                ctx.warn(warning)
            try:
                with guard:
                    if progress is not None:
                        progress(Progress(PHASE_RUN, 0, 0, "", "running inference"))
                    mark = time.perf_counter()
                    prepared = loaded.task.preprocess(inputs, call_options, ctx)
                    timings["preprocess"] = _ms_since(mark)
                    mark = time.perf_counter()
                    raw = loaded.task.run(prepared, ctx)
                    timings["run"] = _ms_since(mark)
                    timings.update(ctx.timings)
                    guard.check()
                mark = time.perf_counter()
                output = loaded.task.postprocess(raw, prepared, inputs, call_options)
                timings["postprocess"] = _ms_since(mark)
            except Exception:
                self._set_status("ready")
                raise
            self.runs += 1
            self.last_run = time.time()
            self._set_status("ready")
        timings["total"] = _ms_since(started) + resolve_ms
        return RunResult(output, timings, loaded.files, tuple(ctx.warnings))


def _ms_since(mark: float) -> float:
    return (time.perf_counter() - mark) * 1000


def _chat_template(
    files: ModelFiles, fetch: Callable[[ModelFiles, str], Path], config: dict[str, Any]
) -> ChatTemplate | None:
    """The tokenizer's chat template, or None.

    The template files are fetched only when the config has none (Transformers.js reads only
    the config's).
    """
    from inference_gui.engine.preprocess.chat_template import (
        TEMPLATE_FILES,
        ChatTemplate,
        template_source,
    )

    texts: dict[str, str] = {}
    if "chat_template" not in config:
        for name in TEMPLATE_FILES:
            if files.exists(name):
                texts[name] = fetch(files, name).read_text(encoding="utf-8")
                break
    source = template_source(config, texts, files.label)
    return None if source is None else ChatTemplate(source, config, files.label)


def _check_siblings(chosen: OnnxFile, local_paths: list[Path]) -> None:
    """External data must sit next to its ONNX file, where onnxruntime will look for it."""
    folder = local_paths[0].resolve().parent
    for rel, path in zip(chosen.all_paths[1:], local_paths[1:], strict=True):
        if path.resolve().parent != folder:
            raise EngineError(
                f"The external data {rel} is not stored next to {chosen.path}.",
                "Fetch the model again so its files share one folder.",
            )


def _check_outputs(cls: type[Task], sessions: Mapping[str, Any], label: str) -> None:
    if not cls.required_outputs or not sessions:
        return
    names = {o.name for s in sessions.values() for o in s.get_outputs()}
    if not names & set(cls.required_outputs):
        raise EngineError(
            f"{label} does not produce {' or '.join(cls.required_outputs)}, which "
            f"{cls.name} needs.",
            "This model was exported for another task; pick another.",
        )


def create_engine(
    options: EngineOptions,
    files: ModelFiles | FilesFactory | None = None,
    *,
    ctx: ModelSources | None = None,
) -> Engine:
    """A new (not yet loaded) engine.

    ``files``: a model folder's files, a factory of (model id, revision) -> files, or None to use
    the hub of ``ctx`` through its cache. Callers that want reuse ask ``ctx.engines.get(options)``
    instead.
    """
    return Engine(options, as_factory(files, options, ctx))


def as_factory(
    files: ModelFiles | FilesFactory | None, options: EngineOptions, ctx: ModelSources | None = None
) -> FilesFactory:
    """Normalise the ways of naming files to a factory; one folder serves every id of the run."""
    if files is None:
        from inference_gui.engine.default_files import default_factory

        if ctx is None:
            raise EngineError(
                "No model files and no app context to find them with.",
                "Give a model folder or a hub.",
            )
        return default_factory(ctx, used_by=options.usage_tag)
    if isinstance(files, ModelFiles):
        single = files
        return lambda model_id, revision: single
    return files
