"""Copies of a profile's databases, so reading never touches what a running Firefox has open.

SQLite in WAL mode keeps recent writes in ``<db>-wal``; copying it alongside the database gives a
consistent view once SQLite replays it in the copy. Nothing is ever opened in the profile itself.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from inference_gui.errors import AppError


class ProfileError(AppError):
    """A Firefox profile (or part of it) cannot be read."""


@contextmanager
def snapshot_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="inference-gui-firefox-") as folder:
        yield Path(folder)


def copy_database(source: Path, into: Path) -> Path:
    """Copy ``source`` and its ``-wal`` into folder ``into``; returns the copy's path."""
    target = into / source.name
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))
    return target


def open_copy(copy: Path) -> sqlite3.Connection:
    """Open a copied database (read-write: SQLite may need to replay the copied WAL into it)."""
    try:
        connection = sqlite3.connect(copy)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise ProfileError(
            f"The Firefox database {copy.name} cannot be read ({error}).",
            "If Firefox was writing to it, try again; otherwise the profile may be damaged.",
        ) from error
    return connection


def query(copy: Path, sql: str) -> list[tuple[Any, ...]]:
    """All rows of ``sql`` on a copied database; one clear error if it is laid out otherwise."""
    with closing(open_copy(copy)) as connection:
        try:
            return connection.execute(sql).fetchall()
        except sqlite3.DatabaseError as error:
            raise ProfileError(
                f"The Firefox database {copy.name} is not laid out as expected ({error}).",
                "This Firefox version may store its model cache differently.",
            ) from error
