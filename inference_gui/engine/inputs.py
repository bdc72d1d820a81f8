"""What a run is asked to process: texts, images, audio files, a question + context, or chats.

A chat is a list of ``{"role", "content"}`` messages (text-generation with a chat template);
zero-shot classification adds its candidate labels to texts.

Transformers.js returns a list for a list input and a single result for a single input; ``batched``
keeps that distinction so our outputs have exactly its JSON shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from inference_gui.errors import EngineError

InputKind = Literal["text", "image", "audio", "qa", "chat", "any"]
ROLES = ("system", "user", "assistant", "tool")
Message = dict[str, str]
Chat = tuple[Message, ...]


@dataclass(frozen=True)
class RunInput:
    texts: tuple[str, ...] = ()
    images: tuple[Path, ...] = ()
    audios: tuple[Path, ...] = ()
    question: str | None = None
    context: str | None = None
    chats: tuple[Chat, ...] = ()
    labels: tuple[str, ...] = ()  # zero-shot classification's candidate labels
    batched: bool = False

    @classmethod
    def text(cls, text: str | Sequence[str]) -> RunInput:
        """One string (single result) or a list of strings (a batch, list of results)."""
        if isinstance(text, str):
            return cls(texts=(text,))
        return cls(texts=tuple(text), batched=True)

    @classmethod
    def chat(cls, value: Any) -> RunInput:
        """One chat (a list of messages: single result) or a list of chats (a batch).

        Checked here so the CLI, the pane and examples refuse a malformed one with the same words.
        """
        if isinstance(value, list) and value and all(isinstance(c, list) for c in value):
            return cls(
                chats=tuple(_checked_chat(c, f"chat {i + 1}") for i, c in enumerate(value)),
                batched=True,
            )
        return cls(chats=(_checked_chat(value, "the chat"),))

    @classmethod
    def zero_shot(cls, text: str | Sequence[str], labels: Sequence[str]) -> RunInput:
        """Texts to classify against ``labels`` (zero-shot classification)."""
        return replace(cls.text(text), labels=tuple(labels))

    @classmethod
    def image(cls, image: str | Path | Sequence[str | Path]) -> RunInput:
        if isinstance(image, str | Path):
            return cls(images=(Path(image),))
        return cls(images=tuple(Path(i) for i in image), batched=True)

    @classmethod
    def zero_shot_image(
        cls, image: str | Path | Sequence[str | Path], labels: Sequence[str]
    ) -> RunInput:
        """Images to classify against candidate ``labels`` (zero-shot image classification)."""
        return replace(cls.image(image), labels=tuple(labels))

    @classmethod
    def audio(cls, audio: str | Path | Sequence[str | Path]) -> RunInput:
        if isinstance(audio, str | Path):
            return cls(audios=(Path(audio),))
        return cls(audios=tuple(Path(a) for a in audio), batched=True)

    @classmethod
    def qa(cls, question: str, context: str) -> RunInput:
        return cls(question=question, context=context)

    @property
    def kind(self) -> InputKind | None:
        if self.question is not None or self.context is not None:
            return "qa"
        if self.chats:
            return "chat" if not (self.texts or self.images or self.audios) else None
        if self.audios and not (self.texts or self.images):
            return "audio"
        if self.images and not (self.texts or self.audios):
            return "image"
        if self.texts and not (self.images or self.audios):
            return "text"
        return None

    def describe(self) -> str:
        return {
            "qa": "a question with a context",
            "image": "an image",
            "audio": "an audio file",
            "text": "text",
            "chat": "a chat (a list of messages)",
        }.get(self.kind or "", "nothing usable")

    def require(self, kind: InputKind, task: str, *, chat_ok: bool = False) -> None:
        """Refuse input of the wrong kind or empty input, naming what the task wants.

        A task with ``chat_ok`` takes a chat where it takes text.
        """
        if chat_ok and kind == "text" and self.kind == "chat":
            return
        wanted = {
            "text": "text",
            "image": "an image (from the command line: --image PATH)",
            "audio": "an audio file (from the command line: --audio PATH)",
            "qa": "a question and a context (from the command line: --question Q --context C)",
            "chat": "a chat (from the command line: --messages FILE)",
        }
        if kind == "any":
            if self.kind is None:
                raise EngineError(f"{task} got no input.", "Give some text.")
            return
        if self.kind != kind:
            raise EngineError(
                f"{task} takes {wanted[kind]}, but got {self.describe()}.", f"Give {wanted[kind]}."
            )
        if kind == "text" and (not self.texts or any(not t.strip() for t in self.texts)):
            raise EngineError(f"{task} got empty text.", "Type some text to run the model on.")
        if kind == "qa" and not ((self.question or "").strip() and (self.context or "").strip()):
            raise EngineError(
                f"{task} needs both a question and a context, and one is empty.",
                "Fill in both the question and the context the answer is to be found in.",
            )


def _checked_chat(value: Any, what: str) -> Chat:
    """A list of ``{"role", "content"}`` messages with known roles and text content."""
    hint = 'Give a JSON list like [{"role": "user", "content": "Hello"}].'
    if not isinstance(value, list) or not value:
        raise EngineError(f"{what.capitalize()} is not a non-empty list of messages.", hint)
    messages = []
    for number, message in enumerate(value, 1):
        where = f"message {number} of {what}"
        if not isinstance(message, Mapping) or not {"role", "content"} <= set(message):
            raise EngineError(f"{where.capitalize()} is not a {{role, content}} object.", hint)
        role, content = message["role"], message["content"]
        if role not in ROLES:
            raise EngineError(
                f"{where.capitalize()} has the unknown role {role!r}.",
                f"Use one of: {', '.join(ROLES)}.",
            )
        if not isinstance(content, str):
            raise EngineError(f"The content of {where} is not text.", hint)
        messages.append(dict(message))
    return tuple(messages)
