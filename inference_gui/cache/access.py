"""Whether the cache folder can be written, and if not, why: a read-only cache is still browsed.

A cache on a read-only disk, a folder shared read-only, or one whose ``index.sqlite`` or ``blobs/``
alone lost write permission is opened for reading; the reason found here is shown beside the
disabled writing actions and in every refused write.
"""

from __future__ import annotations

import os
from pathlib import Path

_PARTS = (
    ("", "the cache folder"),
    ("index.sqlite", "the index"),
    ("blobs", "the blobs/ folder"),
    ("models", "the models/ folder"),
    ("tmp", "the tmp/ folder"),
)


def read_only_reason(root: Path) -> str:
    """Why the cache at ``root`` can only be read; "" when it can be written (or created).

    Only parts that exist are judged: a folder still to be created is the writer's business, and
    failing to create it is reported by whoever tries.
    """
    for name, what in _PARTS:
        path = root / name if name else root
        if path.exists() and not os.access(path, os.W_OK):
            return f"{what} {path} is read-only"
    return ""
