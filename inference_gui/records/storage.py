"""Reading and writing the app's own JSON files so a crash or a full disk never loses data.

Writes go to a temporary file in the same folder and replace the target with ``os.replace``, which
is atomic: readers see the old file or the new one, never half of each.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from inference_gui.errors import RecordError


def write_json_atomic(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(value, handle, indent=1, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path, *, what: str) -> Any:
    """The parsed file, or None when it does not exist; a damaged file is an error, not ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RecordError(f"The {what} {path} cannot be read: {exc.strerror or exc}.") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise RecordError(
            f"The {what} {path} is not valid JSON ({exc}).",
            "Fix the file or move it aside; it is left untouched.",
        ) from exc
