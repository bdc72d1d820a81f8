"""Entities found by token classification: highlighted in the text they came from, and grouped
into whole entities (B-/I- tags merged, ``##`` word pieces joined) in a list with their scores.

The grouping is for showing only; the raw JSON stays Transformers.js's per-token shape.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QWidget

from inference_gui.engine.inputs import RunInput
from inference_gui.ui.widgets.batches import per_input

COLOURS = {"PER": "#ffd6a5", "ORG": "#caffbf", "LOC": "#9bf6ff", "MISC": "#e0c3fc"}
OTHER_COLOUR = "#fdffb6"


def spans_of(text: str, entities: Sequence[Mapping[str, Any]]) -> list[tuple[int, int] | None]:
    """Where each item sits in ``text`` (None when it is not found). Uses ``start``/``end`` when
    given, else finds each word piece (``##`` marks dropped, case ignored) after the previous."""
    spans: list[tuple[int, int] | None] = []
    cursor, lowered = 0, text.lower()
    for item in entities:
        if isinstance(item.get("start"), int) and isinstance(item.get("end"), int):
            spans.append((item["start"], item["end"]))
            continue
        word = str(item.get("word", "")).removeprefix("##").lower()
        at = lowered.find(word, cursor) if word else -1
        spans.append((at, at + len(word)) if at >= 0 else None)
        if at >= 0:
            cursor = at + len(word)
    return spans


def locate(text: str, entities: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, str, float]]:
    """(start, end, entity, score) of every item found in ``text``."""
    return [
        (
            span[0],
            span[1],
            str(item.get("entity", item.get("entity_group", ""))),
            float(item.get("score", 0)),
        )
        for item, span in zip(entities, spans_of(text, entities), strict=True)
        if span is not None
    ]


def entity_type(entity: str) -> str:
    return entity.split("-", 1)[-1]


@dataclass
class WholeEntity:
    """One entity as a person reads it: its type, its words, the mean score of its tokens, and
    where it sits in the text (-1 when a token could not be found there)."""

    type: str
    word: str
    score: float
    start: int = -1
    end: int = -1
    tokens: int = 1


def group_entities(text: str, items: Sequence[Mapping[str, Any]]) -> list[WholeEntity]:
    """Merge token rows into whole entities: an ``I-`` tag continues an entity of its type on the
    next token, a ``##`` piece always continues the word before it. Already grouped rows
    (``entity_group``) are taken as they are."""
    spans = spans_of(text, items)
    groups: list[WholeEntity] = []
    scores: list[list[float]] = []
    last_index: int | None = None
    for item, span in zip(items, spans, strict=True):
        tag = str(item.get("entity", item.get("entity_group", "")))
        if tag == "O":
            continue
        word, score = str(item.get("word", "")), float(item.get("score", 0))
        index = item.get("index")
        start, end = span or (-1, -1)
        piece = word.startswith("##")
        adjacent = index is None or last_index is None or index == last_index + 1
        continues = (
            "entity_group" not in item
            and groups
            and adjacent
            and (piece or (tag.startswith("I-") and groups[-1].type == entity_type(tag)))
        )
        if continues:
            whole = groups[-1]
            whole.word += word.removeprefix("##") if piece else f" {word}"
            whole.end = end if end >= 0 else whole.end
            whole.tokens += 1
            scores[-1].append(score)
            whole.score = sum(scores[-1]) / len(scores[-1])
        else:
            groups.append(WholeEntity(entity_type(tag), word.removeprefix("##"), score, start, end))
            scores.append([score])
        last_index = index if isinstance(index, int) else None
    return groups


def highlight_html(text: str, entities: Sequence[Mapping[str, Any]]) -> str:
    """HTML of ``text`` with each whole entity coloured by type and tagged with it."""
    parts, cursor = [], 0
    for whole in sorted(group_entities(text, entities), key=lambda e: e.start):
        if whole.start < cursor:
            continue
        colour = COLOURS.get(whole.type, OTHER_COLOUR)
        parts.append(html.escape(text[cursor : whole.start]))
        parts.append(
            f'<span style="background:{colour}; color:#111" '
            f'title="{html.escape(whole.type)} {whole.score:.3f}">'
            f"{html.escape(text[whole.start : whole.end])}"
            f"<sub>{html.escape(whole.type)}</sub></span>"
        )
        cursor = whole.end
    parts.append(html.escape(text[cursor:]))
    return f'<p style="line-height:160%">{"".join(parts)}</p>'


class EntitiesView(QSplitter):
    """The text with its entities highlighted above the list of whole entities with scores."""

    COLUMNS = ("entity", "type", "score", "tokens")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.text = QTextBrowser()
        self.text.setAccessibleName("Entities in the text")
        self.text.setOpenLinks(False)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName("Whole entities")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.addWidget(self.text)
        self.addWidget(self.table)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.entities: list[WholeEntity] = []

    def toPlainText(self) -> str:  # noqa: N802 - reads like the text widget it replaces
        return self.text.toPlainText()

    def show_output(self, output: Any, inputs: RunInput) -> None:
        outputs = per_input(output, inputs)
        texts = inputs.texts
        self.text.setHtml(
            "<hr>".join(highlight_html(t, o) for t, o in zip(texts, outputs, strict=False))
        )
        self.entities = [
            e for t, o in zip(texts, outputs, strict=False) for e in group_entities(t, o)
        ]
        self.table.setRowCount(len(self.entities))
        for row, whole in enumerate(self.entities):
            cells = (whole.word, whole.type, f"{whole.score:.4f}", str(whole.tokens))
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 1:
                    item.setBackground(QColor(COLOURS.get(whole.type, OTHER_COLOUR)))
                    item.setForeground(QColor("#111"))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
