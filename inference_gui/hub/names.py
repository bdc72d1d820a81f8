"""Checks on the names a hub request is built from, made before any request or file access.

Model ids, revisions and file paths come from records, the command line and server answers; each is
refused here with a message naming it, so nothing downstream ever sees a name that could climb out
of a folder or smuggle a different URL.
"""

from __future__ import annotations

import re

from inference_gui.errors import HubError
from inference_gui.safepath import check_relative_path
from inference_gui.vocab import is_valid_model_id, is_valid_revision

# Hugging Face pins revisions by commit; such a hash is as safe a folder name as a version.
_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")

# Revisions whose content moves over time; every other revision is pinned and never re-checked.
MOVING_REVISIONS = frozenset({"main"})


def check_model_id(model_id: str) -> str:
    if not is_valid_model_id(model_id):
        raise HubError(
            f"The model id {model_id!r} is not valid.",
            "Use org/name with letters, digits, '-', '_' or '.', e.g. Xenova/all-MiniLM-L6-v2.",
        )
    return model_id


def check_revision(revision: str) -> str:
    if not (
        is_valid_revision(revision) or (isinstance(revision, str) and _COMMIT_RE.match(revision))
    ):
        raise HubError(
            f"The revision {revision!r} is not valid.",
            "Use main, a version such as v1.0.0, or a 40-character commit hash.",
        )
    return revision


def check_file_path(path: str) -> str:
    """The canonical form of a file path inside a model revision (forward slashes, no escapes)."""
    return check_relative_path(path, what="file path").as_posix()


def check_names(model_id: str, revision: str, path: str | None = None) -> str | None:
    """Validate all three at once; returns the canonical file path (or None when not given)."""
    check_model_id(model_id)
    check_revision(revision)
    return None if path is None else check_file_path(path)


def is_moving(revision: str) -> bool:
    return revision in MOVING_REVISIONS
