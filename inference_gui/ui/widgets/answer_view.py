"""A question-answering result as it reads best: the question, the context with the answer
highlighted where it was found, and each answer's score as a bar."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTextBrowser, QWidget

from inference_gui.engine.inputs import RunInput
from inference_gui.ui.widgets.score_bars import ScoreBars

ANSWER_COLOUR = "#ffe08a"


def find_answer(context: str, answer: str) -> tuple[int, int] | None:
    """Where ``answer`` sits in ``context``. The decoded answer may differ in case, spacing around
    punctuation and ``##`` word-piece marks, so words are matched case-insensitively with any
    spacing between them; a leading piece may be the end of a longer word."""
    words = answer.replace("##", "").split()
    if not words:
        return None
    pattern = r"\s*".join(re.escape(w) for w in words)
    match = re.search(pattern, context, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def answers_of(output: Any) -> list[Mapping[str, Any]]:
    """One answer (``top_k`` 1) or a list of them, as Transformers.js returns."""
    return list(output) if isinstance(output, list) else [output]


def answer_html(question: str, context: str, answer: str) -> str:
    span = find_answer(context, answer)
    if span is None:
        body = html.escape(context)
    else:
        start, end = span
        body = (
            f"{html.escape(context[:start])}"
            f'<span style="background:{ANSWER_COLOUR}; color:#111; font-weight:bold">'
            f"{html.escape(context[start:end])}</span>{html.escape(context[end:])}"
        )
    return f'<p><b>{html.escape(question)}</b></p><p style="line-height:160%">{body}</p>'


class AnswerView(QSplitter):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.text = QTextBrowser()
        self.text.setAccessibleName("Context with the answer highlighted")
        self.scores = ScoreBars()
        self.scores.setAccessibleName("Answer scores")
        self.addWidget(self.text)
        self.addWidget(self.scores)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 0)
        self.span: tuple[int, int] | None = None

    def show_output(self, output: Any, inputs: RunInput) -> None:
        answers = answers_of(output)
        best = str(answers[0]["answer"]) if answers else ""
        context = inputs.context or ""
        self.span = find_answer(context, best)
        self.text.setHtml(answer_html(inputs.question or "", context, best))
        self.scores.set_scores([(str(a["answer"]), float(a["score"])) for a in answers])
