"""Read the object stores of one Firefox IndexedDB database (an sqlite file) from a copy.

Layout (dom/indexedDB/DBSchema.cpp): table ``database`` (name, version), ``object_store``
(id, name, key_path) and ``object_data`` (object_store_id, key, data = compressed structured clone).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_gui.firefox import structured_clone
from inference_gui.firefox.snapshot import ProfileError, copy_database, query


@dataclass(frozen=True)
class IndexedDB:
    name: str
    version: int
    stores: dict[str, list[Any]]  # store name -> decoded values, in key order


def read_database(copy: Path) -> IndexedDB:
    """Decode every value of every object store of a copied IndexedDB sqlite file."""
    ((name, version),) = query(copy, "SELECT name, version FROM database")
    store_names = dict(query(copy, "SELECT id, name FROM object_store"))
    stores: dict[str, list[Any]] = {store: [] for store in store_names.values()}
    rows = query(copy, "SELECT object_store_id, data, file_ids FROM object_data ORDER BY 1, key")
    for store_id, data, file_ids in rows:
        if file_ids and not data:
            raise ProfileError(
                f"IndexedDB {name!r} keeps a value in a separate file, which is not supported."
            )
        stores[store_names[store_id]].append(structured_clone.decode(data))
    return IndexedDB(name, version, stores)


def find_database(idb_folder: Path, name: str, into: Path) -> IndexedDB | None:
    """Copy the sqlite files of ``idb_folder`` into ``into`` until one holds database ``name``.

    Firefox names the files after a hash of the database name, so each candidate is checked by the
    name it records; they are small, and only copies are opened.
    """
    if not idb_folder.is_dir():
        return None
    for source in sorted(idb_folder.glob("*.sqlite")):
        copy = copy_database(source, into)
        names = query(copy, "SELECT name FROM database")
        if names and names[0][0] == name:
            return read_database(copy)
    return None
