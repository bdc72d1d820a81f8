"""Demo packs: features and examples prepared on a connected machine, run on one with no network.

A pack is a zip holding ``manifest.json`` (format and version, the records the features resolved
to, the examples, and every model file with its size and SHA-256) and the files themselves under
``files/<model>/<revision>/<path>``. Examples are the app's own (by name, their full definition in
the manifest), so their sample images and clips come with the app. Export loads each feature's and
example's engine first, so everything a run reads is in the cache, then copies it.

Import trusts nothing in the zip: names are checked as hub names (no absolute paths, no ``..``, no
symlink entries), every file is hashed while it is extracted into the cache's own temporary folder
and the whole pack is refused on the first mismatch, before anything is installed. Files then enter
the cache through its one atomic path (:meth:`CacheCore.add`), and the records go to the pack
records layer (:mod:`inference_gui.records.pack_layer`), which wins over the records source for
those features, so ``run --feature F --offline`` finds what it needs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import stat
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from inference_gui import __version__
from inference_gui.errors import AppError, bounded
from inference_gui.hub.names import check_names
from inference_gui.jobs import Progress, ProgressCallback
from inference_gui.records import INFERENCE_OPTIONS
from inference_gui.records.pack_layer import PackRecords
from inference_gui.run_service import RunPlan, RunRequest
from inference_gui.status import needed_files
from inference_gui.vocab import DTYPES

if TYPE_CHECKING:
    from inference_gui.context import AppContext

PACK_FORMAT = "inference-gui-pack"
PACK_VERSION = 1
MANIFEST = "manifest.json"
PHASE_PACK = "packing"
CHUNK = 1 << 20


class PackError(AppError):
    """A pack that cannot be written or read, said in one line with what to do."""


@dataclass(frozen=True)
class PackSummary:
    """What a pack holds (or what an import installed)."""

    path: Path
    features: tuple[str, ...]
    examples: tuple[str, ...]
    files: int
    bytes: int
    dtypes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": str(self.path),
            "features": list(self.features),
            "examples": list(self.examples),
            "dtypes": list(self.dtypes),
            "files": self.files,
            "bytes": self.bytes,
        }


# -- export ------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _cached_files(ctx: AppContext, plan: RunPlan) -> list[dict[str, Any]]:
    """Load the plan's engine (fetching what is missing) and list every file it read."""
    engine = ctx.runs.engine(plan, fresh=True)
    engine.load()
    engine.unload()
    found = []
    for model, revision, path in needed_files(ctx, plan.options):
        row = ctx.cache.store.find(ctx.hub.key, model, revision, path)
        if row is not None:
            found.append(
                {
                    "model": model,
                    "revision": revision,
                    "path": path,
                    "size": row.size,
                    "sha256": row.sha256,
                }
            )
    return found


def export_pack(
    ctx: AppContext,
    out: Path,
    features: Sequence[str],
    examples: Sequence[str] = (),
    progress: ProgressCallback | None = None,
    *,
    dtypes: Sequence[str] = (),
) -> PackSummary:
    """Write ``out``: the features' records, the examples, and every model file they load.

    Each feature and example gets the files of the dtype its plan names, and of every one of
    ``dtypes`` too (so ``run --dtype D --offline`` and a comparison at D also work). An example
    that shows a feature brings the feature's record, so it runs the same revision offline.
    """
    from inference_gui.engine.workloads import example as find_example

    if not features and not examples:
        raise PackError("A pack needs a feature or an example.", "Give --feature F or --example E.")
    unknown = [d for d in dtypes if d not in DTYPES]
    if unknown:
        raise PackError(f"Unknown dtype {unknown[0]!r}.", f"Use one of: {', '.join(DTYPES)}.")
    records = ctx.records.load(INFERENCE_OPTIONS)
    by_id = {str(r.get("id")): r for r in records.usable()}
    files: dict[tuple[str, str, str], dict[str, Any]] = {}
    chosen_records: dict[str, Any] = {}
    plans = [ctx.runs.plan(RunRequest(feature=feature)) for feature in features]
    chosen_examples = []
    for name in examples:
        chosen = find_example(name)
        plans.append(ctx.runs.example_plan(chosen))
        chosen_examples.append(dataclasses.asdict(chosen))
    for plan in plans:
        if plan.record_id in by_id:
            chosen_records[str(plan.record_id)] = by_id[str(plan.record_id)]
        for each in [plan, *(plan.edited(dtype=d) for d in dtypes)]:
            for f in _cached_files(ctx, each):
                files[(f["model"], f["revision"], f["path"])] = f
    manifest = {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "app_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "records": list(chosen_records.values()),
        "features": list(features),
        "examples": chosen_examples,
        "dtypes": list(dtypes),
        "files": list(files.values()),
    }
    total = sum(f["size"] for f in files.values())
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    done = 0
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as pack:
        pack.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        for f in files.values():  # blobs are named by their hash, listed from the index above
            pack.write(ctx.cache.blobs.blob(f["sha256"]), _member(f))
            done += f["size"]
            if progress is not None:
                progress(Progress(PHASE_PACK, done, total, "B", f["path"]))
    partial.replace(out)  # a reader never sees half a pack
    return PackSummary(out, tuple(features), tuple(examples), len(files), total, tuple(dtypes))


def _member(f: dict[str, Any]) -> str:
    return f"files/{f['model']}/{f['revision']}/{f['path']}"


# -- import ------------------------------------------------------------------------------------
def _read_manifest(pack: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(pack.read(MANIFEST))
    except KeyError:
        raise PackError(f"{path} is not a demo pack: it has no {MANIFEST}.", "") from None
    except ValueError as exc:
        raise PackError(f"{path}'s {MANIFEST} is not valid JSON ({exc}).", "") from None
    if not isinstance(manifest, dict) or manifest.get("format") != PACK_FORMAT:
        raise PackError(f"{path} is not a demo pack of this app.", "Export one with 'pack export'.")
    if manifest.get("version") != PACK_VERSION:
        raise PackError(
            f"{path} is a version {manifest.get('version')!r} pack; this app reads version "
            f"{PACK_VERSION}.",
            "Export it again with this version of the app.",
        )
    return manifest


def _check_entry(info: zipfile.ZipInfo, path: Path) -> None:
    """Refuse entries that could land outside their folder: absolute, ``..``, symlinks."""
    name = info.filename
    mode = info.external_attr >> 16
    parts = PurePosixPath(name).parts
    if name.startswith(("/", "\\")) or "\\" in name or ".." in parts or stat.S_ISLNK(mode):
        raise PackError(
            f"{path} holds the entry {name!r}, which would land outside its folder.",
            "Do not import this pack; export it again from a trusted machine.",
        )


def _file_entries(manifest: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    """The manifest's file list, each entry's fields checked (names as the hub's are)."""
    entries = manifest.get("files", [])
    if not isinstance(entries, list):
        entries = [entries]
    for f in entries:
        ok = (
            isinstance(f, dict)
            and all(isinstance(f.get(k), str) for k in ("model", "revision", "path", "sha256"))
            and isinstance(f.get("size"), int)
            and f["size"] >= 0
            and re.fullmatch("[0-9a-f]{64}", f["sha256"]) is not None
        )
        if not ok:
            raise PackError(
                f"{path}'s manifest has a malformed file entry ({bounded(f)}).",
                "Export the pack again.",
            )
        check_names(f["model"], f["revision"], f["path"])
    return entries


def import_pack(
    ctx: AppContext, path: Path, progress: ProgressCallback | None = None
) -> PackSummary:
    """Verify every file of the pack, then install files and records; all or nothing."""
    ctx.cache.require_writable(f"Importing the pack {path.name}")
    try:
        pack = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackError(f"{path} cannot be read as a zip ({exc}).", "Check the file.") from None
    staged: list[tuple[dict[str, Any], Path]] = []
    try:
        with pack:
            for info in pack.infolist():
                _check_entry(info, path)
            manifest = _read_manifest(pack, path)
            entries = _file_entries(manifest, path)
            total = sum(int(f["size"]) for f in entries)
            done = 0
            for f in entries:
                staged.append((f, _extract_verified(ctx, pack, f, path)))
                done += int(f["size"])
                if progress is not None:
                    progress(Progress(PHASE_PACK, done, total, "B", str(f["path"])))
        for f, temp in staged:  # every hash held: install
            ctx.cache.add(
                ctx.hub.key,
                str(f["model"]),
                str(f["revision"]),
                str(f["path"]),
                temp,
                sha256=str(f["sha256"]),
                size=int(f["size"]),
            )
        staged.clear()
        PackRecords(ctx.settings.data_dir).install(manifest.get("records") or [])
        ctx.records.forget()
    finally:
        for _, temp in staged:
            temp.unlink(missing_ok=True)
    examples = manifest.get("examples") or ()
    return PackSummary(
        path,
        tuple(str(name) for name in manifest.get("features") or ()),
        tuple(str(e.get("name", "")) for e in examples if isinstance(e, dict)),
        len(entries),
        total,
        tuple(str(d) for d in manifest.get("dtypes") or ()),
    )


def _extract_verified(
    ctx: AppContext, pack: zipfile.ZipFile, f: dict[str, Any], path: Path
) -> Path:
    """The file, extracted into the cache's temporary folder, once its size and hash hold."""
    member = _member(f)
    temp = ctx.cache.blobs.temp_path()
    digest = hashlib.sha256()
    size = 0
    try:
        with pack.open(member) as source, temp.open("wb") as target:
            while (chunk := source.read(CHUNK)) and size <= f["size"]:  # no more than declared
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
    except KeyError:
        temp.unlink(missing_ok=True)
        raise PackError(f"{path} lists {member} but does not hold it.", "Export it again.") from (
            None
        )
    except (zipfile.BadZipFile, OSError) as exc:
        temp.unlink(missing_ok=True)
        raise PackError(f"{path}: {member} cannot be extracted ({exc}).", "") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if size != f["size"] or digest.hexdigest() != f["sha256"]:
        temp.unlink(missing_ok=True)
        raise PackError(
            f"{path}: {member} does not match its SHA-256 in the manifest (the pack was altered "
            "or damaged); nothing was installed.",
            "Export the pack again.",
        )
    return temp
