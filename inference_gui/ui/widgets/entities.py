"""Entities found by token classification, highlighted in the text they came from."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QTextBrowser, QWidget

COLOURS = {"PER": "#ffd6a5", "ORG": "#caffbf", "LOC": "#9bf6ff", "MISC": "#e0c3fc"}
OTHER_COLOUR = "#fdffb6"


def locate(text: str, entities: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, str, float]]:
    """(start, end, entity, score) spans in ``text``. Uses ``start``/``end`` when given, else finds
    each word piece (``##`` continuation marks dropped, case ignored) after the previous one."""
    spans, cursor, lowered = [], 0, text.lower()
    for item in entities:
        entity, score = (
            str(item.get("entity", item.get("entity_group", ""))),
            float(item.get("score", 0)),
        )
        if isinstance(item.get("start"), int) and isinstance(item.get("end"), int):
            spans.append((item["start"], item["end"], entity, score))
            continue
        word = str(item.get("word", "")).removeprefix("##").lower()
        at = lowered.find(word, cursor) if word else -1
        if at < 0:
            continue
        spans.append((at, at + len(word), entity, score))
        cursor = at + len(word)
    return spans


def entity_type(entity: str) -> str:
    return entity.split("-", 1)[-1]


def highlight_html(text: str, entities: Sequence[Mapping[str, Any]]) -> str:
    """HTML of ``text`` with each entity span coloured by type and tagged with its label."""
    parts, cursor = [], 0
    for start, end, entity, score in sorted(locate(text, entities)):
        if start < cursor or entity == "O":
            continue
        colour = COLOURS.get(entity_type(entity), OTHER_COLOUR)
        parts.append(html.escape(text[cursor:start]))
        parts.append(
            f'<span style="background:{colour}; color:#111" title="{entity} {score:.3f}">'
            f"{html.escape(text[start:end])}<sub>{html.escape(entity)}</sub></span>"
        )
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return f'<p style="font-size:15px; line-height:160%">{"".join(parts)}</p>'


class EntityHighlighter(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Entities in the text")
        self.setOpenLinks(False)

    def set_entities(
        self, texts: Sequence[str], outputs: Sequence[Sequence[Mapping[str, Any]]]
    ) -> None:
        self.setHtml(
            "<hr>".join(highlight_html(t, o) for t, o in zip(texts, outputs, strict=False))
        )
