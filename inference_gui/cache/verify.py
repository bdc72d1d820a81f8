"""Checking the cache against itself: every entry's bytes re-hashed, every stray file found.

Findings: ``missing`` (an entry whose bytes are gone, or whose revision-folder copy is), ``corrupt``
(bytes whose hash no longer matches), ``orphaned`` (bytes no entry owns: left by a crash between
writing and indexing, or by hand), ``partial`` (an interrupted download). Repair removes what cannot
be trusted and re-links what can; the next fetch downloads anything removed.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference_gui.cache.blobs import hash_file
from inference_gui.cache.download import etag_note
from inference_gui.cache.store import FileRow, Store
from inference_gui.errors import Cancelled
from inference_gui.jobs import Progress, ProgressCallback

if TYPE_CHECKING:
    from inference_gui.cache.core import CacheCore


@dataclass(frozen=True)
class Finding:
    kind: str  # missing | corrupt | orphaned | partial
    location: str
    detail: str
    repaired: bool = False


@dataclass(frozen=True)
class VerifyReport:
    checked_files: int
    checked_bytes: int
    findings: tuple[Finding, ...]
    repaired: bool

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked_files": self.checked_files,
            "checked_bytes": self.checked_bytes,
            "repaired": self.repaired,
            "findings": [
                {"kind": f.kind, "location": f.location, "detail": f.detail, "repaired": f.repaired}
                for f in self.findings
            ],
        }


def verify(
    cache: CacheCore,
    *,
    repair: bool = False,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> VerifyReport:
    with cache.commit_lock():  # nothing becomes or stops being an entry while we look
        rows = cache.store.all()
        findings: list[Finding] = []
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
            blob = cache.blobs.blob(sha256)
            if not blob.is_file():
                for row in group:
                    findings.append(Finding("missing", _where(row), "its bytes are gone", repair))
                drop.extend(group)
                continue
            actual, size = hash_file(blob)
            checked_bytes += size
            if progress is not None:
                progress(Progress("verify", checked_bytes, total, "B", group[0].path))
            if actual != sha256:
                for row in group:
                    findings.append(
                        Finding(
                            "corrupt",
                            _where(row),
                            f"hash {actual[:12]}… differs from the recorded {sha256[:12]}…",
                            repair,
                        )
                    )
                drop.extend(group)
                bad_blobs.add(sha256)
                continue
            for row in group:
                shown = cache.shown_path(row)
                if not shown.is_file() or shown.stat().st_size != row.size:
                    findings.append(
                        Finding(
                            "missing",
                            str(shown),
                            "the revision-folder copy is gone (the stored bytes are intact)",
                            repair,
                        )
                    )
                    if repair:
                        cache.blobs.materialise(sha256, shown)
        findings += _strays(cache, rows, repair)
        if repair:
            with cache.store.transaction() as db:
                Store.delete(db, (r.id for r in drop))
            for row in drop:
                cache.blobs.remove_shown(cache.shown_path(row))
            for sha256 in bad_blobs:
                cache.blobs.blob(sha256).unlink(missing_ok=True)
    return VerifyReport(len(rows), checked_bytes, tuple(findings), repair)


def _where(row: FileRow) -> str:
    return f"{row.hub}/{row.model}/{row.revision}/{row.path}"


def _strays(cache: CacheCore, rows: list[FileRow], repair: bool) -> list[Finding]:
    """Bytes no entry owns, and partial downloads nobody is resuming right now."""
    findings = []
    hashes = {r.sha256 for r in rows}
    for blob in cache.blobs.blobs.iterdir():
        if blob.name not in hashes:
            findings.append(Finding("orphaned", str(blob), "stored bytes no entry uses", repair))
            if repair:
                blob.unlink(missing_ok=True)
    shown = {cache.shown_path(r) for r in rows}
    for path in _files(cache.blobs.models):
        if path not in shown:
            findings.append(
                Finding("orphaned", str(path), "a revision-folder file no entry lists", repair)
            )
            if repair:
                cache.blobs.remove_shown(path)
    for path in cache.blobs.tmp.iterdir():
        if path.suffix == ".part":
            findings += _partial(cache, path, repair)
        elif path.is_file() and path.suffix == ".tmp":
            findings.append(
                Finding("partial", str(path), "a file left by an interrupted write", repair)
            )
            if repair:
                path.unlink(missing_ok=True)
    return findings


def _partial(cache: CacheCore, part: Path, repair: bool) -> list[Finding]:
    with cache.download_lock(part, blocking=False) as free:
        if not free:
            return []  # a download is writing it (or a neighbour in its lock stripe) right now
        finding = Finding(
            "partial", str(part), f"an interrupted download ({part.stat().st_size} bytes)", repair
        )
        if repair:
            part.unlink(missing_ok=True)
            etag_note(part).unlink(missing_ok=True)
    return [finding]


def _files(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, _, names in os.walk(root):
        found.extend(Path(folder) / name for name in names)
    return found
