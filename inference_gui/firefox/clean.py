"""Remove a model from a Firefox profile's cache through Firefox's own ModelHub API.

Firefox's model cache is two databases and an OPFS tree that must change together; only Firefox
knows how. So cleaning starts a headless Firefox of our own on the profile (never while another
one runs on it), calls ``ModelHub.deleteModels`` over Marionette, lets it quit, and reads the
profile again to show what went and the bytes freed. The prefs Firefox needs for remote control
are written for that start only: ``user.js`` and ``prefs.js`` are put back as they were.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_gui.firefox.launch import running_firefox
from inference_gui.firefox.profile_cache import ProfileCache, ProfileModel, read_profile_cache
from inference_gui.firefox.snapshot import ProfileError

_DELETE_SCRIPT = """
const [targets] = args;
const { ModelHub } = ChromeUtils.importESModule("chrome://global/content/ml/ModelHub.sys.mjs");
const hub = new ModelHub();
for (const { model, revision } of targets) {
  await hub.deleteModels({ model, revision, deletedBy: "inference-gui" });
}
return (await hub.listModels()).map(m => `${m.name}@${m.revision}`);
"""


@dataclass(frozen=True)
class CleanResult:
    model: str  # as Firefox records it: host/org/name
    revision: str | None
    before: ProfileCache
    after: ProfileCache

    def _files(self, cache: ProfileCache) -> set[tuple[str, str]]:
        return {
            (r.revision, f.path)
            for m in cache.models
            if m.hub_model == self.model
            for r in m.revisions
            if self.revision in (None, r.revision)
            for f in r.files
        }

    @property
    def removed(self) -> list[tuple[str, str]]:
        """(revision, file) pairs that were there before and are gone now."""
        return sorted(self._files(self.before) - self._files(self.after))

    @property
    def remaining(self) -> list[tuple[str, str]]:
        """(revision, file) pairs of the model Firefox kept (files other tasks still use)."""
        return sorted(self._files(self.after))

    @property
    def bytes_freed(self) -> int:
        return self.before.total_size - self.after.total_size

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "revision": self.revision,
            "removed": [{"revision": r, "file": f} for r, f in self.removed],
            "remaining": [{"revision": r, "file": f} for r, f in self.remaining],
            "bytes_before": self.before.total_size,
            "bytes_after": self.after.total_size,
            "bytes_freed": self.bytes_freed,
        }


def find_model(cache: ProfileCache, model: str, revision: str | None) -> ProfileModel:
    """The cached model named ``model`` (``host/org/name`` or ``org/name``) holding ``revision``."""
    found = [m for m in cache.models if model in (m.hub_model, m.model)]
    held = ", ".join(m.hub_model for m in cache.models) or "nothing"
    if not found:
        raise ProfileError(
            f"The Firefox profile {cache.profile} has no model {model} (it holds {held}).",
            "Name one as `inference-gui firefox ls --profile DIR` lists it.",
        )
    if len(found) > 1:
        raise ProfileError(
            f"{model} is cached from several hubs in {cache.profile}: "
            f"{', '.join(m.hub_model for m in found)}.",
            "Name it with its host, e.g. " + found[0].hub_model + ".",
        )
    if revision is not None and revision not in {r.revision for r in found[0].revisions}:
        revisions = ", ".join(r.revision for r in found[0].revisions)
        raise ProfileError(
            f"{found[0].hub_model} has no revision {revision} in {cache.profile} "
            f"(it has {revisions}).",
            "Leave out --revision to remove every revision.",
        )
    return found[0]


def remove_model(
    profile: Path, model: str, revision: str | None = None, *, firefox: str | None = None
) -> CleanResult:
    """Have Firefox delete ``model`` (one ``revision`` or all) from ``profile``'s cache."""
    before = read_profile_cache(profile)
    if before.lock.running is not False:
        raise ProfileError(
            f"Cannot clean {profile}: {before.lock.detail}",
            "Quit that Firefox first; cleaning starts a Firefox of its own on the profile.",
        )
    target = find_model(before, model, revision)
    # One revision at a time: Firefox 140's deleteModels refuses a model without a revision.
    targets = [
        {"model": target.hub_model, "revision": r.revision}
        for r in target.revisions
        if revision in (None, r.revision)
    ]
    with _prefs_restored(Path(profile)), running_firefox(Path(profile), {}, firefox=firefox) as ff:
        ff.run_async(_DELETE_SCRIPT, [targets])
    return CleanResult(target.hub_model, revision, before, read_profile_cache(profile))


@contextlib.contextmanager
def _prefs_restored(profile: Path) -> Iterator[None]:
    """Put ``user.js`` and ``prefs.js`` back as they were once Firefox has quit."""
    saved = {
        name: (profile / name).read_bytes() if (profile / name).exists() else None
        for name in ("user.js", "prefs.js")
    }
    try:
        yield
    finally:
        for name, content in saved.items():
            if content is None:
                (profile / name).unlink(missing_ok=True)
            else:
                (profile / name).write_bytes(content)
        (profile / "MarionetteActivePort").unlink(missing_ok=True)
