"""The cache index: one SQLite database, shared safely by every running instance of the app.

WAL mode lets readers (a pane refreshing) run beside a writer (a download finishing) in another
process; ``busy_timeout`` makes writers queue instead of failing. The schema is versioned with
``PRAGMA user_version`` and each migration is a step that keeps existing rows, so an upgrade never
throws the cache away.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from inference_gui.cache.locks import file_lock
from inference_gui.errors import CacheError

BUSY_TIMEOUT_MS = 30_000


def _v1(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            hub TEXT NOT NULL,
            model TEXT NOT NULL,
            revision TEXT NOT NULL,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            etag TEXT NOT NULL DEFAULT '',
            downloaded_at REAL NOT NULL,
            last_used REAL NOT NULL,
            UNIQUE (hub, model, revision, path)
        )"""
    )
    db.execute("CREATE INDEX files_sha256 ON files (sha256)")


def _v2(db: sqlite3.Connection) -> None:
    """Content types and usage links (which task or feature uses a file), as Firefox keeps them."""
    db.execute("ALTER TABLE files ADD COLUMN content_type TEXT NOT NULL DEFAULT ''")
    db.execute(
        """CREATE TABLE usage (
            file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
            used_by TEXT NOT NULL,
            PRIMARY KEY (file_id, used_by)
        )"""
    )
    db.execute("CREATE INDEX usage_used_by ON usage (used_by)")
    db.execute("CREATE INDEX files_model_revision ON files (model, revision)")
    db.execute("CREATE INDEX files_last_used ON files (last_used)")


def _v3(db: sqlite3.Connection) -> None:
    """What ``verify`` last hashed: a file still matching its stamp need not be read again."""
    db.execute(
        """CREATE TABLE verified (
            location TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            inode INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            size INTEGER NOT NULL,
            checked_ns INTEGER NOT NULL
        )"""
    )


def _v4(db: sqlite3.Connection) -> None:
    """Files repair removed from a revision that keeps others: the revision is incomplete."""
    db.execute(
        """CREATE TABLE removed (
            hub TEXT NOT NULL,
            model TEXT NOT NULL,
            revision TEXT NOT NULL,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            reason TEXT NOT NULL,
            removed_at REAL NOT NULL,
            PRIMARY KEY (hub, model, revision, path)
        )"""
    )


# Append only: position + 1 is the schema version a step produces.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _v3, _v4)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = (
    "id, hub, model, revision, path, size, sha256, etag, content_type, downloaded_at, last_used"
)


class Stamp(NamedTuple):
    """A file as it was when its bytes last hashed to ``sha256`` (at ``checked_ns``)."""

    sha256: str
    inode: int
    mtime_ns: int
    size: int
    checked_ns: int


@dataclass(frozen=True)
class FileRow:
    id: int
    hub: str
    model: str
    revision: str
    path: str
    size: int
    sha256: str
    etag: str
    content_type: str
    downloaded_at: float
    last_used: float
    used_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemovedRow:
    """A file repair took out of a revision (its bytes were corrupt or gone)."""

    hub: str
    model: str
    revision: str
    path: str
    size: int
    reason: str
    removed_at: float


class DamagedIndex(CacheError):
    """``index.sqlite`` is not a readable database (truncated, overwritten, garbage pages)."""


def damaged(path: Path, detail: str) -> DamagedIndex:
    return DamagedIndex(
        f"The cache index {path} is damaged ({detail}).",
        "Run 'inference-gui cache verify --repair' (or Rebuild index in the Cache pane): it sets "
        "the damaged file aside and rebuilds the index from the cached files.",
    )


def set_aside(path: Path) -> Path:
    """Move a damaged index (and its WAL files) out of the way; returns where it went."""
    target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            os.replace(source, target.with_name(target.name + suffix))
    return target


class Store:
    """The index database. One connection per instance, guarded for use from worker threads."""

    def __init__(self, path: Path, *, read_only: str = "") -> None:
        """Open (creating when writable) the index at ``path``.

        ``read_only`` is why the cache cannot be written ("" when it can): the index is then
        opened for reading only, so people can browse a cache on a read-only disk, and every
        write transaction is refused with that reason. A damaged file is :class:`DamagedIndex`.
        """
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()
        if read_only:
            self._db = self._connect_read_only(path)
            self._check_intact()
            self._check_schema()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Switching a new file to WAL does not wait on busy_timeout, so two instances opening a
        # fresh cache at once take turns here.
        with file_lock(path.with_name(path.name + ".open.lock")):
            try:
                self._db = sqlite3.connect(
                    path,
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=BUSY_TIMEOUT_MS / 1000,
                )
                self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._db.execute("PRAGMA foreign_keys = ON")
            except sqlite3.OperationalError as exc:
                raise CacheError(
                    f"The cache index {path} cannot be opened: {exc}.",
                    "Check the cache folder is writable, or choose another one.",
                ) from exc
            except sqlite3.DatabaseError as exc:
                raise damaged(path, str(exc)) from exc
            self._check_intact()
            self._migrate()

    @staticmethod
    def _connect_read_only(path: Path) -> sqlite3.Connection:
        """A reading connection; ``immutable`` when even WAL's shared-memory file cannot be made."""
        uri = path.resolve().as_uri()
        error: sqlite3.Error | None = None
        for mode in ("mode=ro", "immutable=1"):
            try:
                db = sqlite3.connect(
                    f"{uri}?{mode}", uri=True, isolation_level=None, check_same_thread=False
                )
                db.execute("PRAGMA query_only = ON")
                db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return db
            except sqlite3.OperationalError as exc:
                error = exc
            except sqlite3.DatabaseError as exc:
                raise damaged(path, str(exc)) from exc
        raise CacheError(
            f"The cache index {path} cannot be opened for reading: {error}.",
            "Check the cache folder, or choose another one.",
        )

    def _check_intact(self) -> None:
        """Refuse a damaged file now, with one clear message, rather than fail midway later.

        ``quick_check`` reads every page once (milliseconds for an index of thousands of files)
        and catches a truncated file or a page of garbage behind an intact header.
        """
        try:
            result = self._db.execute("PRAGMA quick_check(1)").fetchone()
            problem = "" if result and result[0] == "ok" else str(result[0] if result else "")
        except sqlite3.DatabaseError as exc:
            problem = str(exc)
        if problem:
            self._db.close()
            raise damaged(self.path, problem.splitlines()[-1].strip())

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- schema --------------------------------------------------------------------------------
    def _check_schema(self) -> int:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise CacheError(
                f"The cache index {self.path} was written by a newer version (schema {version}).",
                "Update the app, or use another cache folder.",
            )
        if version < SCHEMA_VERSION and self.read_only:
            raise CacheError(
                f"The cache index {self.path} needs an upgrade, but the cache is read-only "
                f"({self.read_only}).",
                "Open it once with write access, or use another cache folder.",
            )
        return version

    def _migrate(self) -> None:
        if self._check_schema() == SCHEMA_VERSION:
            return
        with self.transaction() as db:  # re-read inside the lock: another process may have migrated
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for step in MIGRATIONS[version:]:
                step(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def schema_version(self) -> int:
        with self._lock:
            return self._db.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front (``BEGIN IMMEDIATE``) so it never deadlocks midway."""
        if self.read_only:
            raise CacheError(
                f"The cache is read-only ({self.read_only}), so it cannot be changed.",
                "Browse it as it is, or choose a writable cache folder in Preferences.",
            )
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise CacheError(
                    f"The cache index is busy: {exc}.", "Try again in a moment."
                ) from exc
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- reads ---------------------------------------------------------------------------------
    def _rows(self, where: str = "", params: Iterable[object] = ()) -> list[FileRow]:
        params = tuple(params)
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM files {where} ORDER BY hub, model, revision, path",
                tuple(params),
            ).fetchall()
            usage: dict[int, list[str]] = {}
            for file_id, used_by in self._db.execute(
                "SELECT file_id, used_by FROM usage "
                f"WHERE file_id IN (SELECT id FROM files {where}) "
                "ORDER BY used_by",
                tuple(params),
            ):
                usage.setdefault(file_id, []).append(used_by)
        # A row holds exactly the _COLUMNS, so *row never reaches used_by; mypy cannot know that.
        return [
            FileRow(*row, used_by=tuple(usage.get(row[0], ())))  # type: ignore[misc]
            for row in rows
        ]

    def all(self) -> list[FileRow]:
        return self._rows()

    def find(self, hub: str, model: str, revision: str, path: str) -> FileRow | None:
        found = self._rows(
            "WHERE hub = ? AND model = ? AND revision = ? AND path = ?",
            (hub, model, revision, path),
        )
        return found[0] if found else None

    def select(
        self,
        *,
        hub: str | None = None,
        model: str | None = None,
        revision: str | None = None,
        path: str | None = None,
        used_by: str | None = None,
    ) -> list[FileRow]:
        clauses, params = [], []
        for column, value in (
            ("hub", hub),
            ("model", model),
            ("revision", revision),
            ("path", path),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if used_by is not None:
            clauses.append("id IN (SELECT file_id FROM usage WHERE used_by = ?)")
            params.append(used_by)
        return self._rows(f"WHERE {' AND '.join(clauses)}" if clauses else "", params)

    def total_size(self) -> int:
        """Bytes on disk: each distinct content counted once, as blobs are shared."""
        with self._lock:
            row = self._db.execute(
                "SELECT COALESCE(SUM(size), 0) FROM "
                "(SELECT sha256, MAX(size) AS size FROM files GROUP BY sha256)"
            ).fetchone()
        return int(row[0])

    def referenced(self, sha256: str) -> bool:
        with self._lock:
            return (
                self._db.execute(
                    "SELECT 1 FROM files WHERE sha256 = ? LIMIT 1", (sha256,)
                ).fetchone()
                is not None
            )

    def verified(self) -> dict[str, Stamp]:
        """Stamps of files ``verify`` hashed, by location relative to the cache folder."""
        with self._lock:
            rows = self._db.execute(
                "SELECT location, sha256, inode, mtime_ns, size, checked_ns FROM verified"
            ).fetchall()
        return {row[0]: Stamp(*row[1:]) for row in rows}

    def removed(self) -> list[RemovedRow]:
        """Files repair removed from revisions that still hold others (see :meth:`mark_removed`)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT hub, model, revision, path, size, reason, removed_at FROM removed "
                "ORDER BY hub, model, revision, path"
            ).fetchall()
        return [RemovedRow(*row) for row in rows]

    # -- writes --------------------------------------------------------------------------------
    def replace_verified(self, stamps: dict[str, Stamp]) -> None:
        if self.read_only:  # only a shortcut for the next verify: nothing is lost by skipping
            return
        with self.transaction() as db:
            db.execute("DELETE FROM verified")
            db.executemany(
                "INSERT INTO verified (location, sha256, inode, mtime_ns, size, checked_ns) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(location, *stamp) for location, stamp in stamps.items()],
            )

    @staticmethod
    def upsert(
        db: sqlite3.Connection,
        hub: str,
        model: str,
        revision: str,
        path: str,
        *,
        size: int,
        sha256: str,
        etag: str,
        content_type: str,
    ) -> int:
        now = time.time()
        db.execute(
            """INSERT INTO files (hub, model, revision, path, size, sha256, etag, content_type,
                                  downloaded_at, last_used)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (hub, model, revision, path) DO UPDATE SET
                 size = excluded.size, sha256 = excluded.sha256, etag = excluded.etag,
                 content_type = excluded.content_type, downloaded_at = excluded.downloaded_at,
                 last_used = excluded.last_used""",
            (hub, model, revision, path, size, sha256, etag, content_type, now, now),
        )
        db.execute(
            "DELETE FROM removed WHERE hub = ? AND model = ? AND revision = ? AND path = ?",
            (hub, model, revision, path),
        )
        return db.execute(
            "SELECT id FROM files WHERE hub = ? AND model = ? AND revision = ? AND path = ?",
            (hub, model, revision, path),
        ).fetchone()[0]

    def touch(self, file_id: int, used_by: str | None) -> None:
        """Record a cache hit: last-used now (Firefox forgets to), and who used the file.

        A read-only cache is still used, just not recorded: a hit must not fail for that.
        """
        if self.read_only:
            return
        with self.transaction() as db:
            self.link(db, file_id, used_by)
            db.execute("UPDATE files SET last_used = ? WHERE id = ?", (time.time(), file_id))

    @staticmethod
    def link(db: sqlite3.Connection, file_id: int, used_by: str | None) -> None:
        if used_by:  # the row may have just been deleted by another instance: then link nothing
            db.execute(
                "INSERT OR IGNORE INTO usage (file_id, used_by) "
                "SELECT ?, ? WHERE EXISTS (SELECT 1 FROM files WHERE id = ?)",
                (file_id, used_by, file_id),
            )

    @staticmethod
    def delete(db: sqlite3.Connection, ids: Iterable[int]) -> None:
        """Remove entries; a revision left with no entry forgets what repair took from it too."""
        db.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in ids])
        db.execute(
            "DELETE FROM removed WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.hub = removed.hub"
            " AND f.model = removed.model AND f.revision = removed.revision)"
        )

    @staticmethod
    def mark_removed(
        db: sqlite3.Connection, rows: Iterable[FileRow | RemovedRow], reason: str
    ) -> None:
        """Remember files a revision that keeps others lacks (repair removed, fetch left out).

        Repair removed them, or a fetch of several stopped before them; files still listed are
        skipped. Such a revision is incomplete (a run of it would fail or fetch again) and the
        listing says so until the file is fetched again; a revision left empty is simply gone.
        """
        now = time.time()
        db.executemany(
            "INSERT OR REPLACE INTO removed (hub, model, revision, path, size, reason, removed_at)"
            " SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM files"
            " WHERE hub = ? AND model = ? AND revision = ?) AND NOT EXISTS (SELECT 1 FROM files"
            " WHERE hub = ? AND model = ? AND revision = ? AND path = ?)",
            [
                (r.hub, r.model, r.revision, r.path, r.size, reason, now)
                + (r.hub, r.model, r.revision)
                + (r.hub, r.model, r.revision, r.path)
                for r in rows
            ],
        )

    @staticmethod
    def unlink_usage(db: sqlite3.Connection, ids: Iterable[int], used_by: str) -> None:
        db.executemany(
            "DELETE FROM usage WHERE file_id = ? AND used_by = ?", [(i, used_by) for i in ids]
        )


class ChangeWatch:
    """Tells whether anyone (this process or another instance) changed the index since last asked.

    Uses its own connection: ``PRAGMA data_version`` only moves for commits by *other* connections,
    which then include the cache's own. A cheap query, meant for a timer in the GUI.
    """

    def __init__(self, path: Path) -> None:
        self._db: sqlite3.Connection | None = None
        self._last = 0
        try:  # read-only: watching must never create, lock or write the index
            self._db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._last = self._version()
        except sqlite3.Error:  # a read-only or damaged cache: nothing to watch, never an error
            self.close()

    def _version(self) -> int:
        assert self._db is not None
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        if self._db is None:
            return False
        try:
            now = self._version()
        except sqlite3.Error:
            return False
        changed, self._last = now != self._last, now
        return changed

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
