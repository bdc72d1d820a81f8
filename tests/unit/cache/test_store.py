"""The index: WAL mode, versioned schema whose migrations keep data, refusing a newer schema."""

from __future__ import annotations

import sqlite3

import pytest

from inference_gui.cache.store import MIGRATIONS, SCHEMA_VERSION, ChangeWatch, Store
from inference_gui.errors import CacheError


def test_new_index_is_wal_at_the_current_schema(tmp_path) -> None:
    store = Store(tmp_path / "index.sqlite")
    assert store.schema_version() == SCHEMA_VERSION
    mode = sqlite3.connect(tmp_path / "index.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    store.close()


def test_migrating_a_version_1_index_keeps_its_rows(tmp_path) -> None:
    path = tmp_path / "index.sqlite"
    old = sqlite3.connect(path)
    MIGRATIONS[0](old)
    old.execute(
        "INSERT INTO files "
        "(hub, model, revision, path, size, sha256, etag, downloaded_at, last_used) "
        "VALUES ('h', 'o/m', 'v1.0.0', 'config.json', 3, 'abc', '\"e\"', 1.0, 2.0)"
    )
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION
    (row,) = store.all()
    assert (row.model, row.path, row.size, row.sha256, row.etag, row.last_used) == (
        "o/m",
        "config.json",
        3,
        "abc",
        '"e"',
        2.0,
    )
    assert row.content_type == "" and row.used_by == ()
    with store.transaction() as db:
        Store.link(db, row.id, "task:fill-mask")
    assert store.all()[0].used_by == ("task:fill-mask",)
    store.close()


def test_an_index_from_a_newer_version_is_refused_not_wiped(tmp_path) -> None:
    path = tmp_path / "index.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(CacheError, match="newer version"):
        Store(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_total_counts_shared_content_once_and_usage_goes_with_its_row(tmp_path) -> None:
    store = Store(tmp_path / "index.sqlite")
    with store.transaction() as db:
        a = Store.upsert(
            db, "h", "o/m", "v1.0.0", "x", size=10, sha256="s1", etag="", content_type=""
        )
        Store.upsert(db, "h", "o/m", "v1.1.0", "x", size=10, sha256="s1", etag="", content_type="")
        Store.upsert(db, "h", "o/m", "v1.1.0", "y", size=5, sha256="s2", etag="", content_type="")
        Store.link(db, a, "feature:f")
    assert store.total_size() == 15
    with store.transaction() as db:
        Store.delete(db, [a])
    assert db.execute("SELECT COUNT(*) FROM usage").fetchone()[0] == 0
    assert store.total_size() == 15 and store.referenced("s1")
    store.close()


def test_change_watch_sees_commits_from_other_connections(tmp_path) -> None:
    store = Store(tmp_path / "index.sqlite")
    watch = ChangeWatch(tmp_path / "index.sqlite")
    assert not watch.changed()
    with store.transaction() as db:
        Store.upsert(db, "h", "o/m", "v1.0.0", "x", size=1, sha256="s", etag="", content_type="")
    assert watch.changed()
    assert not watch.changed()
    watch.close()
    store.close()
