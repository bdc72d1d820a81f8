"""The values records code hands around: problems, where records came from, one collection's set."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

INFERENCE_OPTIONS = "ml-inference-options"
ONNX_RUNTIME = "ml-onnx-runtime"
ALLOW_DENY = "ml-model-allow-deny-list"
COLLECTIONS: tuple[str, ...] = (INFERENCE_OPTIONS, ONNX_RUNTIME, ALLOW_DENY)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record; ``id`` is the record id, or ``#<index>`` without one."""

    id: str
    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "field": self.field, "message": self.message}


def format_time(epoch: float) -> str:
    """Local date and time; a value no clock can show (from a damaged file) reads as unknown."""
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))
    except (OverflowError, ValueError, OSError):
        return "an unknown time"


@dataclass(frozen=True)
class Source:
    """Where a collection's records came from, said the way a person needs to read it.

    ``kind`` is ``embedded``, ``server`` or ``file``; ``note`` explains a degraded answer (offline,
    server unreachable, backing off) so the UI never passes off old data as fresh.
    """

    kind: str
    location: str = ""
    synced_at: float | None = None
    note: str = ""

    def describe(self) -> str:
        if self.kind == "server":
            parts = [f"last sync {format_time(self.synced_at)}"] if self.synced_at else []
            parts += [self.note] if self.note else []
            return (
                f"server {self.location} ({', '.join(parts)})"
                if parts
                else f"server {self.location}"
            )
        text = "embedded dump" if self.kind == "embedded" else f"file {self.location}"
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class SignatureStatus:
    """Whether a collection's content signature held: ``verified``, ``unsigned`` or ``invalid``.

    ``reason`` says why in a line a person can act on (what failed, or where unsigned data came
    from), so a QA script and the Records pane tell the same story.
    """

    status: str
    reason: str = ""

    def to_json(self) -> dict[str, str]:
        return {"status": self.status, "reason": self.reason}

    def describe(self) -> str:
        return f"signature {self.status}" + (f" ({self.reason})" if self.reason else "")


NOT_SIGNED = SignatureStatus("unsigned", "no content signature came with these records")


@dataclass(frozen=True)
class RecordSet:
    """One collection as loaded: every record (bad ones too, to be shown) and their problems."""

    collection: str
    source: Source
    timestamp: int
    records: tuple[dict[str, Any], ...]
    problems: tuple[Problem, ...] = ()
    signature: SignatureStatus = NOT_SIGNED
    _bad_ids: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_bad_ids", frozenset(p.id for p in self.problems))

    @staticmethod
    def record_key(record: Any, index: int) -> str:
        """The id problems use for a record: its own id, or its position when it has none."""
        rid = record.get("id") if isinstance(record, dict) else None
        return rid if isinstance(rid, str) and rid else f"#{index}"

    def is_usable(self, index: int) -> bool:
        return self.record_key(self.records[index], index) not in self._bad_ids

    def usable(self) -> list[dict[str, Any]]:
        """Records without problems: the only ones resolution and the URL policy look at."""
        return [r for i, r in enumerate(self.records) if self.is_usable(i)]

    def problems_of(self, index: int) -> list[Problem]:
        key = self.record_key(self.records[index], index)
        return [p for p in self.problems if p.id == key]

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "source": self.source.describe(),
            "timestamp": self.timestamp,
            "records": list(self.records),
            "problems": [p.to_json() for p in self.problems],
            "signature": self.signature.to_json(),
        }
