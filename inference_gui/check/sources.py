"""Where a checked model's files come from: a folder, or a hub model fetched into the cache.

A hub model is fetched (only the asked dtypes, when given) through the same cache the engine
uses; the cache keeps a revision's files in one per-revision folder, laid out like the repo, and
that folder is what gets checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from inference_gui.engine.default_files import default_factory
from inference_gui.errors import CheckError
from inference_gui.layout import select_dtypes


@dataclass
class _Listed:
    path: str


def hub_folder(ctx: Any, model: str, revision: str, dtypes: Sequence[str] = ()) -> Path:
    """The cache folder holding ``model`` at ``revision`` (``ctx``: an AppContext)."""
    files = default_factory(ctx)(model, revision)
    listing = files.list()
    if listing is None:
        raise CheckError(
            f"{model}@{revision} cannot be listed while offline.",
            "Go online, or check the folder of a local copy: inference-gui check DIR.",
        )
    chosen = [f.path for f in select_dtypes([_Listed(p) for p in listing], dtypes)]
    if not chosen:
        raise CheckError(f"{model}@{revision} has no files.", "Check the model id and revision.")
    root: Path | None = None
    for path in chosen:
        local = files.fetch(path)
        root = local.parents[len(PurePosixPath(path).parts) - 1]
    assert root is not None  # chosen is not empty
    return root
