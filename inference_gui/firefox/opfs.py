"""Map the chrome origin's OPFS (Origin Private File System) paths to the files that hold the bytes.

``storage/default/chrome/fs/metadata.sqlite`` (dom/fs/parent/datamodel) keeps a tree of entries:
``Entries(handle, parent)``, names in ``Directories``/``Files`` as UTF-16LE, and ``MainFiles``
(handle -> fileId). The bytes of file id ``X`` live in ``fs/<first 2 chars>/<base32(X)>``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from inference_gui.errors import HubError
from inference_gui.firefox.snapshot import copy_database, query
from inference_gui.safepath import safe_join

FS_FOLDER = Path("storage/default/chrome/fs")


@dataclass(frozen=True)
class OpfsFile:
    path: str  # e.g. "modelFiles/localhost/tiny/bert-sentiment/v1.0.0/config.json"
    bytes_path: Path | None  # where the bytes are in the profile; None if missing or unsafe
    size: int | None  # size of that file on disk


def read_opfs(profile: Path, into: Path) -> dict[str, OpfsFile]:
    """Every file in the chrome origin's OPFS, keyed by its path below ``root/``."""
    fs_root = profile / FS_FOLDER
    metadata = fs_root / "metadata.sqlite"
    if not metadata.exists():
        return {}
    copy = copy_database(metadata, into)
    names = {handle: name.decode("utf-16-le") for handle, name in _names(copy)}
    parents = dict(query(copy, "SELECT handle, parent FROM Entries"))
    files: dict[str, OpfsFile] = {}
    for handle, file_id in query(copy, "SELECT handle, fileId FROM MainFiles"):
        parts = _path_parts(handle, names, parents)
        if parts is None or not parts or parts[0] != "root":
            continue
        path = "/".join(parts[1:])
        files[path] = _locate(fs_root, path, file_id)
    return files


def _names(copy: Path) -> list[tuple[bytes, bytes]]:
    return query(
        copy, "SELECT handle, name FROM Directories UNION ALL SELECT handle, name FROM Files"
    )


def _path_parts(
    handle: bytes, names: dict[bytes, str], parents: dict[bytes, bytes | None]
) -> list[str] | None:
    parts: list[str] = []
    seen: set[bytes] = set()
    current: bytes | None = handle
    while current is not None:
        if current in seen or current not in names:
            return None  # a loop or a dangling entry: not a file we can name
        seen.add(current)
        parts.append(names[current])
        current = parents.get(current)
    return parts[::-1]


def _locate(fs_root: Path, path: str, file_id: bytes | None) -> OpfsFile:
    if not file_id:
        return OpfsFile(path, None, None)
    name = base64.b32encode(file_id).decode("ascii").rstrip("=")
    try:
        bytes_path = safe_join(fs_root, f"{name[:2]}/{name}", what="OPFS file")
    except HubError:
        return OpfsFile(path, None, None)
    if not bytes_path.is_file():
        return OpfsFile(path, None, None)
    return OpfsFile(path, bytes_path, bytes_path.stat().st_size)
