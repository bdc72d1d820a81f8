"""Records and cache side by side: for each feature, what it would run and whether that is cached.

QA asks, per feature: is what ``createEngine({featureId})`` would use in the cache, at the revision
the records say, intact? This module answers from the run service's plan (the same resolution a run
makes) and the cache index, without touching the network or marking anything as used, so the
``records status`` command, the Records pane and the Cache pane's "used by" all read one answer.

A file's state is one of:

- ``cached``: indexed, and its bytes are there at the indexed size;
- ``missing``: not in the cache;
- ``incomplete``: a download of it was started and not finished (a ``.part`` file);
- ``corrupt``: indexed, but its bytes are gone or have another size (``cache verify --repair``);
- ``stale``: not cached at this revision, but cached at another one (the record moved on).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from inference_gui.cache.core import IMPORTED_HUB
from inference_gui.cache.store import FileRow, RemovedRow
from inference_gui.engine.tasks import task_class
from inference_gui.errors import AppError
from inference_gui.firefox.profile_cache import ProfileCache, ProfileFile
from inference_gui.layout import (
    CONFIG,
    GENERATION_CONFIG,
    PREPROCESSOR_CONFIG,
    TOKENIZER,
    TOKENIZER_CONFIG,
    graph_files,
)
from inference_gui.run_service import RunRequest

if TYPE_CHECKING:
    from inference_gui.cache.model_cache import ModelCache
    from inference_gui.cache.operations import CacheTree, DeletePlan
    from inference_gui.context import AppContext
    from inference_gui.engine.options import EngineOptions

CACHED, MISSING, INCOMPLETE, CORRUPT, STALE = "cached", "missing", "incomplete", "corrupt", "stale"
# A feature's overall state: the worst of its required files, in this order (then "ready").
_WORST_FIRST = (CORRUPT, INCOMPLETE, STALE, MISSING)
READY, PARTIAL, ERROR = "ready", "partial", "error"

FileKey = tuple[str, str, str]  # (model, revision, path)


@dataclass(frozen=True)
class FileStatus:
    """One file a feature needs, and its state in the cache with a sentence saying why.

    ``role`` says whose it is: model, tokenizer or processor.
    """

    role: str
    model: str
    revision: str
    path: str
    required: bool
    state: str
    size: int | None = None
    detail: str = ""
    other_revisions: tuple[str, ...] = ()  # where a stale file is cached instead

    @property
    def key(self) -> FileKey:
        return (self.model, self.revision, self.path)

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "model": self.model,
            "revision": self.revision,
            "path": self.path,
            "required": self.required,
            "state": self.state,
            "size": self.size,
            "detail": self.detail,
            "other_revisions": list(self.other_revisions),
        }


@dataclass(frozen=True)
class FeatureStatus:
    """What a feature would run and the state of each file it needs (or why it cannot run)."""

    feature: str
    record_id: str | None = None
    task: str = ""
    model: str = ""
    revision: str = ""
    dtype: str = ""
    tokenizer: tuple[str, str] | None = None
    processor: tuple[str, str] | None = None
    files: tuple[FileStatus, ...] = ()
    notes: tuple[str, ...] = ()
    error: str | None = None

    @property
    def state(self) -> str:
        """``error``, the worst state of a required file, ``partial`` or ``ready``.

        ``partial``: some required files are cached, the others missing.
        """
        if self.error is not None:
            return ERROR
        states = {f.state for f in self.files if f.required}
        if states == {MISSING, CACHED}:
            return PARTIAL
        return next((s for s in _WORST_FIRST if s in states), READY)

    @property
    def cached_bytes(self) -> int:
        return sum(f.size or 0 for f in self.files if f.state == CACHED)

    def summary(self) -> str:
        """One line for a table cell: the state and, when not ready, what is wrong."""
        if self.error is not None:
            return f"error: {self.error}"
        if self.state == READY:
            return "ready"
        return "; ".join((self.state, *self.notes)) if self.notes else self.state

    def to_json(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "state": self.state,
            "record_id": self.record_id,
            "task": self.task,
            "model": self.model,
            "revision": self.revision,
            "dtype": self.dtype,
            "tokenizer": _pair(self.tokenizer),
            "processor": _pair(self.processor),
            "cached_bytes": self.cached_bytes,
            "files": [f.to_json() for f in self.files],
            "notes": list(self.notes),
            "error": self.error,
        }


def _pair(value: tuple[str, str] | None) -> dict[str, str] | None:
    return None if value is None else {"model": value[0], "revision": value[1]}


@dataclass
class _CacheView:
    """One snapshot of the index, read once for every feature (the hub's entries and imports)."""

    cache: ModelCache
    hub_key: str
    rows: dict[FileKey, FileRow] = field(default_factory=dict)
    revisions: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    removed: dict[FileKey, RemovedRow] = field(default_factory=dict)  # what repair took out

    @classmethod
    def of(cls, cache: ModelCache, hub_key: str) -> _CacheView:
        view = cls(cache, hub_key)
        view.removed = {
            (r.model, r.revision, r.path): r
            for r in cache.store.removed()
            if r.hub in (hub_key, IMPORTED_HUB)
        }
        by_path: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in cache.store.all():
            if row.hub not in (hub_key, IMPORTED_HUB):
                continue
            key = (row.model, row.revision, row.path)
            if key not in view.rows or row.hub == hub_key:  # the hub's own copy is found first
                view.rows[key] = row
            by_path[(row.model, row.path)].add(row.revision)
        view.revisions = dict(by_path)
        return view

    def intact(self, key: FileKey) -> FileRow | None:
        row = self.rows.get(key)
        return row if row is not None and self.cache.blobs.blob(row.sha256).is_file() else None

    def read_json(self, key: FileKey) -> dict[str, Any] | None:
        """A cached JSON file's content, or None when it is not cached or cannot be read."""
        row = self.intact(key)
        if row is None:
            return None
        try:
            value = json.loads(self.cache.blobs.blob(row.sha256).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def state(self, key: FileKey) -> tuple[str, int | None, str, tuple[str, ...]]:
        model, revision, path = key
        row = self.rows.get(key)
        if row is not None:
            blob = self.cache.blobs.blob(row.sha256)
            try:
                size = blob.stat().st_size
            except OSError:
                return CORRUPT, row.size, "indexed, but its bytes are gone; run cache verify", ()
            if size != row.size:
                return (
                    CORRUPT,
                    row.size,
                    f"indexed as {row.size} bytes, but {size} are on disk; run cache verify",
                    (),
                )
            return CACHED, row.size, "", ()
        part = self.cache.part_path(self.hub_key, model, revision, path)
        if part.is_file():
            got = part.stat().st_size
            return INCOMPLETE, got, f"download stopped after {got} bytes", ()
        others = tuple(sorted(self.revisions.get((model, path), set()) - {revision}))
        if others:
            return STALE, None, f"cached at {', '.join(others)}, not {revision}", others
        gone = self.removed.get(key)
        if gone is not None:
            return MISSING, None, f"{gone.reason}; fetch it again", ()
        return MISSING, None, "", ()


class _FileView(Protocol):
    """Where the files a feature needs are looked for: our cache, or a Firefox profile's."""

    def read_json(self, key: FileKey) -> dict[str, Any] | None: ...

    def state(self, key: FileKey) -> tuple[str, int | None, str, tuple[str, ...]]: ...


@dataclass
class _ProfileView:
    """A Firefox profile's model cache seen as a file view (any hub host Firefox recorded)."""

    files: dict[FileKey, ProfileFile]
    revisions: dict[tuple[str, str], set[str]]

    @classmethod
    def of(cls, profile: ProfileCache) -> _ProfileView:
        files: dict[FileKey, ProfileFile] = {}
        revisions: dict[tuple[str, str], set[str]] = defaultdict(set)
        for model in profile.models:
            for revision in model.revisions:
                for f in revision.files:
                    files.setdefault((model.model, revision.revision, f.path), f)
                    revisions[(model.model, f.path)].add(revision.revision)
        return cls(files, dict(revisions))

    def read_json(self, key: FileKey) -> dict[str, Any] | None:
        f = self.files.get(key)
        if f is None or f.bytes_path is None:
            return None
        try:
            value = json.loads(f.bytes_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def state(self, key: FileKey) -> tuple[str, int | None, str, tuple[str, ...]]:
        model, revision, path = key
        f = self.files.get(key)
        if f is not None:
            if f.bytes_path is None:
                return CORRUPT, f.size, "recorded by Firefox, but its bytes are not in OPFS", ()
            if f.size_on_disk is not None and f.size_on_disk != f.size:
                detail = f"recorded as {f.size} bytes, {f.size_on_disk} in OPFS"
                return CORRUPT, f.size, detail, ()
            return CACHED, f.size, "", ()
        others = tuple(sorted(self.revisions.get((model, path), set()) - {revision}))
        if others:
            return STALE, None, f"Firefox holds {', '.join(others)}, not {revision}", others
        return MISSING, None, "", ()


def _needed(options: EngineOptions, view: _FileView) -> tuple[list[tuple[str, FileKey, bool]], str]:
    """(role, file, required) for every file the engine would load, as Engine._load chooses.

    The note says when the list is a guess because ``config.json`` is not cached.
    """
    cls = task_class(options.task)
    needed: list[tuple[str, FileKey, bool]] = []
    note = ""
    if cls.needs_model:
        model, revision = options.model_id, options.revision
        config_key = (model, revision, CONFIG)
        needed.append(("model", config_key, True))
        config = view.read_json(config_key)
        if config is None:
            config = {}
            note = "config.json is not cached, so external data files are not listed"
        for base in cls.bases_for(config):
            for path in graph_files(config, base, options.dtype_for(base)):
                needed.append(("model", (model, revision, path), True))
        if cls.needs_generation_config:
            needed.append(("model", (model, revision, GENERATION_CONFIG), False))
    if cls.needs_tokenizer:
        model, revision = options.tokenizer_source
        needed.append(("tokenizer", (model, revision, TOKENIZER), True))
        needed.append(("tokenizer", (model, revision, TOKENIZER_CONFIG), False))
    if cls.needs_processor:
        model, revision = options.processor_source
        needed.append(("processor", (model, revision, PREPROCESSOR_CONFIG), True))
    unique = list({key: (role, key, required) for role, key, required in needed}.values())
    return unique, note


def needed_files(ctx: AppContext, options: EngineOptions) -> list[FileKey]:
    """Every file an engine of ``options`` loads, looked up in our cache.

    ``config.json`` decides which external data files a graph has: call this once it is cached.
    """
    needed, _ = _needed(options, _CacheView.of(ctx.cache, ctx.hub.key))
    return [key for _, key, _ in needed]


def _file_status(
    role: str, key: tuple[str, str, str], required: bool, view: _FileView
) -> FileStatus:
    model, revision, path = key
    state, size, detail, others = view.state(key)
    return FileStatus(role, model, revision, path, required, state, size, detail, others)


def _one(ctx: AppContext, feature: str, view: _FileView) -> FeatureStatus:
    try:
        plan = ctx.runs.plan(RunRequest(feature=feature))
        o = plan.options
        needed, note = _needed(o, view)
    except AppError as exc:
        return FeatureStatus(feature, error=str(exc))
    files = tuple(_file_status(role, key, required, view) for role, key, required in needed)
    cls = task_class(o.task)
    return FeatureStatus(
        feature,
        plan.record_id,
        o.task,
        o.model_id,
        o.revision,
        o.dtype_label,
        o.tokenizer_source if cls.needs_tokenizer else None,
        o.processor_source if cls.needs_processor else None,
        files,
        (note,) if note else (),
    )


def used_by(statuses: Iterable[FeatureStatus]) -> dict[FileKey, tuple[str, ...]]:
    """Which features resolve to each file now (cached or not), from their statuses."""
    users: dict[FileKey, set[str]] = defaultdict(set)
    for status in statuses:
        for f in status.files:
            users[f.key].add(status.feature)
    return {key: tuple(sorted(names)) for key, names in users.items()}


def _moved_notes(status: FeatureStatus, users: Mapping[FileKey, tuple[str, ...]]) -> list[str]:
    """For each stale model: "the record moved to v2; v1 is cached and no longer used".

    When other features still use the old revision, the sentence names them instead.
    """
    notes = []
    stale = {(f.model, f.revision) for f in status.files if f.state == STALE}
    for model, revision in sorted(stale):
        older = {
            r
            for f in status.files
            if (f.model, f.revision) == (model, revision)
            for r in f.other_revisions
        }
        for old in sorted(older):
            still = sorted(
                {u for (m, r, _), names in users.items() if (m, r) == (model, old) for u in names}
            )
            tail = f"still used by {', '.join(still)}" if still else "no longer used"
            notes.append(f"the record moved {model} to {revision}; {old} is cached and {tail}")
    return notes


def feature_statuses(
    ctx: AppContext, features: Iterable[str] | None = None, profile: ProfileCache | None = None
) -> list[FeatureStatus]:
    """The status of ``features`` (default: every feature with a record), from one index read.

    With ``profile``, the files are looked for in that Firefox profile's model cache instead of
    ours: what the profile's features would need against what it holds.
    """
    view: _FileView = (
        _CacheView.of(ctx.cache, ctx.hub.key) if profile is None else _ProfileView.of(profile)
    )
    every = [_one(ctx, f, view) for f in ctx.records.feature_ids()]
    users = used_by(every)
    wanted = set(features) if features is not None else None
    chosen = [s for s in every if wanted is None or s.feature in wanted]
    chosen += [_one(ctx, f, view) for f in sorted((wanted or set()) - {s.feature for s in every})]
    return [
        FeatureStatus(**{**s.__dict__, "notes": (*s.notes, *_moved_notes(s, users))})
        for s in chosen
    ]


def referenced_revisions(ctx: AppContext) -> set[tuple[str, str]]:
    """(model, revision) pairs clean-up must keep.

    Every revision a feature resolves to now (local overrides included), and every revision a
    usable record names even if it cannot resolve.
    """
    pairs = {(f.model, f.revision) for s in feature_statuses(ctx) for f in s.files}
    for record in ctx.records.load().usable():
        for id_key, rev_key in (
            ("modelId", "modelRevision"),
            ("tokenizerId", "tokenizerRevision"),
            ("processorId", "processorRevision"),
        ):
            if record.get(id_key):
                pairs.add((record[id_key], record.get(rev_key) or "main"))
    return pairs


def feature_delete_plan(ctx: AppContext, feature: str) -> DeletePlan:
    """Deleting everything ``feature`` uses, by what the records resolve it to now.

    Files another feature resolves to now stay, as do files other usage tags name (those lose
    only the feature's tag). A feature that cannot resolve falls back to its usage tag.
    """
    every = feature_statuses(ctx)
    mine = [s for s in every if s.feature == feature] or feature_statuses(ctx, [feature])
    return ctx.cache.plan_feature_delete(
        feature,
        (f.key for s in mine for f in s.files),
        (f.key for s in every if s.feature != feature for f in s.files),
        (ctx.hub.key, IMPORTED_HUB),
    )


def lacking(statuses: Iterable[FeatureStatus]) -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    """Required files that are not cached at the revision a feature resolves to.

    (model, revision) -> {path: features needing it}: on a cached revision, these make it
    incomplete for those features.
    """
    found: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for status in statuses:
        for f in status.files:
            if f.required and f.state in (MISSING, STALE, INCOMPLETE):
                found[(f.model, f.revision)][f.path].add(status.feature)
    return {
        key: {path: tuple(sorted(names)) for path, names in paths.items()}
        for key, paths in found.items()
    }


@dataclass(frozen=True)
class CacheUse:
    """The cache tree beside the records, as the Cache pane and ``cache ls`` show it.

    ``tree`` marks a cached revision incomplete when a feature resolving to it lacks a file;
    ``users`` says which features use each file now (None, with ``users_error``, when the records
    cannot be read).
    """

    tree: CacheTree
    users: dict[FileKey, tuple[str, ...]] | None
    users_error: str | None = None


def cache_use(ctx: AppContext) -> CacheUse:
    """The cache tree, which features use each file now, and what those features lack."""
    tree = ctx.cache.tree()
    try:
        statuses = feature_statuses(ctx)
        hubs = (ctx.hub.key, IMPORTED_HUB)
    except AppError as exc:
        return CacheUse(tree, None, str(exc))
    return CacheUse(tree.with_needed(lacking(statuses), hubs), used_by(statuses))


def cache_listing(ctx: AppContext) -> dict[str, Any]:
    """The cache tree as JSON with ``used_by``: the features that resolve to each file now.

    It sits beside ``last_used_by`` (history). When the records cannot be read, ``used_by`` is
    null and ``used_by_error`` says why.
    """
    use = cache_use(ctx)
    users = use.users
    listing = use.tree.to_json()
    listing["used_by_error"] = use.users_error
    for model in listing["models"]:
        for revision in model["revisions"]:
            names: set[str] = set()
            for f in revision["files"]:
                key = (model["model"], revision["revision"], f["path"])
                f["used_by"] = None if users is None else list(users.get(key, ()))
                names.update(f["used_by"] or ())
            revision["used_by"] = None if users is None else sorted(names)
    return listing
