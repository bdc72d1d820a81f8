"""What a run is asked to process: texts, images, or a question with its context.

Transformers.js returns a list for a list input and a single result for a single input; ``batched``
keeps that distinction so our outputs have exactly its JSON shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from inference_gui.errors import EngineError

InputKind = Literal["text", "image", "qa", "any"]


@dataclass(frozen=True)
class RunInput:
    texts: tuple[str, ...] = ()
    images: tuple[Path, ...] = ()
    question: str | None = None
    context: str | None = None
    batched: bool = False

    @classmethod
    def text(cls, text: str | Sequence[str]) -> RunInput:
        """One string (single result) or a list of strings (a batch, list of results)."""
        if isinstance(text, str):
            return cls(texts=(text,))
        return cls(texts=tuple(text), batched=True)

    @classmethod
    def image(cls, image: str | Path | Sequence[str | Path]) -> RunInput:
        if isinstance(image, str | Path):
            return cls(images=(Path(image),))
        return cls(images=tuple(Path(i) for i in image), batched=True)

    @classmethod
    def qa(cls, question: str, context: str) -> RunInput:
        return cls(question=question, context=context)

    @property
    def kind(self) -> InputKind | None:
        if self.question is not None or self.context is not None:
            return "qa"
        if self.images and not self.texts:
            return "image"
        if self.texts and not self.images:
            return "text"
        return None

    def describe(self) -> str:
        return {"qa": "a question with a context", "image": "an image", "text": "text"}.get(
            self.kind or "", "nothing usable"
        )

    def require(self, kind: InputKind, task: str) -> None:
        """Refuse input of the wrong kind or empty input, naming what the task wants."""
        wanted = {
            "text": "text",
            "image": "an image (from the command line: --image PATH)",
            "qa": "a question and a context (from the command line: --question Q --context C)",
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
