"""A tokenizer's chat template: messages -> the prompt text a chat model was trained on.

The template is the Jinja source Hugging Face tokenizers carry: ``chat_template`` in
``tokenizer_config.json`` (a string, or a list of ``{name, template}`` of which ``default`` is
used), else a ``chat_template.jinja`` or ``chat_template.json`` beside it. Transformers.js reads the
first; the files are where newer conversions keep it. The template comes from a downloaded model,
so it is rendered in Jinja's immutable sandbox (no attribute tricks, no changing the inputs), with
what Hugging Face templates expect: ``trim_blocks`` / ``lstrip_blocks``, ``break`` / ``continue``,
``raise_exception``, ``strftime_now``, a ``tojson`` that keeps non-ASCII text, the special tokens
(``bos_token``, ``eos_token``...) as variables, and ``add_generation_prompt``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from inference_gui.errors import EngineError
from inference_gui.vocab import SPECIAL_TOKEN_KEYS

TEMPLATE_FILES = ("chat_template.jinja", "chat_template.json")


class _TemplateRaised(Exception):
    """What ``raise_exception`` raises inside a template, told apart from Jinja's own errors."""


def template_source(
    tokenizer_config: Mapping[str, Any], files: Mapping[str, str], label: str
) -> str | None:
    """The template text, or None when the model has none.

    ``tokenizer_config.json``'s, else one of ``files`` (name -> text of ``chat_template.jinja`` /
    ``chat_template.json``).
    """
    value = tokenizer_config.get("chat_template")
    if value is None and "chat_template.jinja" in files:
        value = files["chat_template.jinja"]
    if value is None and "chat_template.json" in files:
        try:
            value = json.loads(files["chat_template.json"]).get("chat_template")
        except (json.JSONDecodeError, AttributeError) as exc:
            raise EngineError(
                f"{label}: chat_template.json is not an object with a chat_template.",
                "Fix or remove the file.",
            ) from exc
    if isinstance(value, list):  # named templates: Transformers.js uses "default"
        named = {t.get("name"): t.get("template") for t in value if isinstance(t, Mapping)}
        if "default" not in named:
            raise EngineError(
                f"{label} has several chat templates and none is named default "
                f"({', '.join(sorted(map(str, named)))}).",
                "Add a default template to tokenizer_config.json.",
            )
        value = named["default"]
    if value is not None and not isinstance(value, str):
        raise EngineError(f"{label}: the chat template is not text.", "Fix tokenizer_config.json.")
    return value


class ChatTemplate:
    """One model's template, compiled once and rendered per chat."""

    def __init__(self, source: str, tokenizer_config: Mapping[str, Any], label: str) -> None:
        self.source = source
        self.label = label
        self.variables = {
            key: token
            for key in SPECIAL_TOKEN_KEYS
            if (token := _token_text(tokenizer_config.get(key))) is not None
        }

    @cached_property
    def _template(self) -> jinja2.Template:
        env = ImmutableSandboxedEnvironment(
            trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"]
        )
        env.filters["tojson"] = _tojson
        env.globals["raise_exception"] = _raise_exception
        env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
        try:
            return env.from_string(self.source)
        except jinja2.TemplateSyntaxError as exc:
            raise EngineError(
                f"The chat template of {self.label} does not compile: {exc.message} "
                f"(line {exc.lineno}).",
                "The model's tokenizer_config.json is broken; use another model or fix it.",
            ) from exc

    def render(self, messages: Sequence[Mapping[str, Any]], **extra: Any) -> str:
        """The prompt for ``messages``, ending with the assistant's turn opened."""
        try:
            return self._template.render(
                messages=[dict(m) for m in messages],
                add_generation_prompt=True,
                tools=None,
                documents=None,
                **self.variables,
                **extra,
            )
        except _TemplateRaised as exc:
            raise EngineError(
                f"The chat template of {self.label} refused the messages: {exc}",
                "Change the messages as it says (many templates want user and assistant "
                "turns to alternate, or the system message first).",
            ) from exc
        except jinja2.TemplateError as exc:
            raise EngineError(
                f"The chat template of {self.label} failed: {exc}.",
                "The template does not suit these messages; check their roles and content.",
            ) from exc


def _token_text(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("content")
    return value if isinstance(value, str) and value else None


def _raise_exception(message: str) -> None:
    raise _TemplateRaised(message)


def _tojson(
    value: Any,
    ensure_ascii: bool = False,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    """Hugging Face's ``tojson``: plain ``json.dumps`` (Jinja's own escapes HTML characters)."""
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )
