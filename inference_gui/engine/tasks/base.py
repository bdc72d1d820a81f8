"""The contract between the shared run loop and one task module.

A task declares what it needs (which ONNX file bases, a tokenizer, an image processor, a generation
config, which kind of input) and implements three steps: ``preprocess`` (input -> prepared feeds),
``run`` (prepared -> raw outputs, through :class:`RunContext` so cancellation, timeouts and
streaming work the same for every task) and ``postprocess`` (raw -> Transformers.js's JSON shape).
The engine does everything else: fetching, sessions, timings, progress, errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from inference_gui.engine.batching import length_groups, run_in_groups
from inference_gui.engine.inputs import InputKind, RunInput
from inference_gui.engine.options import EngineOptions
from inference_gui.engine.preprocess.audio_features import AudioFeatureExtractor
from inference_gui.engine.preprocess.image import ImageProcessor
from inference_gui.engine.preprocess.text import Encoded, TextTokenizer
from inference_gui.engine.session import RunGuard, session_io
from inference_gui.engine.tasks import task_spec
from inference_gui.errors import EngineError
from inference_gui.jobs import Progress, ProgressCallback
from inference_gui.vocab import DYNAMICALLY_QUANTIZED

if TYPE_CHECKING:
    import onnxruntime as ort

StreamCallback = Callable[[Any], None]
"""Receives partial output as a task produces it (e.g. each new piece of generated text)."""


@dataclass
class TaskResources:
    """Everything loaded for a task, handed to it once when the engine loads."""

    options: EngineOptions
    config: dict[str, Any]
    sessions: dict[str, ort.InferenceSession] = field(default_factory=dict)
    tokenizer: TextTokenizer | None = None
    processor: ImageProcessor | AudioFeatureExtractor | None = None
    generation_config: dict[str, Any] | None = None

    def labels(self) -> dict[int, str]:
        """``config.id2label`` with int keys; Transformers.js falls back to ``LABEL_<i>``."""
        raw = self.config.get("id2label") or {}
        return {int(k): str(v) for k, v in raw.items()}

    def label(self, index: int) -> str:
        return self.labels().get(int(index), f"LABEL_{int(index)}")


class RunContext:
    """What a task sees while running: guarded session runs, progress, streaming, warnings."""

    def __init__(
        self,
        resources: TaskResources,
        guard: RunGuard,
        progress: ProgressCallback | None = None,
        stream: StreamCallback | None = None,
    ) -> None:
        self.resources = resources
        self.guard = guard
        self._progress = progress
        self._stream = stream
        self.warnings: list[str] = []
        # Extra figures a task measures (generation: time_to_first_token ms, tokens_per_second),
        # merged into the run's timings by the engine.
        self.timings: dict[str, float] = {}

    def run(
        self, base: str, feeds: Mapping[str, np.ndarray], outputs: list[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Run the session of ``base`` with the feeds it declares.

        Missing ``token_type_ids`` are zeros (as Transformers.js does), any other missing input is
        an error naming it.
        """
        session = self.resources.sessions[base]
        chosen: dict[str, np.ndarray] = {}
        for name in session_io(session).inputs:
            if name in feeds:
                chosen[name] = feeds[name]
            elif name == "token_type_ids" and "input_ids" in feeds:
                chosen[name] = np.zeros_like(feeds["input_ids"])
            else:
                raise EngineError(
                    f"The model's {base} graph needs an input {name!r} this task does not provide.",
                    "This model does not suit the task; pick another.",
                )
        return self.guard.run(session, chosen, outputs)

    def run_by_length(self, base: str, encoded: Encoded) -> dict[str, np.ndarray]:
        """Run a text batch in length-sorted micro-batches when that saves work (see batching).

        Not for dynamically quantized graphs (q8, int8, uint8): they take one activation scale
        over the whole batch, so each row's result depends on the rows run with it, and only the
        one padded batch Transformers.js runs gives its numbers (grouping moved scores by up to
        5e-2 on a MiniLM-sized model). Fetches only ``encoded.outputs`` when the task set them.
        """
        dynamic = self.resources.options.dtype_for(base) in DYNAMICALLY_QUANTIZED
        wanted = encoded.outputs
        if len(encoded.input_ids) < 2 or dynamic:
            return self.run(base, encoded.feeds(), wanted)
        lengths = encoded.attention_mask.sum(axis=1).tolist()  # real tokens, after truncation
        groups = length_groups(lengths)
        names = session_io(self.resources.sessions[base]).sequence_outputs
        if len(groups) < 2 or names is None:
            return self.run(base, encoded.feeds(), wanted)
        return run_in_groups(
            encoded.feeds(),
            encoded.attention_mask,
            groups,
            names,
            lambda feeds: self.run(base, feeds, wanted),
        )

    def check(self) -> None:
        """Raise Cancelled/TimedOut between steps (generation loops call this each token)."""
        self.guard.check()

    def report(self, progress: Progress) -> None:
        if self._progress is not None:
            self._progress(progress)

    @property
    def streaming(self) -> bool:
        """Whether anyone listens to ``emit``, so tasks can skip preparing chunks otherwise."""
        return self._stream is not None

    def emit(self, chunk: Any) -> None:
        if self._stream is not None:
            self._stream(chunk)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


class Task:
    """Base class of one task module. Subclasses set the class attributes and the three steps.

    What a task takes (input kind, chat, labels, whether it needs a model) comes from its
    :class:`TaskSpec` in the registry, looked up by ``name``.
    """

    name: ClassVar[str]
    input_kind: ClassVar[InputKind] = "text"
    accepts_chat: ClassVar[bool] = False
    takes_labels: ClassVar[bool] = False
    needs_model: ClassVar[bool] = True
    model_bases: ClassVar[tuple[str, ...]] = ("model",)  # ONNX files: onnx/<base><suffix>.onnx
    needs_tokenizer: ClassVar[bool] = True
    needs_processor: ClassVar[bool] = False
    # Builds the processor from preprocessor_config.json: images by default, audio tasks override.
    processor_class: ClassVar[Callable[..., ImageProcessor | AudioFeatureExtractor]] = (
        ImageProcessor
    )
    needs_generation_config: ClassVar[bool] = False
    # a graph with a single input is fed the pixels under that input's name, whatever it is
    # (background-removal: MODNet's ``input``, as Transformers.js renames pixel_values)
    pixels_under_any_name: ClassVar[bool] = False
    required_outputs: ClassVar[
        tuple[str, ...]
    ] = ()  # checked at load, so a wrong model fails early

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:  # a task, not an intermediate base such as GenerativeTask
            spec = task_spec(cls.name)
            cls.input_kind, cls.accepts_chat = spec.input_kind, spec.accepts_chat
            cls.takes_labels, cls.needs_model = spec.takes_labels, spec.needs_model

    def __init__(self, resources: TaskResources) -> None:
        self.resources = resources

    @classmethod
    def bases_for(cls, config: Mapping[str, Any]) -> tuple[str, ...]:
        """ONNX file bases for this model; override when they depend on ``config.json``."""
        return cls.model_bases

    @classmethod
    def graph_edit(cls, base: str, dtype: str) -> Callable[[Path], bytes | None] | None:
        """An edit of the ``base`` graph at ``dtype`` before its session is made.

        See engine/session.create_session; override where a task does less work that way.
        """
        return None

    @property
    def tokenizer(self) -> TextTokenizer:
        assert self.resources.tokenizer is not None, "needs_tokenizer guarantees a tokenizer"
        return self.resources.tokenizer

    @property
    def processor(self) -> ImageProcessor:
        assert isinstance(self.resources.processor, ImageProcessor), "needs_processor gives one"
        return self.resources.processor

    @property
    def feature_extractor(self) -> AudioFeatureExtractor:
        assert isinstance(self.resources.processor, AudioFeatureExtractor), "processor_class"
        return self.resources.processor

    def encode(self, ctx: RunContext, *texts: Any, **kwargs: Any) -> Encoded:
        """Tokenize as the tokenizer config says, telling the user when input had to be cut."""
        encoded = self.tokenizer(*texts, **kwargs)
        note = self.tokenizer.truncation_note(encoded)
        if note:
            ctx.warn(note)
        return encoded

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Any:
        raise NotImplementedError

    def run(self, prepared: Any, ctx: RunContext) -> Any:
        """One forward pass of the single model graph; multi-graph tasks override this."""
        if isinstance(prepared, Encoded) and prepared.independent_rows:
            return ctx.run_by_length(self.model_bases[0], prepared)
        wanted = prepared.outputs if isinstance(prepared, Encoded) else None
        return ctx.run(self.model_bases[0], prepared.feeds(), wanted)

    def postprocess(
        self, outputs: Any, prepared: Any, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        raise NotImplementedError


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax in float64, then float32 as Transformers.js returns float32 scores."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Indices and scores of the ``k`` best, best first.

    Ties keep index order, as in Transformers.js.
    """
    k = len(scores) if k <= 0 else min(k, len(scores))
    order = sorted(range(len(scores)), key=lambda i: -float(scores[i]))
    return [(i, float(scores[i])) for i in order[:k]]


_TENSOR_TYPES = {
    np.dtype(np.float32): "float32",
    np.dtype(np.float64): "float64",
    np.dtype(np.int64): "int64",
    np.dtype(np.int32): "int32",
}


def tensor_json(array: np.ndarray) -> dict[str, Any]:
    """A tensor in the fixtures' JSON form ``{"type", "dims", "data"}``.

    The data is nested like ``tolist()`` nests it.
    """
    name = _TENSOR_TYPES.get(array.dtype)
    return {
        "type": name if name is not None else str(array.dtype),  # str() of a dtype costs ~4 us
        "dims": list(array.shape),
        "data": array.tolist(),
    }
