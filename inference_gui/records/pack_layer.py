"""Records installed by demo packs: a layer over the records source, for the packs' features.

A pack carries the inference-options records its features resolved to where it was made. On a
machine with no network the records source is the embedded dump (or an old sync) that may lack the
feature or name another revision, so the pack's records win for their features (by ``featureId``,
or ``taskName`` for a record without one, as Firefox identifies records) and the rest of the
source is left as it is. Kept in one JSON file in the data folder, written atomically.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from inference_gui.records.storage import read_json, write_json_atomic

FILE = "pack-records.json"


def identity(record: Any) -> tuple[str, str]:
    """How Firefox tells records apart: the featureId, else the taskName."""
    if not isinstance(record, dict):
        return ("", "")
    feature = record.get("featureId")
    return ("featureId", str(feature)) if feature else ("taskName", str(record.get("taskName")))


class PackRecords:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE

    def records(self) -> list[dict[str, Any]]:
        data = read_json(self.path, what="pack records file")
        found = data.get("records") if isinstance(data, dict) else None
        return [r for r in found or [] if isinstance(r, dict)]

    def install(self, records: Iterable[dict[str, Any]]) -> None:
        """Add (or replace, by identity) the records a pack brought."""
        merged = {identity(r): r for r in self.records()}
        merged.update({identity(r): r for r in records if isinstance(r, dict)})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.path, {"records": list(merged.values())})

    def over(self, records: Iterable[Any]) -> list[Any]:
        """``records`` with the packs' records in place of those they identify alike."""
        mine = self.records()
        if not mine:
            return list(records)
        taken = {identity(r) for r in mine}
        return [r for r in records if identity(r) not in taken] + mine
