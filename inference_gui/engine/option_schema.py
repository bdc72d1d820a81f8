"""The pipeline options of each task: one declaration read by the engine and by the options editor.

A task module asks for an option through :func:`option` (its value, checked against the
declaration here), so what the editor says as you type is what a run would say: the same types,
ranges and choices, the same message. Keys no declaration names are warned about, never refused
(Transformers.js ignores options it does not know); options Transformers.js takes but does not
apply (``top_p``, ``num_beams > 1``) are flagged with what runs instead.

Plain Python on purpose: the options editor imports it on the GUI thread, where the model stack
(numpy, onnxruntime) must not load.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

from inference_gui.errors import EngineError, bounded

Kind = Literal["int", "number", "bool", "str", "list", "token_ids"]
Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class OptionSpec:
    """One option: its JSON type, default and allowed values.

    When Transformers.js leaves it unapplied, ``ignored`` says what happens instead and
    ``ignored_if`` for which values.
    """

    name: str
    kind: Kind
    default: Any = None
    choices: tuple[Any, ...] = ()
    minimum: float | None = None  # inclusive
    above: float | None = None  # exclusive
    maximum: float | None = None  # inclusive
    ignored: str = ""
    ignored_if: Callable[[Any], bool] = lambda _value: True

    def problem(self, value: Any) -> str:
        """Why ``value`` is not valid for this option ('' when it is; None is "unset")."""
        if value is None:
            return ""
        if not _is_kind(self.kind, value):
            return f"{self.name}={bounded(value)} is not {_KIND_WORDS[self.kind]}"
        if self.choices and value not in self.choices:
            return f"{self.name}={bounded(value)} is not one of {', '.join(map(str, self.choices))}"
        if self.minimum is not None and value < self.minimum:
            return f"{self.name}={value} is below {self.minimum:g}"
        if self.above is not None and value <= self.above:
            return f"{self.name}={value} must be more than {self.above:g}"
        if self.maximum is not None and value > self.maximum:
            return f"{self.name}={value} is above {self.maximum:g}"
        return ""

    def check(self, value: Any) -> Any:
        """``value``, or one :class:`EngineError` naming the option and what it accepts."""
        why = self.problem(value)
        if why:
            raise EngineError(f"The option {why}.", f"Use {self.accepts()}.")
        return value

    def accepts(self) -> str:
        if self.choices:
            return f"one of {', '.join(map(str, self.choices))}"
        bounds = [
            f">= {self.minimum:g}" if self.minimum is not None else "",
            f"> {self.above:g}" if self.above is not None else "",
            f"<= {self.maximum:g}" if self.maximum is not None else "",
        ]
        limits = " and ".join(b for b in bounds if b)
        return f"{_KIND_WORDS[self.kind]}{' ' + limits if limits else ''}"


_KIND_WORDS: dict[Kind, str] = {
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false",
    "str": "a string",
    "list": "a list",
    "token_ids": "a token id or a list of token ids",
}


def _is_kind(kind: Kind, value: Any) -> bool:
    if isinstance(value, bool):
        return kind == "bool"
    if kind == "int":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, int | float) and math.isfinite(value)
    if kind == "token_ids":
        values = value if isinstance(value, list) else [value]
        return all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values)
    return isinstance(value, {"bool": bool, "str": str, "list": list}[kind])


# -- the declarations -----------------------------------------------------------------------------
def _top_k(default: int) -> OptionSpec:
    return OptionSpec("top_k", "int", default)


_THRESHOLD = OptionSpec("threshold", "number", 0.9, minimum=0.0, maximum=1.0)
_PERCENTAGE = OptionSpec("percentage", "bool", False)
_TEMPLATE = OptionSpec("hypothesis_template", "str", "This example is {}.")

# Generation options: the fields of GenerationConfig a call may set (generation/config.py checks
# the merged layers with these same declarations).
GENERATION: tuple[OptionSpec, ...] = (
    OptionSpec("max_new_tokens", "int", minimum=1),
    OptionSpec("max_length", "int", 20, minimum=1),
    OptionSpec("min_new_tokens", "int", minimum=0),
    OptionSpec("min_length", "int", 0, minimum=0),
    OptionSpec("do_sample", "bool", False),
    OptionSpec(
        "num_beams",
        "int",
        1,
        minimum=1,
        ignored="Transformers.js has no beam search: greedy decoding (or sampling) runs instead",
        ignored_if=lambda value: value > 1,
    ),
    OptionSpec("temperature", "number", 1.0, minimum=0.0),
    OptionSpec("top_k", "int", 50, minimum=0),
    OptionSpec(
        "top_p",
        "number",
        1.0,
        above=0.0,
        maximum=1.0,
        ignored="Transformers.js does not apply top_p: sampling draws from the top_k best tokens",
        ignored_if=lambda value: value < 1.0,
    ),
    OptionSpec("repetition_penalty", "number", 1.0, above=0.0),
    OptionSpec("no_repeat_ngram_size", "int", 0, minimum=0),
    OptionSpec("num_return_sequences", "int", 1, minimum=1),
    OptionSpec("seed", "int", minimum=0),
    OptionSpec("eos_token_id", "token_ids"),
    OptionSpec("bos_token_id", "int", minimum=0),
    OptionSpec("pad_token_id", "int", minimum=0),
    OptionSpec("decoder_start_token_id", "int", minimum=0),
    OptionSpec("forced_bos_token_id", "int", minimum=0),
    OptionSpec("forced_eos_token_id", "token_ids"),
    OptionSpec("suppress_tokens", "token_ids"),
    OptionSpec("begin_suppress_tokens", "token_ids"),
    OptionSpec("bad_words_ids", "list"),
    OptionSpec("guidance_scale", "number", above=0.0),
    # Ours (Hugging Face's name, not Transformers.js's): tokens guessed by prompt lookup that one
    # decoder pass checks (generation/lookup.py); the text is the same, 0 turns it off.
    OptionSpec("prompt_lookup_num_tokens", "int", minimum=0),
)

_NOT_IMPLEMENTED = "Transformers.js does not implement it, so the run does without it"


# Generation options Transformers.js 4.3.1 declares but never applies (their logits processors are
# commented out in its _get_logits_processor); the default is the value that changes nothing.
def _changes(default: Any) -> Callable[[Any], bool]:
    return lambda value: value != default


_UNIMPLEMENTED_FIELDS: tuple[tuple[str, Kind, Any], ...] = (
    ("encoder_no_repeat_ngram_size", "int", 0),
    ("encoder_repetition_penalty", "number", 1.0),
    ("exponential_decay_length_penalty", "list", None),
    ("penalty_alpha", "number", None),
    ("typical_p", "number", 1.0),
    ("epsilon_cutoff", "number", 0.0),
    ("eta_cutoff", "number", 0.0),
)
UNIMPLEMENTED: tuple[OptionSpec, ...] = tuple(
    OptionSpec(name, kind, default, ignored=_NOT_IMPLEMENTED, ignored_if=_changes(default))
    for name, kind, default in _UNIMPLEMENTED_FIELDS
)
GENERATION = (*GENERATION, *UNIMPLEMENTED)  # the editor and the unknown-key check know them

TASK_OPTIONS: dict[str, tuple[OptionSpec, ...]] = {
    "feature-extraction": (
        OptionSpec(
            "pooling",
            "str",
            "none",
            choices=("none", "mean", "cls", "first_token", "eos", "last_token"),
        ),
        OptionSpec("normalize", "bool", False),
    ),
    "text-classification": (_top_k(1),),
    "token-classification": (
        OptionSpec("aggregation_strategy", "str", "none", choices=("none", "simple")),
        OptionSpec("ignore_labels", "list", ["O"]),
    ),
    "fill-mask": (_top_k(5),),
    "question-answering": (_top_k(1),),
    "image-classification": (_top_k(5),),
    "audio-classification": (_top_k(5),),
    "image-segmentation": (
        OptionSpec("threshold", "number", 0.5, minimum=0.0, maximum=1.0),
        OptionSpec("subtask", "str", choices=("semantic",)),  # the one this app runs
    ),
    "object-detection": (_THRESHOLD, _PERCENTAGE),
    "zero-shot-object-detection": (
        OptionSpec("threshold", "number", 0.1, minimum=0.0, maximum=1.0),
        _PERCENTAGE,
        OptionSpec("top_k", "int", minimum=0),
    ),
    "zero-shot-classification": (_TEMPLATE, OptionSpec("multi_label", "bool", False)),
    "zero-shot-image-classification": (
        OptionSpec("hypothesis_template", "str", "This is a photo of {}"),
    ),
    "image-feature-extraction": (OptionSpec("pool", "bool", False),),
    "depth-estimation": (),
    "text-to-audio": (),
    "background-removal": (),
    "image-to-image": (),
    "text-generation": (
        *GENERATION,
        OptionSpec("return_full_text", "bool", True),
        OptionSpec("add_special_tokens", "bool"),  # unset: what the tokenizer's config says
    ),
    "text2text-generation": GENERATION,
    "image-to-text": GENERATION,
    "automatic-speech-recognition": (
        *GENERATION,
        OptionSpec("language", "str"),
        OptionSpec("task", "str", choices=("transcribe", "translate")),
        OptionSpec("return_timestamps", "bool", False),
        OptionSpec("chunk_length_s", "number", minimum=0.0),
        OptionSpec("stride_length_s", "number", minimum=0.0),
    ),
}
# Task names that run another task's module (and so take its options).
ALIASES = {"summarization": "text2text-generation", "translation": "text2text-generation"}


@cache
def specs_for(task: str) -> Mapping[str, OptionSpec]:
    """The options ``task`` reads, by name (none for a task without a declaration).

    Built once per task: every option a run reads looks its declaration up here.
    """
    return MappingProxyType({s.name: s for s in TASK_OPTIONS.get(ALIASES.get(task, task), ())})


def option(options: Mapping[str, Any], task: str, name: str) -> Any:
    """The value of option ``name`` for ``task`` (its default when unset), checked."""
    spec = specs_for(task)[name]
    value = options.get(name)
    return spec.default if value is None else spec.check(value)


def check_call(task: str, options: Mapping[str, Any]) -> None:
    """Refuse ``options`` at the first declared option whose value is wrong (one EngineError).

    The engine calls it before loading, so a typo costs no model load and fails as the editor
    said it would; keys the task does not read are left to :func:`unknown_option_warnings`.
    """
    specs = specs_for(task)
    for name, value in options.items():
        if name in specs:
            specs[name].check(value)


@dataclass(frozen=True)
class OptionProblem:
    """What the editor shows for one key: an error stops the run; a warning or note does not."""

    severity: Severity
    name: str
    message: str


def check_options(task: str, options: Mapping[str, Any]) -> list[OptionProblem]:
    """Every problem of ``options`` for ``task``.

    Wrong types or values are errors, keys the task does not read warnings, and values
    Transformers.js does not apply notes.
    """
    specs = specs_for(task)
    found = []
    for name, value in options.items():
        spec = specs.get(name)
        if spec is None:
            found.append(OptionProblem("warning", name, _unknown(name, task, specs)))
        elif why := spec.problem(value):
            found.append(OptionProblem("error", name, f"{why}: use {spec.accepts()}."))
        elif spec.ignored and value is not None and spec.ignored_if(value):
            found.append(OptionProblem("note", name, f"{name}={bounded(value)}: {spec.ignored}."))
    return found


def _unknown(name: str, task: str, specs: Mapping[str, OptionSpec]) -> str:
    """Why ``name`` is ignored, with the option it is most likely a typo of (else what is read)."""
    close = difflib.get_close_matches(name, specs, n=1)
    if close:
        return f"{name} is not an option of {task} and is ignored: did you mean {close[0]}?"
    known = ", ".join(sorted(specs)[:8]) + (", ..." if len(specs) > 8 else "")
    return f"{name} is not an option of {task} and is ignored (it reads: {known or 'none'})."


def unknown_option_warnings(task: str, options: Mapping[str, Any]) -> Iterable[str]:
    """The warnings a run adds for keys the task does not read."""
    specs = specs_for(task)
    unknown = {name: value for name, value in options.items() if name not in specs}
    return [p.message for p in check_options(task, unknown)] if unknown else []
