"""What is cached, and removing it: one core API behind the Cache pane and ``cache`` commands.

Deletion is a plan first (inspectable: what goes, what only loses a usage tag, how many bytes are
freed) and then an execution that re-plans under the cache lock, so a plan made a while ago can
never remove something another instance added since, nor a blob still used by another entry.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import TYPE_CHECKING, Any

from inference_gui.cache.store import FileRow, RemovedRow, Store
from inference_gui.layout import dtype_of

if TYPE_CHECKING:
    from inference_gui.cache.core import CacheCore

DAY = 86_400.0


@dataclass(frozen=True)
class FileInfo:
    path: str
    size: int
    sha256: str
    dtype: str
    last_used: float
    downloaded_at: float
    used_by: tuple[str, ...]


@dataclass(frozen=True)
class MissingFile:
    """A file a cached revision lacks.

    Either repair took it out (its bytes were corrupt or gone) or a fetch of several files stopped
    before it (``removed_at`` is set: when), or a feature that resolves to the revision now needs
    it and it is not cached (``needed_by``).
    """

    path: str
    reason: str
    size: int | None = None
    removed_at: float | None = None
    needed_by: tuple[str, ...] = ()

    @classmethod
    def removed(cls, row: RemovedRow) -> MissingFile:
        return cls(row.path, row.reason, row.size, row.removed_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "size": self.size,
            "reason": self.reason,
            "removed_at": self.removed_at,
            "needed_by": list(self.needed_by),
        }


def _paths(files: list[MissingFile]) -> str:
    shown = ", ".join(f.path for f in files[:3])
    return shown + (f" and {len(files) - 3} more" if len(files) > 3 else "")


@dataclass(frozen=True)
class RevisionInfo:
    revision: str
    size: int
    last_used: float
    downloaded_at: float
    files: tuple[FileInfo, ...]
    # Files repair took out, a fetch stopped before, or a feature resolving here needs; fetching
    # them clears this.
    missing: tuple[MissingFile, ...] = ()

    @property
    def used_by(self) -> tuple[str, ...]:
        return tuple(sorted({u for f in self.files for u in f.used_by}))

    @property
    def incomplete(self) -> bool:
        return bool(self.missing)

    def incomplete_note(self) -> str:
        """What the revision lacks and why, in one line ('' when complete).

        ``incomplete: vocab.txt (removed by repair: its bytes were corrupt or gone);
        onnx/model.onnx (needed by tiny-embed-legacy; not cached); fetch this revision again``
        """
        if not self.missing:
            return ""
        by_reason: dict[str, list[MissingFile]] = {}
        for m in self.missing:
            by_reason.setdefault(m.reason, []).append(m)
        parts = [f"{_paths(files)} ({reason})" for reason, files in by_reason.items()]
        return f"incomplete: {'; '.join(parts)}; fetch this revision again"

    def with_needed(self, needed: Mapping[str, tuple[str, ...]]) -> RevisionInfo:
        """This revision with the files features need (path -> features) it does not hold."""
        held = {f.path for f in self.files} | {m.path for m in self.missing}
        extra = tuple(
            MissingFile(path, f"needed by {', '.join(users)}; not cached", needed_by=users)
            for path, users in sorted(needed.items())
            if path not in held
        )
        return replace(self, missing=self.missing + extra) if extra else self


@dataclass(frozen=True)
class ModelInfo:
    hub: str
    model: str
    revisions: tuple[RevisionInfo, ...]

    @property
    def size(self) -> int:
        return sum(r.size for r in self.revisions)

    @property
    def last_used(self) -> float:
        return max(r.last_used for r in self.revisions)

    @property
    def downloaded_at(self) -> float:
        return max(r.downloaded_at for r in self.revisions)

    @property
    def used_by(self) -> tuple[str, ...]:
        return tuple(sorted({u for r in self.revisions for u in r.used_by}))


@dataclass(frozen=True)
class CacheTree:
    """Models -> revisions -> files; ``total_size`` counts shared content once (bytes on disk)."""

    total_size: int
    models: tuple[ModelInfo, ...]

    def to_json(self) -> dict[str, Any]:
        """The listing ``cache ls --json`` prints.

        Sizes count each entry; ``shared`` marks files whose bytes other entries hold too (counted
        once in ``total_size``); ``last_used_by`` is the usage history.
        """
        copies: dict[str, int] = {}
        for f in self.files():
            copies[f.sha256] = copies.get(f.sha256, 0) + 1
        return {
            "total_size": self.total_size,
            "models": [
                {
                    "hub": m.hub,
                    "model": m.model,
                    "revisions": [
                        {
                            "revision": r.revision,
                            "size": r.size,
                            "last_used_by": list(r.used_by),
                            "incomplete": r.incomplete,
                            "missing_files": [gone.to_json() for gone in r.missing],
                            "files": [
                                {
                                    "path": f.path,
                                    "size": f.size,
                                    "sha256": f.sha256,
                                    "dtype": f.dtype,
                                    "last_used": f.last_used,
                                    "downloaded_at": f.downloaded_at,
                                    "last_used_by": list(f.used_by),
                                    "shared": copies[f.sha256] > 1,
                                }
                                for f in r.files
                            ],
                        }
                        for r in m.revisions
                    ],
                }
                for m in self.models
            ],
        }

    def files(self) -> list[FileInfo]:
        return [f for m in self.models for r in m.revisions for f in r.files]

    def with_needed(
        self, needed: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]], hubs: Iterable[str]
    ) -> CacheTree:
        """The tree with what features need and is not cached marked on their cached revisions.

        ``needed`` maps (model, revision) to {path: features}; only revisions under ``hubs`` (the
        hub the records resolve against, and imports) are theirs.
        """
        hubs = set(hubs)
        return replace(
            self,
            models=tuple(
                replace(
                    m,
                    revisions=tuple(
                        r.with_needed(needed.get((m.model, r.revision), {})) if m.hub in hubs else r
                        for r in m.revisions
                    ),
                )
                for m in self.models
            ),
        )


def build_tree(
    rows: list[FileRow], total_size: int, removed: Iterable[RemovedRow] = ()
) -> CacheTree:
    """Group index rows (sorted by hub, model, revision, path) into the tree.

    ``removed`` are the files repair took out or a fetch stopped before, shown on their
    revisions as missing.
    """
    missing: dict[tuple[str, str, str], list[MissingFile]] = {}
    for gone in removed:
        missing.setdefault((gone.hub, gone.model, gone.revision), []).append(
            MissingFile.removed(gone)
        )
    models = []
    for (hub, model), model_rows in groupby(rows, key=lambda r: (r.hub, r.model)):
        revisions = []
        for revision, rev_rows in groupby(model_rows, key=lambda r: r.revision):
            files = tuple(
                FileInfo(
                    r.path,
                    r.size,
                    r.sha256,
                    dtype_of(r.path),
                    r.last_used,
                    r.downloaded_at,
                    r.used_by,
                )
                for r in rev_rows
            )
            revisions.append(
                RevisionInfo(
                    revision,
                    sum(f.size for f in files),
                    max(f.last_used for f in files),
                    max(f.downloaded_at for f in files),
                    files,
                    tuple(missing.get((hub, model, revision), ())),
                )
            )
        models.append(ModelInfo(hub, model, tuple(revisions)))
    return CacheTree(total_size, tuple(models))


# A selector splits the index into (entries to remove, entries that only lose the usage tag).
Selector = Callable[[list[FileRow]], tuple[list[FileRow], list[FileRow]]]


@dataclass(frozen=True)
class DeletePlan:
    description: str
    remove: tuple[FileRow, ...]
    unlink: tuple[FileRow, ...]
    freed_blobs: tuple[str, ...]
    freed_bytes: int
    used_by: str | None = None
    selector: Selector = field(repr=False, compare=False, default=lambda rows: ([], []))
    # (removed entry, an entry that stays with the same bytes): why removing it frees nothing
    shared: tuple[tuple[FileRow, FileRow], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.remove and not self.unlink

    def to_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "freed_bytes": self.freed_bytes,
            "remove": [
                {
                    "hub": r.hub,
                    "model": r.model,
                    "revision": r.revision,
                    "path": r.path,
                    "size": r.size,
                }
                for r in self.remove
            ],
            "untagged": [
                {"model": r.model, "revision": r.revision, "path": r.path} for r in self.unlink
            ],
            "shared": [
                {
                    "model": gone.model,
                    "revision": gone.revision,
                    "path": gone.path,
                    "kept_by": {"model": kept.model, "revision": kept.revision, "path": kept.path},
                }
                for gone, kept in self.shared
            ],
        }

    def why_nothing_freed(self) -> str:
        """Why removing files frees fewer bytes than they add up to ('' when nothing is kept).

        Their bytes stay on disk for entries that are kept.
        """
        if not self.shared:
            return ""
        keepers = sorted({f"{kept.model} {kept.revision}" for _, kept in self.shared})
        return (
            f"{len(self.shared)} of the {len(self.remove)} files share their bytes with entries "
            f"that stay ({', '.join(keepers)}), so those bytes are not freed"
        )


def make_plan(
    rows: list[FileRow], selector: Selector, description: str, used_by: str | None = None
) -> DeletePlan:
    remove, unlink = selector(rows)
    removed_ids = {r.id for r in remove}
    kept = {r.sha256: r for r in rows if r.id not in removed_ids}
    sizes = {r.sha256: r.size for r in remove if r.sha256 not in kept}
    return DeletePlan(
        description,
        tuple(remove),
        tuple(unlink),
        tuple(sorted(sizes)),
        sum(sizes.values()),
        used_by,
        selector,
        tuple((r, kept[r.sha256]) for r in remove if r.sha256 in kept),
    )


def select_entries(
    *,
    hub: str | None = None,
    model: str | None = None,
    revision: str | None = None,
    path: str | None = None,
) -> Selector:
    def selector(rows: list[FileRow]) -> tuple[list[FileRow], list[FileRow]]:
        return [
            r
            for r in rows
            if (hub is None or r.hub == hub)
            and (model is None or r.model == model)
            and (revision is None or r.revision == revision)
            and (path is None or r.path == path)
        ], []

    return selector


def select_used_by(tag: str) -> Selector:
    """Entries used only by ``tag`` go; entries others use too merely lose the tag."""

    def selector(rows: list[FileRow]) -> tuple[list[FileRow], list[FileRow]]:
        tagged = [r for r in rows if tag in r.used_by]
        return [r for r in tagged if set(r.used_by) == {tag}], [
            r for r in tagged if set(r.used_by) != {tag}
        ]

    return selector


def select_feature(
    tag: str,
    resolved: Iterable[tuple[str, str, str]],
    needed_by_others: Iterable[tuple[str, str, str]],
    hubs: Iterable[str],
) -> Selector:
    """A feature's files: what it resolves to now, and what was fetched for it (its usage tag).

    Keys are (model, revision, path) in ``hubs``. A file another feature resolves to now, or that
    other usage tags name, stays (losing only this tag): deleting one feature never takes what
    another one needs.
    """
    mine, theirs, where = set(resolved), set(needed_by_others), set(hubs)

    def selector(rows: list[FileRow]) -> tuple[list[FileRow], list[FileRow]]:
        remove, unlink = [], []
        for r in rows:
            key = (r.model, r.revision, r.path)
            if not (r.hub in where and key in mine) and tag not in r.used_by:
                continue
            if (r.hub in where and key in theirs) or set(r.used_by) - {tag}:
                if tag in r.used_by:
                    unlink.append(r)
            else:
                remove.append(r)
        return remove, unlink

    return selector


def select_unused(
    days: float, referenced: Iterable[tuple[str, str]], now: float | None = None
) -> Selector:
    """Whole revisions that no current record references and nobody used for ``days`` days."""
    keep = set(referenced)

    def selector(rows: list[FileRow]) -> tuple[list[FileRow], list[FileRow]]:
        cutoff = (time.time() if now is None else now) - days * DAY
        ordered = sorted(rows, key=lambda r: (r.hub, r.model, r.revision))
        stale = []
        for (_, model, revision), group in groupby(
            ordered, key=lambda r: (r.hub, r.model, r.revision)
        ):
            members = list(group)
            if (model, revision) not in keep and max(r.last_used for r in members) < cutoff:
                stale.extend(members)
        return stale, []

    return selector


def execute(cache: CacheCore, plan: DeletePlan) -> DeletePlan:
    """Carry out ``plan`` as it stands now (re-planned under the lock); returns what was done.

    Rows go first, then the bytes no remaining row uses, so no entry ever lacks its bytes.
    """
    with cache.commit_lock():
        done = make_plan(cache.store.all(), plan.selector, plan.description, plan.used_by)
        with cache.store.transaction() as db:
            Store.delete(db, (r.id for r in done.remove))
            if done.used_by:
                Store.unlink_usage(db, (r.id for r in done.unlink), done.used_by)
        for row in done.remove:
            cache.blobs.remove_shown(cache.shown_path(row))
        for sha256 in done.freed_blobs:
            cache.blobs.blob(sha256).unlink(missing_ok=True)
    return done
