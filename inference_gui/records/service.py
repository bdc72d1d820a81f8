"""The records service: one place that knows where each collection comes from right now.

Sources, by settings: a local file (for the collection it declares), else a Remote Settings server
(its last good sync, syncing once on first use like Firefox's client), else the embedded dump. When
the server cannot be used the last sync (or the embedded dump) is shown and the source says why.
Loaded sets are kept in memory until a sync or a settings change, so the GUI and CLI pay once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from inference_gui.assets import resource_path
from inference_gui.config import Settings
from inference_gui.errors import RecordError
from inference_gui.jobs import Progress
from inference_gui.records.lastsync import LastSync, LastSyncStore
from inference_gui.records.model import (
    ALLOW_DENY,
    COLLECTIONS,
    INFERENCE_OPTIONS,
    RecordSet,
    SignatureStatus,
    Source,
)
from inference_gui.records.overrides import OverrideStore
from inference_gui.records.pack_layer import PackRecords
from inference_gui.records.policy import UrlPolicy
from inference_gui.records.resolve import Resolution, feature_ids, resolve
from inference_gui.records.server import DEFAULT_TIMEOUT, RemoteSettingsClient, Unreachable
from inference_gui.records.shapes import declared_collection, parse_document
from inference_gui.records.signature import SignatureRefused, checked_signature
from inference_gui.records.storage import read_json
from inference_gui.records.validate import validate

log = logging.getLogger(__name__)

# Sources no signature comes with: Firefox trusts its own dumps, a local file is the person's own.
EMBEDDED_SIGNATURE = SignatureStatus("unsigned", "embedded dump: shipped with the app, not signed")
FILE_SIGNATURE = SignatureStatus("unsigned", "local file: signatures are checked on server syncs")


def build_set(
    collection: str,
    records: list[Any],
    timestamp: int,
    source: Source,
    signature: SignatureStatus = EMBEDDED_SIGNATURE,
) -> RecordSet:
    problems = tuple(validate(collection, records))
    return RecordSet(collection, source, timestamp, tuple(records), problems, signature)


def load_embedded(collection: str, note: str = "") -> RecordSet:
    try:
        path = resource_path("settings", f"{collection}.json")
    except FileNotFoundError:
        return build_set(
            collection, [], 0, Source("embedded", note=f"no dump shipped for {collection}")
        )
    records, timestamp = parse_document(
        read_json(path, what="embedded dump"), where=f"The embedded dump {path}"
    )
    return build_set(collection, records, timestamp, Source("embedded", str(path), note=note))


def _from_last_sync(
    entry: LastSync, note: str = "", signature: SignatureStatus | None = None
) -> RecordSet:
    """The last good sync; ``signature`` is a refused answer's status, else the sync's own."""
    records, _ = parse_document({"changes": entry.changes}, where="The last sync")
    return build_set(
        entry.collection,
        records,
        entry.timestamp,
        Source("server", entry.server, entry.synced_at, note),
        signature or entry.signature,
    )


def _refuse_older(store: LastSyncStore, collection: str, timestamp: int) -> None:
    """A server answer older than the last sync must not replace newer data silently.

    Such an answer (a restored backup, a stale cache node) is refused, so the last sync stays and
    says why.
    """
    entry = store.load(collection)
    if entry is not None and timestamp < entry.timestamp:
        raise RecordError(
            f"The settings server {store.server} answered {collection} at timestamp {timestamp}, "
            f"older than the last sync's {entry.timestamp}; the newer data was kept (if the "
            f"server was reset on purpose, delete {store.path(collection)} and sync again).",
            "Sync again once the server has caught up.",
        )


class RecordsService:
    """Thread-safe: the GUI loads and syncs from worker threads while the CLI calls it directly."""

    def __init__(
        self, settings: Callable[[], Settings], *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self._settings = settings
        self.timeout = timeout
        self._cache: dict[tuple[str, tuple[Any, ...]], RecordSet] = {}
        self._lock = threading.RLock()

    @property
    def settings(self) -> Settings:
        return self._settings()

    def _key(self) -> tuple[Any, ...]:
        s = self.settings
        return (s.settings_file, s.settings_server, s.offline, str(s.data_dir))

    @property
    def overrides(self) -> OverrideStore:
        return OverrideStore(self.settings.data_dir)

    def _store(self) -> LastSyncStore:
        return LastSyncStore(self.settings.data_dir, self.settings.settings_server)

    def _client(self, store: LastSyncStore) -> RemoteSettingsClient:
        return RemoteSettingsClient(
            store.server,
            backoff_until=store.backoff_until,
            set_backoff=store.set_backoff,
            timeout=self.timeout,
        )

    def _file_set(self, collection: str) -> RecordSet | None:
        path = Path(self.settings.settings_file)
        document = read_json(path, what="settings file")
        if document is None:
            raise RecordError(
                f"The settings file {path} does not exist.", "Choose another in Preferences."
            )
        if (declared_collection(document) or INFERENCE_OPTIONS) != collection:
            return None
        records, timestamp = parse_document(document, where=f"The settings file {path}")
        return build_set(collection, records, timestamp, Source("file", str(path)), FILE_SIGNATURE)

    def load(self, collection: str = INFERENCE_OPTIONS, *, refresh: bool = False) -> RecordSet:
        """The collection from the current source; contacts a server only if never synced."""
        key = (collection, self._key())
        with self._lock:
            if not refresh and key in self._cache:
                return self._cache[key]
        result = self._load(collection)
        with self._lock:
            self._cache[key] = result
        return result

    def forget(self) -> None:
        """Drop what was loaded, so the next load reads the sources again (a pack was installed)."""
        with self._lock:
            self._cache.clear()

    def _load(self, collection: str) -> RecordSet:
        loaded = self._load_source(collection)
        if collection != INFERENCE_OPTIONS:
            return loaded
        layered = PackRecords(self.settings.data_dir).over(loaded.records)
        if layered == list(loaded.records):
            return loaded
        return build_set(collection, layered, loaded.timestamp, loaded.source, loaded.signature)

    def _load_source(self, collection: str) -> RecordSet:
        s = self.settings
        if s.settings_file:
            from_file = self._file_set(collection)
            if from_file is not None:
                return from_file
        if not s.settings_server:
            return load_embedded(collection)
        store = self._store()
        entry = store.load(collection)
        if s.offline:
            if entry:
                return _from_last_sync(entry, "offline")
            return load_embedded(collection, f"offline; never synced from {s.settings_server}")
        if entry:
            return _from_last_sync(entry)
        client = self._client(store)
        return self._sync_one(collection, client, store, self._latest(client))

    def _latest(self, client: RemoteSettingsClient) -> dict[str, int] | RecordError:
        try:
            return client.latest_timestamps()
        except RecordError as exc:
            return exc

    def _sync_one(
        self,
        collection: str,
        client: RemoteSettingsClient,
        store: LastSyncStore,
        latest: dict[str, int] | RecordError,
    ) -> RecordSet:
        """Fetch one collection; on failure, the last sync (or embedded dump), saying why."""
        entry = store.load(collection)
        try:
            if isinstance(latest, RecordError):
                raise latest
            if collection not in latest:
                raise RecordError(
                    f"The settings server {client.server} has no collection {collection} "
                    "in bucket main.",
                    "Check the server URL, or the collection name.",
                )
            _refuse_older(store, collection, latest[collection])
            if entry and entry.timestamp == latest[collection]:
                entry = store.mark_checked(collection) or entry
            else:
                changeset = client.changeset(collection, latest[collection])
                _refuse_older(store, collection, changeset.timestamp)
                signature = checked_signature(
                    client, collection, changeset, self.settings.settings_root_hash
                )
                entry = store.save(
                    collection,
                    changeset.timestamp,
                    changeset.changes,
                    changeset.metadata,
                    signature,
                )
            return _from_last_sync(entry)
        except RecordError as exc:
            reason = "server unreachable" if isinstance(exc, Unreachable) else "sync failed"
            note = f"{reason}: {exc.message}"
            refused = exc.status if isinstance(exc, SignatureRefused) else None
            if entry:
                return _from_last_sync(entry, note, refused)
            shown = load_embedded(collection, f"never synced; {note}")
            return replace(shown, signature=refused) if refused else shown

    def sync(
        self,
        collections: tuple[str, ...] = COLLECTIONS,
        progress: Callable[[Progress], None] | None = None,
    ) -> list[RecordSet]:
        """Sync from the server now; each result's source says whether it worked and what is shown.

        Raises only when there is no server to sync from (offline, or none configured).
        """
        s = self.settings
        if not s.settings_server:
            raise RecordError(
                "No settings server is configured.",
                "Set one in Preferences or with --settings-server.",
            )
        if s.offline:
            raise RecordError(
                "Offline mode is on, so no sync was attempted.", "Turn off offline mode to sync."
            )
        store = self._store()
        client = self._client(store)
        if progress:
            progress(Progress("sync", 0, len(collections) + 1, "requests", "monitor/changes"))
        latest = self._latest(client)  # a failure here is reported by each collection below
        results = []
        for done, collection in enumerate(collections, start=1):
            if progress:
                progress(Progress("sync", done, len(collections) + 1, "requests", collection))
            result = self._sync_one(collection, client, store, latest)
            log.info(
                "synced %s from %s: %d records (%d with problems), timestamp %d, %s",
                collection,
                s.settings_server,
                len(result.records),
                len(result.records) - len(result.usable()),
                result.timestamp,
                result.source.note or result.source.describe(),
            )
            with self._lock:
                self._cache[(collection, self._key())] = result
            results.append(result)
        if progress:
            progress(
                Progress("sync", len(collections) + 1, len(collections) + 1, "requests", "done")
            )
        return results

    def backoff_until(self) -> float:
        """The server's pending Backoff deadline (epoch seconds; in the past when none)."""
        return self._store().backoff_until() if self.settings.settings_server else 0.0

    def clear_backoff(self) -> bool:
        """Forget the server's Backoff so the next sync asks it; True if one was pending."""
        cleared = bool(self.settings.settings_server) and self._store().clear_backoff()
        if cleared:
            log.info("cleared the Backoff %s asked for", self.settings.settings_server)
        return cleared

    def local_overrides(self, feature_id: str | None) -> dict[str, Any]:
        return self.overrides.get(feature_id) if feature_id else {}

    def resolve(
        self,
        feature_id: str | None = None,
        task_name: str | None = None,
        model_id: str | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Resolution:
        """Effective options for a feature (see :func:`inference_gui.records.resolve.resolve`)."""
        return resolve(
            self.load(INFERENCE_OPTIONS),
            feature_id,
            task_name,
            model_id,
            overrides,
            self.local_overrides(feature_id),
        )

    def url_policy(self) -> UrlPolicy:
        """The allow/deny list the hub obeys before every request."""
        return UrlPolicy.from_records(self.load(ALLOW_DENY).usable())

    def feature_ids(self) -> list[str]:
        return feature_ids(self.load(INFERENCE_OPTIONS).usable())
