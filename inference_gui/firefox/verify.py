"""Check a Firefox profile's cached model files against our cache's index or a model hub.

Each file's bytes (the OPFS file) are hashed with SHA-256 and compared with what the reference
says the same model, revision and path should hold. Reading only; the profile is never changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_gui.cache.model_cache import ModelCache
from inference_gui.errors import AppError, HubError
from inference_gui.firefox.profile_cache import ProfileCache, ProfileFile
from inference_gui.hub import Hub

CHUNK = 1 << 20

# (model "org/name", revision, path) -> expected SHA-256, or None when the reference lacks the file
Reference = Callable[[str, str, str], str | None]


@dataclass(frozen=True)
class FileCheck:
    model: str  # as Firefox records it: host/org/name
    revision: str
    path: str
    status: str  # "ok" | "differs" | "missing" (no bytes in the profile) | "size" | "unknown"
    detail: str
    sha256: str | None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cache_reference(cache: ModelCache) -> Reference:
    """What our cache holds for a model, revision and path, from whichever hub it came."""
    index = {(row.model, row.revision, row.path): row.sha256 for row in cache.store.all()}
    return lambda model, revision, path: index.get((model, revision, path))


def hub_reference(hub: Hub) -> Reference:
    """Hash the hub's copy of each file (downloads it, into memory only, a chunk at a time)."""

    def expected(model: str, revision: str, path: str) -> str | None:
        try:
            body = hub.open(model, revision, path)
        except HubError:
            return None
        if body is None:
            return None
        digest = hashlib.sha256()
        buffer = memoryview(bytearray(CHUNK))
        try:
            while count := body.readinto(buffer):
                digest.update(buffer[:count])
        finally:
            body.close()
        return digest.hexdigest()

    return expected


def verify_profile(profile: ProfileCache, reference: Reference) -> list[FileCheck]:
    """One check per file the profile records, in listing order."""
    checks = []
    for model in profile.models:
        for revision in model.revisions:
            for f in revision.files:
                checks.append(_check(model.hub_model, model.model, revision.revision, f, reference))
    return checks


def _check(hub_model: str, model: str, revision: str, f: ProfileFile, ref: Reference) -> FileCheck:
    def result(status: str, detail: str, sha: str | None = None) -> FileCheck:
        return FileCheck(hub_model, revision, f.path, status, detail, sha)

    if f.bytes_path is None:
        return result("missing", "Firefox records this file but its bytes are not in the profile.")
    if f.size_on_disk != f.size:
        return result("size", f"{f.size_on_disk} bytes on disk, Firefox recorded {f.size}.")
    sha = sha256_of(f.bytes_path)
    try:
        expected = ref(model, revision, f.path)
    except AppError as error:
        return result("unknown", f"The reference cannot be read: {error}", sha)
    if expected is None:
        return result("unknown", "The reference does not have this file.", sha)
    if expected != sha:
        return result(
            "differs", f"SHA-256 {sha[:12]}… here, {expected[:12]}… in the reference.", sha
        )
    return result("ok", "Identical to the reference.", sha)
