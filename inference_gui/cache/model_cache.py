"""The model cache: fetch a hub file once, keep it intact, and hand the engine a real path.

Order of writes is what keeps a crash harmless: bytes go to ``tmp/`` first, become a blob only when
complete and hashed, are shown in the revision folder, and only then get an index row; removal runs
the other way (row first, bytes after). So an index row always has its bytes, and leftovers are
at worst unlisted files that ``verify`` finds and repairs.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from inference_gui.cache import importing, operations, partials
from inference_gui.cache.core import IMPORTED_HUB, CacheCore
from inference_gui.cache.download import Retry, download
from inference_gui.cache.operations import CacheTree, DeletePlan
from inference_gui.cache.store import FileRow, RemovedRow, Store
from inference_gui.cache.verify import VerifyReport, verify
from inference_gui.errors import CacheError, Cancelled, HubError
from inference_gui.hub import Hub, RemoteFile
from inference_gui.hub.names import check_names, is_moving
from inference_gui.jobs import Progress, ProgressCallback

if TYPE_CHECKING:
    from inference_gui.config import Settings

log = logging.getLogger(__name__)

REVALIDATE_TIMEOUT = 5.0
PROGRESS_INTERVAL = 0.1
DEFAULT_RETRY = Retry()
_USED_BY = re.compile(r"^(task|feature):[A-Za-z0-9._/:-]+$")


def check_used_by(used_by: str | None) -> str | None:
    if used_by is not None and not _USED_BY.match(used_by):
        raise CacheError(
            f"The usage tag {used_by!r} is not valid.",
            "Use task:<task name> or feature:<feature id>.",
        )
    return used_by


class _Rate:
    """Turns byte counts into throttled progress reports carrying a transfer rate."""

    def __init__(self, progress: ProgressCallback | None, detail: dict[str, str]) -> None:
        self.progress = progress
        self.detail = detail
        self.started = time.monotonic()
        self.last = 0.0
        self.first_done: int | None = None

    def __call__(
        self, done: int, total: int | None, *, final: bool = False, phase: str = "download"
    ) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if self.first_done is None:
            self.first_done = done
        if not final and now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = (done - self.first_done) / elapsed
        self.progress(
            Progress(
                phase,
                done,
                total or 0,
                "B",
                self.detail["path"],
                extra={**self.detail, "rate": rate},
            )
        )


class ModelCache(CacheCore):
    """The cache as its users see it: fetch, look up, plan and run deletes, verify, import.

    The on-disk state and its locks are the :class:`CacheCore` underneath.
    """

    def __init__(self, cache_dir: Path, limit_bytes: int, *, retry: Retry = DEFAULT_RETRY) -> None:
        super().__init__(cache_dir, limit_bytes)
        self.retry = retry

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelCache:
        return cls(settings.cache_dir, settings.cache_limit_bytes)

    # -- lookups -------------------------------------------------------------------------------
    def find(self, hub: Hub, model_id: str, revision: str, path: str) -> FileRow | None:
        """The entry for a file from this hub, or else one the user imported under that name."""
        row = self.store.find(hub.key, model_id, revision, path)
        if row is None:
            row = self.store.find(IMPORTED_HUB, model_id, revision, path)
        return row if row is not None and self.blobs.blob(row.sha256).is_file() else None

    def has(self, hub: Hub, model_id: str, revision: str, path: str) -> bool:
        path = check_names(model_id, revision, path) or ""
        return self.find(hub, model_id, revision, path) is not None

    def imported_folder(self, model_id: str, revision: str) -> Path | None:
        """The folder showing a model the user imported at ``revision``, or None.

        The hub does not know imported models, so this is how callers list their files (and dtypes).
        """
        check_names(model_id, revision)
        if not self.store.select(hub=IMPORTED_HUB, model=model_id, revision=revision):
            return None
        return self.blobs.revision_dir(IMPORTED_HUB, model_id, revision)

    # -- fetching ------------------------------------------------------------------------------
    def fetch(
        self,
        hub: Hub,
        model_id: str,
        revision: str,
        path: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        used_by: str | None = None,
        offline: bool = False,
        size: int | None = None,
    ) -> Path:
        """The file's path inside its revision folder, downloading it first if needed.

        ``size`` is what a listing said the file has, if known; a download must match it.

        Pinned revisions are served from the cache with no request; ``main`` is revalidated by
        ETag (briefly; the cached copy is used when the hub cannot be reached). Offline, no
        request is ever made; a local folder hub is still read, since that needs no network.
        """
        path = check_names(model_id, revision, path) or ""
        check_used_by(used_by)
        offline = (offline or hub.offline) and not hub.is_local  # a folder needs no network
        report = _Rate(progress, {"model": model_id, "revision": revision, "path": path})
        row = self.find(hub, model_id, revision, path)
        if row is not None and (offline or not self._changed_upstream(hub, row)):
            shown = self._hit(row, used_by)
            if shown is not None:
                report(row.size, row.size, final=True, phase="cached")
                return shown
        if offline:
            raise CacheError(
                f"The file {path} of {model_id} at {revision} is not in the cache, "
                "and offline mode is on.",
                "Turn offline mode off to download it, or import the model folder.",
            )
        stale = row.sha256 if row is not None else None
        return self._download(hub, model_id, revision, path, report, cancel, used_by, stale, size)

    def fetch_many(
        self,
        hub: Hub,
        model_id: str,
        revision: str,
        files: Sequence[RemoteFile | str],
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        used_by: str | None = None,
        offline: bool = False,
    ) -> list[Path]:
        """Fetch several files.

        Progress carries the total (done/total) and the current file (``extra``: path, file_done,
        file_total, rate).
        """
        sizes = {f.path: max(f.size, 0) for f in files if isinstance(f, RemoteFile)}
        known = {f.path: f.size >= 0 for f in files if isinstance(f, RemoteFile)}
        paths = [f.path if isinstance(f, RemoteFile) else f for f in files]
        grand_total = sum(sizes.values())
        finished = 0
        results = []
        try:
            for path in paths:
                if cancel is not None and cancel.is_set():
                    raise Cancelled(f"Fetching {model_id} at {revision} was cancelled.")

                def relay(p: Progress, base: int = finished) -> None:
                    if progress is not None:
                        progress(
                            Progress(
                                p.phase,
                                base + p.done,
                                grand_total,
                                "B",
                                p.detail,
                                extra={**p.extra, "file_done": p.done, "file_total": p.total},
                            )
                        )

                shown = self.fetch(
                    hub,
                    model_id,
                    revision,
                    path,
                    progress=relay,
                    cancel=cancel,
                    used_by=used_by,
                    offline=offline,
                    size=sizes.get(path) if known.get(path) else None,
                )
                results.append(shown)
                finished += sizes.get(path, shown.stat().st_size)
        except BaseException:  # failed or cancelled part-way: the revision says what it lacks
            self._not_fetched(hub.key, model_id, revision, paths[len(results) :], sizes)
            raise
        return results

    def _not_fetched(
        self, hub_key: str, model_id: str, revision: str, paths: list[str], sizes: dict[str, int]
    ) -> None:
        """Remember the files a fetch of several stopped before, on the revision it left partial.

        The listing says it is incomplete until they are fetched (best effort: a cache that
        cannot be written has nothing to remember).
        """
        if not paths or self.read_only:
            return
        rows = [RemovedRow(hub_key, model_id, revision, p, sizes.get(p, 0), "", 0.0) for p in paths]
        try:
            with self.store.transaction() as db:
                Store.mark_removed(db, rows, "not fetched: the fetch stopped before it")
        except (CacheError, sqlite3.Error) as exc:
            log.warning("could not note what the fetch of %s left out: %s", model_id, exc)

    def _changed_upstream(self, hub: Hub, row: FileRow) -> bool:
        """For a moving revision, ask the hub (briefly) whether the file changed."""
        if not is_moving(row.revision) or row.hub == IMPORTED_HUB or not row.etag:
            return False
        try:
            body = hub.open(
                row.model,
                row.revision,
                row.path,
                if_none_match=row.etag,
                timeout=REVALIDATE_TIMEOUT,
            )
        except HubError as exc:
            log.warning(
                "Could not revalidate %s of %s at %s; using the cached copy: %s",
                row.path,
                row.model,
                row.revision,
                exc,
            )
            return False
        if body is None:
            return False
        body.close()
        return True

    def _hit(self, row: FileRow, used_by: str | None) -> Path | None:
        """Show and touch a cached file; None if its bytes vanished meanwhile (then re-fetch)."""
        shown = self.shown_path(row)
        try:
            if not shown.exists():
                self.blobs.materialise(row.sha256, shown)
        except OSError:
            return None
        self.store.touch(row.id, used_by)
        return shown

    def _download(
        self,
        hub: Hub,
        model_id: str,
        revision: str,
        path: str,
        report: _Rate,
        cancel: threading.Event | None,
        used_by: str | None,
        stale: str | None,
        expected: int | None,
    ) -> Path:
        self.require_writable(f"Downloading {path} of {model_id}")
        part = self.part_path(hub.key, model_id, revision, path)
        with self.download_lock(part):
            # another instance may have fetched it while this one waited for the lock
            row = self.store.find(hub.key, model_id, revision, path)
            if row is not None and row.sha256 != stale and self.blobs.blob(row.sha256).is_file():
                shown = self._hit(row, used_by)
                if shown is not None:
                    return shown

            def space(size: int | None) -> int:
                if size is not None:
                    self.check_space(size, f"Downloading {path} of {model_id}")
                return self.limit_bytes - self.store.total_size()

            started = time.monotonic()
            got = download(
                hub,
                model_id,
                revision,
                path,
                part,
                report=report,
                check_space=space,
                cancel=cancel,
                retry=self.retry,
                expected=expected,
            )
            report(got.size, got.size, final=True)
            log.info(
                "fetched %s of %s at %s from %s: %d bytes in %.2f s",
                path,
                model_id,
                revision,
                hub.key,
                got.size,
                time.monotonic() - started,
            )
            return self.add(
                hub.key,
                model_id,
                revision,
                path,
                part,
                sha256=got.sha256,
                size=got.size,
                etag=got.etag,
                content_type=got.content_type,
                used_by=used_by,
            )

    # -- operations (the one API behind the Cache pane and the ``cache`` commands) -------------
    def tree(self) -> CacheTree:
        return operations.build_tree(
            self.store.all(), self.store.total_size(), self.store.removed()
        )

    def plan_delete(
        self,
        *,
        hub: str | None = None,
        model: str | None = None,
        revision: str | None = None,
        path: str | None = None,
        used_by: str | None = None,
        everything: bool = False,
    ) -> DeletePlan:
        """What a delete would do; nothing changes until :meth:`delete` runs the plan."""
        if used_by is not None:
            check_used_by(used_by)
            return operations.make_plan(
                self.store.all(),
                operations.select_used_by(used_by),
                f"everything used by {used_by}",
                used_by,
            )
        if not everything and model is None:
            raise CacheError(
                "Nothing was chosen to delete.",
                "Name a model (optionally a revision and file), a feature, a task, or all.",
            )
        what = (
            "the whole cache"
            if everything
            else " ".join(p for p in (model, f"at {revision}" if revision else "", path or "") if p)
        )
        selector = operations.select_entries(hub=hub, model=model, revision=revision, path=path)
        return operations.make_plan(self.store.all(), selector, what)

    def plan_feature_delete(
        self,
        feature: str,
        resolved: Iterable[tuple[str, str, str]],
        needed_by_others: Iterable[tuple[str, str, str]],
        hubs: Iterable[str],
    ) -> DeletePlan:
        """Everything ``feature`` uses: what it resolves to now and what was fetched for it.

        The resolution is the caller's (``status.feature_delete_plan``); see
        ``operations.select_feature``.
        """
        tag = f"feature:{feature}"
        check_used_by(tag)
        selector = operations.select_feature(tag, resolved, needed_by_others, hubs)
        return operations.make_plan(
            self.store.all(), selector, f"everything used by feature {feature}", tag
        )

    def plan_evict(self, unused_days: float, referenced: Iterable[tuple[str, str]]) -> DeletePlan:
        """Revisions no current record references and unused for ``unused_days`` days.

        ``referenced`` is the set of (model, revision) pairs the records name.
        """
        selector = operations.select_unused(unused_days, referenced)
        return operations.make_plan(
            self.store.all(),
            selector,
            f"revisions unused for {unused_days:g} days and not referenced",
        )

    def delete(self, plan: DeletePlan) -> DeletePlan:
        """Run a plan; the returned plan is what was actually removed (and bytes freed)."""
        self.require_writable(f"Removing {plan.description}")
        done = operations.execute(self, plan)
        log.info(
            "deleted %s: %d files removed, %d untagged, %d bytes freed",
            done.description,
            len(done.remove),
            len(done.unlink),
            done.freed_bytes,
        )
        return done

    def evict_incomplete(self, *, dry_run: bool) -> list[partials.Leftover]:
        """Remove (or, dry run, list) incomplete downloads no fetch is writing now."""
        if not dry_run:
            self.require_writable("Removing incomplete downloads")
        with self.commit_lock():
            found = partials.sweep(self, remove=not dry_run)
        if not dry_run:
            log.info(
                "deleted incomplete downloads: %d files, %d bytes freed",
                len(found),
                sum(f.size for f in found),
            )
        return found

    def verify(
        self,
        *,
        repair: bool = False,
        full: bool = False,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> VerifyReport:
        if repair:
            self.require_writable("Repairing the cache")
        report = verify(self, repair=repair, full=full, progress=progress, cancel=cancel)
        log.info(
            "%s the cache: %d files (%d bytes, %d hashed), %d findings",
            "repaired" if repair else "verified",
            report.checked_files,
            report.checked_bytes,
            report.hashed_bytes,
            len(report.findings),
        )
        for finding in report.findings:
            log.info(
                "  %s %s: %s; %s", finding.kind, finding.location, finding.detail, finding.outcome
            )
        return report

    def import_folder(
        self,
        folder: Path,
        model_id: str,
        revision: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Path]:
        shown = importing.import_folder(
            self, folder, model_id, revision, progress=progress, cancel=cancel
        )
        log.info("imported %s as %s at %s: %d files", folder, model_id, revision, len(shown))
        return shown
