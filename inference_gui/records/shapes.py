"""The two JSON shapes records arrive in: a Firefox dump and a Remote Settings changeset."""

from __future__ import annotations

from typing import Any

from inference_gui.errors import RecordError

SHAPES_HINT = (
    'Expected {"data": [...], "timestamp": N} (dump) or {"changes": [...], "timestamp": N}.'
)


def parse_document(document: Any, *, where: str) -> tuple[list[dict[str, Any]], int]:
    """Records and collection timestamp from ``{"data": [...]}`` (dump) or ``{"changes": [...]}``.

    Tombstones (``{"deleted": true}``) are dropped. Records that are not JSON objects are kept as
    they are so validation can report them instead of them vanishing.
    """
    if not isinstance(document, dict):
        raise RecordError(
            f"{where} is not a JSON object.",
            SHAPES_HINT,
        )
    key = "data" if "data" in document else "changes" if "changes" in document else None
    if key is None or not isinstance(document[key], list):
        raise RecordError(
            f'{where} has no list of records under "data" or "changes".',
            SHAPES_HINT,
        )
    timestamp = document.get("timestamp", 0)
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        raise RecordError(f"{where} has a timestamp that is not an integer: {timestamp!r}.")
    records = [r for r in document[key] if not (isinstance(r, dict) and r.get("deleted") is True)]
    return records, timestamp


def declared_collection(document: Any) -> str | None:
    """The collection a changeset says it holds (``metadata.id``), when it says so."""
    if isinstance(document, dict) and isinstance(document.get("metadata"), dict):
        cid = document["metadata"].get("id")
        return cid if isinstance(cid, str) else None
    return None
