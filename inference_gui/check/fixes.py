"""Applying the renames findings offer, all or nothing.

New names are written first (a hard link, or a copy where links are not possible), then put in
place, and the old names removed only when every new one is in place; any failure before that
removes what was written, so the folder is left as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from inference_gui.check.findings import Rename
from inference_gui.errors import AppError, CheckError
from inference_gui.safepath import safe_join

_STAGING = ".fixing"


def apply_renames(root: Path, renames: Sequence[Rename]) -> list[Rename]:
    """Rename every (from, to) under ``root``; returns what changed.

    Raises CheckError, with the folder unchanged, when any of them cannot be done.
    """
    pairs = [(_inside(root, src), _inside(root, dst)) for src, dst in renames]
    targets = [dst for _src, dst in pairs]
    for (src, dst), (name, new) in zip(pairs, renames, strict=True):
        if not src.is_file():
            raise CheckError(f"{name} is not in {root} any more.", "Run the check again.")
        if dst.exists() or targets.count(dst) > 1:
            raise CheckError(f"{new} already exists in {root}.", "Remove or move it, then fix.")
    staged: list[Path] = []
    placed: list[Path] = []
    made_dirs: list[Path] = []
    try:
        for src, dst in pairs:
            made_dirs += _make_parents(dst.parent)
            temp = dst.with_name(f".{dst.name}{_STAGING}")
            _link_or_copy(src, temp)
            staged.append(temp)
        for temp, (_src, dst) in zip(staged, pairs, strict=True):
            os.replace(temp, dst)
            placed.append(dst)
    except OSError as exc:
        for path in [*staged, *placed]:
            path.unlink(missing_ok=True)
        for folder in reversed(made_dirs):
            folder.rmdir()
        raise CheckError(
            f"The fix could not write in {root}: {exc.strerror or exc}.",
            "Nothing was changed; make the folder writable and fix again.",
        ) from exc
    for src, _dst in pairs:
        src.unlink()
    return list(renames)


def _inside(root: Path, relative: str) -> Path:
    try:
        return safe_join(root, relative)
    except AppError as exc:
        raise CheckError(exc.message, exc.hint) from exc


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; the ones created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
