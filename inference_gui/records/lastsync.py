"""The last good sync of each collection, per server, kept in the data folder.

It is what the app shows when the server cannot be reached (or when offline), so it is written
atomically and only after a changeset was received whole. The server's Backoff deadline lives here
too, so a second process (or a restart) honours it as well.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_gui.errors import RecordError
from inference_gui.http_headers import MAX_DELAY_S
from inference_gui.records.model import SignatureStatus
from inference_gui.records.storage import read_json, write_json_atomic
from inference_gui.safepath import safe_join


@dataclass(frozen=True)
class LastSync:
    server: str
    collection: str
    synced_at: float
    timestamp: int
    changes: list[Any]
    metadata: dict[str, Any]
    signature: SignatureStatus = SignatureStatus(
        "unsigned", "synced before signatures were checked"
    )


def _signature(data: Any) -> SignatureStatus:
    """The signature check's outcome as saved with the sync (none from an older version)."""
    if isinstance(data, dict) and isinstance(data.get("status"), str):
        return SignatureStatus(data["status"], str(data.get("reason", "")))
    return LastSync.signature


class LastSyncStore:
    def __init__(self, data_dir: Path, server: str) -> None:
        self.server = server
        digest = hashlib.sha256(server.encode()).hexdigest()[:16]
        self.folder = Path(data_dir) / "records" / "last-sync" / digest

    def path(self, collection: str) -> Path:
        return safe_join(self.folder, f"{collection}.json", what="collection name")

    def load(self, collection: str) -> LastSync | None:
        data = read_json(self.path(collection), what="last sync file")
        if not isinstance(data, dict) or data.get("server") != self.server:
            return None
        return LastSync(
            self.server,
            collection,
            float(data.get("synced_at", 0)),
            int(data.get("timestamp", 0)),
            list(data.get("changes", [])),
            dict(data.get("metadata", {})),
            _signature(data.get("signature")),
        )

    def save(
        self,
        collection: str,
        timestamp: int,
        changes: list[Any],
        metadata: dict[str, Any],
        signature: SignatureStatus = LastSync.signature,
    ) -> LastSync:
        entry = LastSync(
            self.server, collection, time.time(), timestamp, changes, metadata, signature
        )
        write_json_atomic(
            self.path(collection),
            {
                "server": self.server,
                "collection": collection,
                "synced_at": entry.synced_at,
                "timestamp": timestamp,
                "metadata": metadata,
                "signature": signature.to_json(),
                "changes": changes,
            },
        )
        return entry

    def mark_checked(self, collection: str) -> LastSync | None:
        """Record that the server was asked and had nothing newer: the sync time moves on."""
        entry = self.load(collection)
        return entry and self.save(
            collection, entry.timestamp, entry.changes, entry.metadata, entry.signature
        )

    @property
    def _backoff_path(self) -> Path:
        return self.folder / "backoff.json"

    def backoff_until(self) -> float:
        """The stored Backoff deadline, never more than the cap past when it was written.

        The file is data like any other: a 400-digit number, ``1e300``, a string or a 10-year
        deadline written by an older version reads as at most an hour after the file's time.
        """
        try:
            data = read_json(self._backoff_path, what="backoff file")
            written = self._backoff_path.stat().st_mtime if data is not None else 0.0
        except (RecordError, OSError):
            return 0.0
        until = data.get("until") if isinstance(data, dict) else None
        if isinstance(until, bool) or not isinstance(until, int | float):
            return 0.0
        try:
            return min(float(until), written + MAX_DELAY_S)
        except OverflowError:
            return written + MAX_DELAY_S

    def set_backoff(self, until: float) -> None:
        write_json_atomic(self._backoff_path, {"server": self.server, "until": until})

    def clear_backoff(self) -> bool:
        """Forget the Backoff deadline (the person's call); True if one was pending."""
        pending = self.backoff_until() > time.time()
        self._backoff_path.unlink(missing_ok=True)
        return pending
