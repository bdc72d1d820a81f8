"""Bringing model files the user already has into the cache, without downloading them again.

Two sources: a local folder (a converter's output, a copy from elsewhere) imported as a model and
revision, and the user's own Hugging Face cache, read with ``huggingface_hub.scan_cache_dir``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference_gui.cache.core import IMPORTED_HUB
from inference_gui.errors import CacheError, Cancelled, HubError
from inference_gui.hub.names import check_file_path, check_model_id, check_names, check_revision
from inference_gui.jobs import Progress, ProgressCallback

if TYPE_CHECKING:
    import threading

    from inference_gui.cache.core import CacheCore

HF_HUB_KEY = "huggingface.co"


def folder_files(folder: Path) -> list[tuple[str, Path]]:
    """(repo path, file) for every regular file under ``folder``; hidden entries are skipped.

    Only regular files inside the folder are taken: a link may point at another file of the
    folder, but a link leading out of it (``/etc/passwd``), a device (``/dev/zero`` fills the
    disk), a FIFO (hangs the read) or a linked folder is refused, and every such entry is named.
    """
    root = folder.resolve()
    found, refused = [], []
    for parent, dirs, names in os.walk(folder):
        for name in sorted(d for d in dirs if not d.startswith(".")):
            if (Path(parent) / name).is_symlink():
                refused.append(f"{(Path(parent) / name).relative_to(folder)} (a linked folder)")
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not (Path(parent) / d).is_symlink()
        )
        for name in sorted(names):
            if name.startswith("."):
                continue
            source = Path(parent) / name
            relative = source.relative_to(folder).as_posix()
            problem = _not_importable(source, root)
            if problem:
                refused.append(f"{relative} ({problem})")
                continue
            try:
                found.append((check_file_path(relative), source.resolve()))
            except HubError as exc:
                raise CacheError(
                    f"The file {source} cannot be imported: {exc.message}",
                    "Rename it, or remove it from the folder.",
                ) from exc
    if refused:
        raise CacheError(
            f"Nothing was imported from {folder}: only regular files inside it can be, and "
            f"these entries are not: {'; '.join(refused)}.",
            "Replace links with copies of the files, or remove those entries, then import again.",
        )
    return found


def _not_importable(source: Path, root: Path) -> str:
    """Why ``source`` cannot be imported (empty when it can): checked on what it resolves to."""
    target = source.resolve()
    if target != root and root not in target.parents:
        return "a link leading outside the folder"
    try:
        mode = target.stat().st_mode
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return "" if stat.S_ISREG(mode) else "not a regular file"


def import_files(
    cache: CacheCore,
    files: list[tuple[str, Path]],
    hub_key: str,
    model_id: str,
    revision: str,
    *,
    link: bool = False,
    used_by: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> list[Path]:
    check_names(model_id, revision)
    if not files:
        raise CacheError(f"There are no files to import for {model_id} at {revision}.")
    total = sum(source.stat().st_size for _, source in files)
    cache.check_space(total, f"Importing {model_id} at {revision}")
    shown, done = [], 0
    for path, source in files:
        if cancel is not None and cancel.is_set():
            raise Cancelled(
                f"Importing {model_id} was cancelled; the files imported so far are kept."
            )
        temp, sha256, size = cache.blobs.stage(source, link=link)
        shown.append(
            cache.add(
                hub_key, model_id, revision, path, temp, sha256=sha256, size=size, used_by=used_by
            )
        )
        done += size
        if progress is not None:
            progress(Progress("import", done, total, "B", path))
    return shown


def import_folder(
    cache: CacheCore, folder: Path, model_id: str, revision: str, **options: object
) -> list[Path]:
    """Import every file of ``folder`` as ``model_id`` at ``revision`` (found from any hub)."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise CacheError(f"{folder} {what}.", "Choose a model folder to import.")
    return import_files(cache, folder_files(folder), IMPORTED_HUB, model_id, revision, **options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class HfCachedRevision:
    """One model revision in the user's Hugging Face cache, ready to import."""

    model: str
    revision: str  # a ref such as main when one points at it, else the commit hash
    commit: str
    size: int
    files: tuple[tuple[str, Path], ...]


def scan_hf_cache(cache_dir: Path | None = None) -> list[HfCachedRevision]:
    """Model revisions in the Hugging Face cache whose id and file names the app can use."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        info = scan_cache_dir(cache_dir)
    except CacheNotFound:
        return []
    found = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model":
            continue
        try:
            check_model_id(repo.repo_id)
        except HubError:
            continue
        for rev in sorted(repo.revisions, key=lambda r: r.commit_hash):
            labels = sorted(r for r in rev.refs if _valid_revision(r))
            try:
                files = tuple(
                    sorted(
                        (
                            check_file_path(f.file_path.relative_to(rev.snapshot_path).as_posix()),
                            f.blob_path,
                        )
                        for f in rev.files
                    )
                )
            except HubError:
                continue
            found.append(
                HfCachedRevision(
                    repo.repo_id,
                    labels[0] if labels else rev.commit_hash,
                    rev.commit_hash,
                    rev.size_on_disk,
                    files,
                )
            )
    return found


def _valid_revision(name: str) -> bool:
    try:
        check_revision(name)
    except HubError:
        return False
    return True


def import_hf_revision(cache: CacheCore, revision: HfCachedRevision, **options: Any) -> list[Path]:
    """Link (or copy) a Hugging Face cache revision in; it is then found from the HF hub."""
    return import_files(
        cache,
        list(revision.files),
        HF_HUB_KEY,
        revision.model,
        revision.revision,
        link=True,
        **options,
    )
