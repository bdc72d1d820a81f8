"""What identifies an engine: task, model, revision, dtype, helper ids, threads, timeout.

Options come either from a Remote Settings record (Firefox's camelCase keys, via the records
service's ``resolve``) or from the user directly; both end up as one frozen value, whose
:meth:`EngineOptions.key` decides when an already loaded engine can be reused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from inference_gui.errors import EngineError, bounded
from inference_gui.vocab import (
    DTYPES,
    MAX_THREADS,
    canonical_task,
    is_valid_model_id,
    is_valid_revision,
)

DEFAULT_DTYPE = "q8"

# Firefox's pipeline option names -> our field names.
FIREFOX_KEYS: dict[str, str] = {
    "taskName": "task",
    "modelId": "model_id",
    "modelRevision": "revision",
    "dtype": "dtype",
    "tokenizerId": "tokenizer_id",
    "tokenizerRevision": "tokenizer_revision",
    "processorId": "processor_id",
    "processorRevision": "processor_revision",
    "numThreads": "num_threads",
    "timeoutMS": "timeout_ms",
    "featureId": "feature_id",
}


@dataclass(frozen=True)
class EngineOptions:
    """Resolved options for one engine.

    ``dtype`` is one dtype or a per-file map (``{"encoder_model": "fp32"}``).
    """

    task: str
    model_id: str = ""
    revision: str = "main"
    dtype: str | Mapping[str, str] = DEFAULT_DTYPE
    tokenizer_id: str | None = None
    tokenizer_revision: str | None = None
    processor_id: str | None = None
    processor_revision: str | None = None
    num_threads: int = 0
    timeout_ms: int | None = None
    feature_id: str | None = field(default=None, compare=False)

    @property
    def usage_tag(self) -> str:
        """How the cache records who uses the files: the feature when known, else the task."""
        return f"feature:{self.feature_id}" if self.feature_id else f"task:{self.task}"

    def __post_init__(self) -> None:
        task = canonical_task(self.task) if isinstance(self.task, str) else None
        if task is None:
            raise EngineError(
                f"Unknown task {self.task!r}.",
                "Use a Transformers.js task name such as "
                "feature-extraction or text-classification.",
            )
        object.__setattr__(self, "task", task)
        if isinstance(self.dtype, Mapping):
            object.__setattr__(self, "dtype", dict(self.dtype))
        _check_dtype(self.dtype)
        for what, model, revision in (
            ("model", self.model_id, self.revision),
            ("tokenizer", self.tokenizer_id, self.tokenizer_revision),
            ("processor", self.processor_id, self.processor_revision),
        ):
            if model and not is_valid_model_id(model):
                raise EngineError(
                    f"The {what} id {model!r} is not a valid model id.",
                    "Model ids look like org/name.",
                )
            if revision is not None and not is_valid_revision(revision):
                raise EngineError(
                    f"The {what} revision {revision!r} is not valid.",
                    "Use main or a version such as v1.0.0.",
                )
        if not isinstance(self.num_threads, int) or not 0 <= self.num_threads <= MAX_THREADS:
            raise EngineError(
                f"numThreads {bounded(self.num_threads)} is not valid.",
                f"Use 0 (automatic) to {MAX_THREADS}.",
            )
        if self.timeout_ms is not None and (
            not isinstance(self.timeout_ms, int | float) or self.timeout_ms <= 0
        ):
            raise EngineError(
                f"timeoutMS {self.timeout_ms!r} is not valid.",
                "Use a positive number of milliseconds, or leave it unset.",
            )

    @classmethod
    def from_firefox(cls, options: Mapping[str, Any]) -> EngineOptions:
        """Build from Firefox's camelCase pipeline options.

        Keys Firefox uses for other things are ignored.
        """
        values = {
            ours: options[theirs]
            for theirs, ours in FIREFOX_KEYS.items()
            if options.get(theirs) is not None
        }
        if "task" not in values:
            raise EngineError(
                "The options name no task (taskName).", "Give a task, e.g. feature-extraction."
            )
        return cls(**values)

    def to_firefox(self) -> dict[str, Any]:
        """The camelCase form, for showing next to the record it came from."""
        return {
            theirs: getattr(self, ours)
            for theirs, ours in FIREFOX_KEYS.items()
            if getattr(self, ours) is not None
        }

    def with_(self, **changes: Any) -> EngineOptions:
        return replace(self, **changes)

    @property
    def tokenizer_source(self) -> tuple[str, str]:
        """(model id, revision) of the tokenizer files; the model itself unless overridden."""
        return self.tokenizer_id or self.model_id, self.tokenizer_revision or self.revision

    @property
    def processor_source(self) -> tuple[str, str]:
        return self.processor_id or self.model_id, self.processor_revision or self.revision

    def dtype_for(self, base: str) -> str:
        """The dtype of one ONNX file base (``model``, ``encoder_model``...).

        Bases a per-file map does not name default to q8.
        """
        if isinstance(self.dtype, Mapping):
            return self.dtype.get(base, DEFAULT_DTYPE)
        return self.dtype

    @property
    def dtype_label(self) -> str:
        if isinstance(self.dtype, Mapping):
            return ",".join(f"{k}={v}" for k, v in sorted(self.dtype.items()))
        return self.dtype

    def key(self) -> str:
        """Identity of the loaded engine: what changes the files or sessions (not the timeout)."""
        return json.dumps(
            [
                self.task,
                self.model_id,
                self.revision,
                self.dtype,
                self.tokenizer_source,
                self.processor_source,
                self.num_threads,
            ],
            sort_keys=True,
        )


def _check_dtype(dtype: object) -> None:
    values = list(dtype.values()) if isinstance(dtype, Mapping) else [dtype]
    for value in values:
        if value not in DTYPES:
            raise EngineError(f"Unknown dtype {value!r}.", f"Use one of: {', '.join(DTYPES)}.")
