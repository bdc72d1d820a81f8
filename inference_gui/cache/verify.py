"""Checking the cache against itself: every entry's bytes re-hashed, every stray file found.

Findings: ``missing`` (an entry whose bytes are gone, or whose revision-folder copy is), ``corrupt``
(stored bytes, or a revision-folder copy, whose hash no longer matches), ``unindexed`` (a
revision-folder file the index lacks: left by a crash before indexing, or by a lost index),
``orphaned`` (bytes no entry owns and no folder shows), ``partial`` (an interrupted download).

Nothing that can be recovered is deleted: unindexed files are indexed again (so a truncated
``index.sqlite`` is rebuilt from ``blobs/`` and ``models/``), and stored bytes that are gone or
damaged are restored from an intact revision-folder copy. Repair removes only what cannot be
trusted; the next fetch downloads it again. Without ``repair`` nothing changes (a dry run), and
each finding says what repair would do.

A file hashed by an earlier verify is not read again while its inode, mtime and size are as they
were, unless its mtime was too close to that check to tell a later write apart (as git does);
``full`` re-reads everything.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference_gui.cache import partials
from inference_gui.cache.blobs import hash_file
from inference_gui.cache.store import FileRow, Stamp, Store
from inference_gui.errors import Cancelled, HubError
from inference_gui.hub.names import check_names
from inference_gui.jobs import Progress, ProgressCallback

if TYPE_CHECKING:
    from inference_gui.cache.core import CacheCore

RACY_NS = 2_000_000_000  # a stamp is trusted only for files last written this long before it


@dataclass(frozen=True)
class Finding:
    kind: str  # missing | corrupt | unindexed | orphaned | partial
    location: str
    detail: str
    repaired: bool = False
    action: str = ""  # what repair does about it: "removed", "re-indexed", …

    @property
    def outcome(self) -> str:
        """The action as done, or as it would be done by a repair."""
        return self.action if self.repaired else f"would be {self.action}"


@dataclass(frozen=True)
class VerifyReport:
    checked_files: int
    checked_bytes: int
    findings: tuple[Finding, ...]
    repaired: bool
    hashed_bytes: int = 0  # bytes actually read; the rest matched a previous check's stamp

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked_files": self.checked_files,
            "checked_bytes": self.checked_bytes,
            "hashed_bytes": self.hashed_bytes,
            "repaired": self.repaired,
            "findings": [
                {
                    "kind": f.kind,
                    "location": f.location,
                    "detail": f.detail,
                    "action": f.action,
                    "repaired": f.repaired,
                }
                for f in self.findings
            ],
        }


class _Hasher:
    """Tells whether a file holds given bytes, hashing it unless a trusted stamp says so."""

    def __init__(self, cache: CacheCore, full: bool) -> None:
        self.root = cache.root
        self.saved = {} if full else cache.store.verified()
        self.stamps: dict[str, Stamp] = {}
        self.hashed = 0

    def holds(self, path: Path, sha256: str, size: int | None = None) -> bool:
        try:
            info = path.lstat()
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or (size is not None and info.st_size != size):
            return False
        location = path.relative_to(self.root).as_posix()
        saved = self.saved.get(location)
        if (
            saved is not None
            and (saved.sha256, saved.inode, saved.mtime_ns, saved.size)
            == (sha256, info.st_ino, info.st_mtime_ns, info.st_size)
            and info.st_mtime_ns < saved.checked_ns - RACY_NS
        ):
            self.stamps[location] = saved
            return True
        actual, _ = hash_file(path)
        self.hashed += info.st_size
        if actual == sha256:
            self.stamps[location] = Stamp(
                sha256, info.st_ino, info.st_mtime_ns, info.st_size, time.time_ns()
            )
        return actual == sha256

    def sha_of(self, path: Path) -> str:
        sha256, size = hash_file(path)
        self.hashed += size
        return sha256


def verify(
    cache: CacheCore,
    *,
    repair: bool = False,
    full: bool = False,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> VerifyReport:
    with cache.commit_lock():  # nothing becomes or stops being an entry while we look
        hasher = _Hasher(cache, full)
        findings: list[Finding] = []
        rows = cache.store.all()
        found = _unindexed(cache, rows, hasher, repair, findings)
        if repair and found:
            rows = cache.store.all()
        drop: list[FileRow] = []
        bad_blobs: set[str] = set()
        checked_bytes = 0
        by_hash: dict[str, list[FileRow]] = {}
        for row in rows:
            by_hash.setdefault(row.sha256, []).append(row)
        total = sum(group[0].size for group in by_hash.values())
        for sha256, group in by_hash.items():
            if cancel is not None and cancel.is_set():
                raise Cancelled("Verifying the cache was cancelled.")
            checked_bytes += group[0].size
            if progress is not None:
                progress(Progress("verify", checked_bytes, total, "B", group[0].path))
            if not _check_blob(cache, sha256, group, hasher, repair, findings):
                drop.extend(group)
                if cache.blobs.blob(sha256).exists():
                    bad_blobs.add(sha256)
                continue
            for row in group:
                findings += _check_shown(cache, row, hasher, repair)
        findings += _strays(cache, rows, found, repair)
        if repair:
            with cache.store.transaction() as db:
                Store.delete(db, (r.id for r in drop))
                Store.mark_removed(db, drop, "removed by repair: its bytes were corrupt or gone")
            for row in drop:
                cache.blobs.remove_shown(cache.shown_path(row))
            for sha256 in bad_blobs:
                cache.blobs.blob(sha256).unlink(missing_ok=True)
        cache.store.replace_verified(hasher.stamps)
    return VerifyReport(len(rows), checked_bytes, tuple(findings), repair, hasher.hashed)


def _check_blob(
    cache: CacheCore,
    sha256: str,
    group: list[FileRow],
    hasher: _Hasher,
    repair: bool,
    findings: list[Finding],
) -> bool:
    """Whether the stored bytes for ``sha256`` are (or, repaired, will be) intact."""
    blob = cache.blobs.blob(sha256)
    if hasher.holds(blob, sha256, group[0].size):
        return True
    kind, detail = (
        ("corrupt", "the stored bytes no longer match their hash")
        if blob.exists()
        else ("missing", "its stored bytes are gone")
    )
    copy = next(
        (
            shown
            for shown in map(cache.shown_path, group)
            if not _same_file(shown, blob) and hasher.holds(shown, sha256, group[0].size)
        ),
        None,
    )
    if copy is not None:
        findings.append(
            Finding(kind, str(blob), f"{detail}; {copy} is intact", repair, "restored from it")
        )
        if repair:
            _restore(cache, copy, sha256)
        return True
    for row in group:
        findings.append(Finding(kind, _where(row), detail, repair, "removed"))
    return False


def _restore(cache: CacheCore, source: Path, sha256: str) -> None:
    temp = cache.blobs.temp_path()
    try:
        os.link(source, temp)
    except OSError:
        shutil.copyfile(source, temp)
    cache.blobs.blob(sha256).unlink(missing_ok=True)
    cache.blobs.adopt(temp, sha256)


def _check_shown(cache: CacheCore, row: FileRow, hasher: _Hasher, repair: bool) -> list[Finding]:
    """The revision-folder copy of an intact entry: there, and holding the entry's bytes."""
    shown, blob = cache.shown_path(row), cache.blobs.blob(row.sha256)
    if not shown.is_file():
        finding = Finding(
            "missing",
            str(shown),
            "the revision-folder copy is gone (the stored bytes are intact)",
            repair,
            "re-linked",
        )
    elif _same_file(shown, blob) or hasher.holds(shown, row.sha256, row.size):
        return []
    else:
        finding = Finding(
            "corrupt",
            str(shown),
            "the revision-folder copy differs from the stored bytes",
            repair,
            "replaced by the stored bytes",
        )
    if repair:
        cache.blobs.materialise(row.sha256, shown)
    return [finding]


def _unindexed(
    cache: CacheCore,
    rows: list[FileRow],
    hasher: _Hasher,
    repair: bool,
    findings: list[Finding],
) -> dict[Path, str]:
    """Revision-folder files the index lacks, indexed again on repair; {path: sha256}."""
    indexed = {cache.shown_path(r) for r in rows}
    by_inode = {}
    for blob in cache.blobs.blobs.iterdir():
        info = blob.stat()
        by_inode[info.st_dev, info.st_ino] = blob.name
    found: dict[Path, str] = {}
    for path in _files(cache.blobs.models):
        names = None if path in indexed else _entry_of(cache, path)
        if names is None:
            continue
        info = path.stat()
        sha256 = by_inode.get((info.st_dev, info.st_ino)) or hasher.sha_of(path)
        found[path] = sha256
        findings.append(
            Finding(
                "unindexed",
                str(path),
                "a revision-folder file the index lacks",
                repair,
                "re-indexed",
            )
        )
        if repair:
            if not cache.blobs.blob(sha256).exists():
                _restore(cache, path, sha256)
            with cache.store.transaction() as db:
                Store.upsert(db, *names, size=info.st_size, sha256=sha256, etag="", content_type="")
    return found


def _entry_of(cache: CacheCore, path: Path) -> tuple[str, str, str, str] | None:
    """(hub, model, revision, file path) a revision-folder file stands for, or None."""
    parts = path.relative_to(cache.blobs.models).parts
    if len(parts) < 5 or path.name.startswith("."):  # ".name.xxxx.tmp": a link being made
        return None
    hub, org, name, revision, *rest = parts
    try:
        file_path = check_names(f"{org}/{name}", revision, "/".join(rest)) or ""
    except HubError:
        return None
    return hub, f"{org}/{name}", revision, file_path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _where(row: FileRow) -> str:
    return f"{row.hub}/{row.model}/{row.revision}/{row.path}"


def _strays(
    cache: CacheCore, rows: list[FileRow], found: dict[Path, str], repair: bool
) -> list[Finding]:
    """Bytes no entry owns, and partial downloads nobody is resuming right now.

    Unindexed files that verify shows count as owned.
    """
    findings = []
    hashes = {r.sha256 for r in rows} | set(found.values())
    for blob in cache.blobs.blobs.iterdir():
        if blob.name not in hashes:
            findings.append(
                Finding("orphaned", str(blob), "stored bytes no entry uses", repair, "removed")
            )
            if repair:
                blob.unlink(missing_ok=True)
    shown = {cache.shown_path(r) for r in rows} | set(found)
    for path in _files(cache.blobs.models):
        if path not in shown:
            findings.append(
                Finding(
                    "orphaned",
                    str(path),
                    "a revision-folder file no entry lists",
                    repair,
                    "removed",
                )
            )
            if repair:
                cache.blobs.remove_shown(path)
    findings += [
        Finding("partial", str(left.path), left.detail, repair, "removed")
        for left in partials.sweep(cache, remove=repair)
    ]
    return findings


def _files(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, _, names in os.walk(root):
        found.extend(Path(folder) / name for name in names)
    return found
