"""The one place where names from records, hubs or servers become filesystem paths.

Model ids, revisions, file paths and external-data locations all arrive from outside; joining them
here, and nowhere else, is what guarantees nothing escapes the folder it was meant for.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from inference_gui.errors import HubError

_SEGMENT = re.compile(r"^[A-Za-z0-9._\-+@=,~ ]+$")


def check_relative_path(path: str, *, what: str = "file path") -> PurePosixPath:
    """Validate a forward-slash relative path.

    It may hold no ``..``, no absolute path, no backslash and no empty part.
    """
    if not isinstance(path, str) or not path:
        raise HubError(
            f"The {what} is empty.",
            "Give a path relative to the model folder, like onnx/model.onnx.",
        )
    if "\\" in path:
        raise HubError(f"The {what} {path!r} contains a backslash.", "Use forward slashes only.")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise HubError(
            f"The {what} {path!r} is absolute.", "Give a path relative to the model folder."
        )
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise HubError(
                f"The {what} {path!r} has an empty, '.' or '..' segment.",
                "Paths must stay inside the model folder.",
            )
        if "\x00" in part or not _SEGMENT.match(part):
            raise HubError(f"The {what} {path!r} contains characters that are not allowed.")
    return PurePosixPath(*parts)


def safe_join(root: Path, relative: str, *, what: str = "file path") -> Path:
    """Join ``relative`` under ``root``, refusing anything that would resolve outside ``root``.

    Checks the text first (so the error names the bad segment) and then the resolved path (so a
    symlink planted inside the folder cannot lead out of it either).
    """
    rel = check_relative_path(relative, what=what)
    root_resolved = Path(root).resolve()
    target = (root_resolved / Path(*rel.parts)).resolve()
    if target != root_resolved and root_resolved not in target.parents:
        raise HubError(
            f"The {what} {relative!r} leads outside {root}.", "Paths must stay inside their folder."
        )
    return target
