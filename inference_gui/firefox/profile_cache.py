"""A Firefox profile's ML model cache, read-only: models, revisions, files, tasks and engines.

Firefox's ``ModelHub`` (toolkit/components/ml/content/ModelHub.sys.mjs) keeps metadata in the
IndexedDB database ``modelFiles`` of the system principal (object stores ``headers``, ``tasks``,
``engines``, all keyed by model, revision, file; ``model`` is ``<hub host>/<org>/<name>``) and the
bytes in OPFS under ``modelFiles/<model>/<revision>/<file>``. Version 6 (Firefox 140) and 7
(Firefox 153) share that layout.

Firefox 140 also writes *stray* header records: when a cached file is reused, ModelHub calls
``setHeaders({ model, revision, file, cachedHeaders })`` — the model without its host and the
headers under a name ``setHeaders`` does not read — leaving
``{model: "org/name", ..., headers: null}``. They describe no bytes: listed apart, not counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inference_gui.firefox.idb import find_database
from inference_gui.firefox.lock import ProfileLock, profile_lock
from inference_gui.firefox.opfs import OpfsFile, read_opfs
from inference_gui.firefox.snapshot import ProfileError, snapshot_dir

IDB_FOLDER = Path("storage/permanent/chrome/idb")
DATABASE = "modelFiles"
KNOWN_VERSIONS = (6, 7)
MODEL_PREFIX = "modelFiles/"
RUNTIME_PREFIX = "mlRuntimeFiles/"


@dataclass(frozen=True)
class ProfileFile:
    path: str
    size: int  # Firefox's recorded fileSize (falls back to the OPFS file's size)
    etag: str | None
    last_updated: dt.datetime | None
    last_used: dt.datetime | None
    tasks: tuple[str, ...]
    engines: tuple[str, ...]
    bytes_path: Path | None  # the OPFS file holding the bytes; None when missing
    size_on_disk: int | None

    @property
    def missing(self) -> bool:
        return self.bytes_path is None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "size": self.size,
            "size_on_disk": self.size_on_disk,
            "etag": self.etag,
            "last_updated": _iso(self.last_updated),
            "last_used": _iso(self.last_used),
            "tasks": list(self.tasks),
            "engines": list(self.engines),
            "missing": self.missing,
        }


@dataclass(frozen=True)
class ProfileRevision:
    revision: str
    files: tuple[ProfileFile, ...]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def last_used(self) -> dt.datetime | None:
        return _latest(f.last_used for f in self.files)

    @property
    def last_updated(self) -> dt.datetime | None:
        return _latest(f.last_updated for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "size": self.size,
            "last_used": _iso(self.last_used),
            "last_updated": _iso(self.last_updated),
            "files": [f.to_json() for f in self.files],
        }


@dataclass(frozen=True)
class ProfileModel:
    host: str
    model: str  # org/name
    revisions: tuple[ProfileRevision, ...]

    @property
    def hub_model(self) -> str:
        """The name Firefox records, e.g. ``model-hub.mozilla.org/mozilla/distilvit``."""
        return f"{self.host}/{self.model}"

    @property
    def size(self) -> int:
        return sum(r.size for r in self.revisions)

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "model": self.model,
            "size": self.size,
            "revisions": [r.to_json() for r in self.revisions],
        }


@dataclass(frozen=True)
class ProfileCache:
    profile: Path
    lock: ProfileLock
    db_version: int | None  # None: the profile has no model cache database
    models: tuple[ProfileModel, ...]
    unrecorded: tuple[OpfsFile, ...]  # model bytes in OPFS with no header record
    stray_records: tuple[tuple[str, str, str], ...]  # (model, revision, file) with no headers
    runtime_files: tuple[OpfsFile, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def files(self) -> list[ProfileFile]:
        return [f for m in self.models for r in m.revisions for f in r.files]

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": str(self.profile),
            "firefox_running": self.lock.running,
            "lock": self.lock.detail,
            "database_version": self.db_version,
            "models": [m.to_json() for m in self.models],
            "unrecorded_files": [{"path": f.path, "size": f.size} for f in self.unrecorded],
            "stray_records": [
                {"model": m, "revision": r, "file": f} for m, r, f in self.stray_records
            ],
            "runtime_files": [{"path": f.path, "size": f.size} for f in self.runtime_files],
            "total_files": len(self.files),
            "total_size": self.total_size,
            "warnings": list(self.warnings),
        }


def read_profile_cache(profile: Path) -> ProfileCache:
    """Read ``profile``'s model cache from copies of its databases; never writes to the profile."""
    profile = Path(profile)
    if not profile.is_dir():
        raise ProfileError(
            f"The Firefox profile folder {profile} does not exist.",
            "Pick the folder holding prefs.js; `inference-gui firefox profiles` lists them.",
        )
    if not (profile / "prefs.js").exists() and not (profile / "storage").is_dir():
        raise ProfileError(
            f"{profile} does not look like a Firefox profile (no prefs.js, no storage folder).",
            "Pick a profile folder; `inference-gui firefox profiles` lists them.",
        )
    with snapshot_dir() as into:
        database = find_database(profile / IDB_FOLDER, DATABASE, into)
        opfs = read_opfs(profile, into)
    warnings: list[str] = []
    stores: dict[str, list[Any]] = database.stores if database else {}
    if database and database.version not in KNOWN_VERSIONS:
        warnings.append(
            f"The model cache database is version {database.version}; this reader knows "
            f"{', '.join(map(str, KNOWN_VERSIONS))}, so some details may be missing."
        )
    stray: list[Key] = []
    models = _models(stores, opfs, stray, warnings)
    recorded = {
        f"{MODEL_PREFIX}{m.hub_model}/{r.revision}/{f.path}"
        for m in models
        for r in m.revisions
        for f in r.files
    }
    return ProfileCache(
        profile=profile,
        lock=profile_lock(profile),
        db_version=database.version if database else None,
        models=models,
        unrecorded=tuple(
            f for p, f in sorted(opfs.items()) if p.startswith(MODEL_PREFIX) and p not in recorded
        ),
        stray_records=tuple(stray),
        runtime_files=tuple(f for p, f in sorted(opfs.items()) if p.startswith(RUNTIME_PREFIX)),
        warnings=tuple(warnings),
    )


Key = tuple[str, str, str]


def _models(
    stores: dict[str, list[Any]], opfs: dict[str, OpfsFile], stray: list[Key], warnings: list[str]
) -> tuple[ProfileModel, ...]:
    tasks: dict[Key, set[str]] = defaultdict(set)
    for row in stores.get("tasks", []):
        if (key := _key(row)) and isinstance(row.get("taskName"), str):
            tasks[key].add(row["taskName"])
    engines: dict[Key, set[str]] = defaultdict(set)
    for row in stores.get("engines", []):
        if key := _key(row):
            engines[key].update(str(e) for e in row.get("engineIds") or [] if e is not None)
    grouped: dict[str, dict[str, list[ProfileFile]]] = defaultdict(lambda: defaultdict(list))
    for row in stores.get("headers", []):
        key = _key(row)
        if key is None:
            warnings.append(f"Skipped a header record without model, revision and file: {row!r}")
            continue
        headers = row.get("headers")
        if not isinstance(headers, dict):
            stray.append(key)
            continue
        model, revision, path = key
        stored = opfs.get(f"{MODEL_PREFIX}{model}/{revision}/{path}")
        size_on_disk = stored.size if stored else None
        grouped[model][revision].append(
            ProfileFile(
                path=path,
                size=_int(headers.get("fileSize")) or size_on_disk or 0,
                etag=headers.get("ETag") if isinstance(headers.get("ETag"), str) else None,
                last_updated=_time(headers.get("lastUpdated")),
                last_used=_time(headers.get("lastUsed")),
                tasks=tuple(sorted(tasks.get(key, ()))),
                engines=tuple(sorted(engines.get(key, ()))),
                bytes_path=stored.bytes_path if stored else None,
                size_on_disk=size_on_disk,
            )
        )
    models = []
    for hub_model in sorted(grouped):
        host, _, name = hub_model.partition("/")
        revisions = tuple(
            ProfileRevision(rev, tuple(sorted(files, key=lambda f: f.path)))
            for rev, files in sorted(grouped[hub_model].items())
        )
        models.append(ProfileModel(host, name, revisions))
    return tuple(models)


def _key(row: Any) -> Key | None:
    if not isinstance(row, dict):
        return None
    parts = (row.get("model"), row.get("revision"), row.get("file"))
    return parts if all(isinstance(p, str) and p for p in parts) else None  # type: ignore[return-value]


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value >= 0 else None


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, int | float) and value > 0:
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    return None


def _latest(values: Any) -> dt.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
