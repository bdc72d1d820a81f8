"""Listing, deleting, evicting, verifying and importing through the one core API."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from inference_gui.cache import IMPORTED_HUB, ModelCache
from inference_gui.cache.core import LOCK_STRIPES
from inference_gui.cache.importing import import_hf_revision, scan_hf_cache
from inference_gui.errors import CacheError
from inference_gui.hub import Hub
from tests.paths import HUB

SENTIMENT = HUB / "tiny" / "bert-sentiment"
FILES = ("config.json", "onnx/model_quantized.onnx", "tokenizer.json")


@pytest.fixture
def cache(tmp_path):
    opened = ModelCache(tmp_path / "cache", 10**9)
    yield opened
    opened.close()


def fill(cache: ModelCache) -> Hub:
    """bert-sentiment v1.0.0 and main are byte-identical: the same content in two revisions."""
    hub = Hub(HUB)
    for path in FILES:
        cache.fetch(hub, "tiny/bert-sentiment", "v1.0.0", path, used_by="feature:tiny-sentiment")
        cache.fetch(hub, "tiny/bert-sentiment", "main", path, used_by="task:text-classification")
    cache.fetch(hub, "tiny/bert-embed", "v1.0.0", "config.json", used_by="feature:tiny-embed")
    return hub


def size_of(*paths: Path) -> int:
    return sum(p.stat().st_size for p in paths)


def test_identical_files_in_two_revisions_are_stored_once_and_listed_twice(cache) -> None:
    fill(cache)
    tree = cache.tree()
    sentiment = next(m for m in tree.models if m.model == "tiny/bert-sentiment")
    assert [r.revision for r in sentiment.revisions] == ["main", "v1.0.0"]
    one_revision = size_of(*(SENTIMENT / "v1.0.0" / p for p in FILES))
    assert [r.size for r in sentiment.revisions] == [one_revision, one_revision]
    assert tree.total_size == one_revision + size_of(HUB / "tiny/bert-embed/v1.0.0/config.json")
    assert len(list(cache.blobs.blobs.iterdir())) == len(FILES) + 1
    assert {f.dtype for f in sentiment.revisions[0].files} == {"", "q8"}
    shown = cache.blobs.file_path(
        Hub(HUB).key, "tiny/bert-sentiment", "main", "onnx/model_quantized.onnx"
    )
    assert os.path.samefile(shown, cache.blobs.blob(hashlib.sha256(shown.read_bytes()).hexdigest()))


def test_json_listing_has_the_documented_shape(cache) -> None:
    fill(cache)
    data = cache.tree().to_json()
    assert set(data) == {"total_size", "models"}
    model = data["models"][0]
    assert set(model) == {"hub", "model", "revisions"}
    assert set(model["revisions"][0]) == {
        "revision",
        "size",
        "last_used_by",
        "incomplete",
        "missing_files",
        "files",
    }
    assert set(model["revisions"][0]["files"][0]) == {
        "path",
        "size",
        "sha256",
        "dtype",
        "last_used",
        "downloaded_at",
        "last_used_by",
        "shared",
    }


def test_deleting_a_revision_whose_bytes_another_uses_frees_nothing(cache) -> None:
    hub = fill(cache)
    plan = cache.plan_delete(model="tiny/bert-sentiment", revision="main")
    assert len(plan.remove) == len(FILES) and plan.freed_bytes == 0
    assert [kept.revision for _, kept in plan.shared] == ["v1.0.0"] * len(FILES)
    assert plan.why_nothing_freed() == (
        f"{len(FILES)} of the {len(FILES)} files share their bytes with entries that stay "
        "(tiny/bert-sentiment v1.0.0), so those bytes are not freed"
    )
    models = {m["model"]: m for m in cache.tree().to_json()["models"]}
    shared = {f["shared"] for r in models["tiny/bert-sentiment"]["revisions"] for f in r["files"]}
    assert shared == {True} and not models["tiny/bert-embed"]["revisions"][0]["files"][0]["shared"]
    before = cache.total_size()
    done = cache.delete(plan)
    assert done.freed_bytes == 0 and cache.total_size() == before
    assert not cache.has(hub, "tiny/bert-sentiment", "main", "config.json")
    assert cache.has(hub, "tiny/bert-sentiment", "v1.0.0", "config.json")
    assert not cache.blobs.revision_dir(hub.key, "tiny/bert-sentiment", "main").exists()


def test_deleting_the_model_frees_its_bytes_and_dry_run_changes_nothing(cache) -> None:
    fill(cache)
    plan = cache.plan_delete(model="tiny/bert-sentiment")
    expected = size_of(*(SENTIMENT / "v1.0.0" / p for p in FILES))
    assert plan.freed_bytes == expected
    assert len(cache.store.all()) == 2 * len(FILES) + 1  # the plan alone removed nothing
    assert cache.delete(plan).freed_bytes == expected
    assert [m.model for m in cache.tree().models] == ["tiny/bert-embed"]
    assert len(list(cache.blobs.blobs.iterdir())) == 1


def test_deleting_a_feature_keeps_files_others_use_too(cache) -> None:
    hub = fill(cache)
    cache.fetch(hub, "tiny/bert-embed", "v1.0.0", "config.json", used_by="task:feature-extraction")
    plan = cache.plan_delete(used_by="feature:tiny-embed")
    assert plan.remove == () and [r.path for r in plan.unlink] == ["config.json"]
    cache.delete(plan)
    (row,) = [r for r in cache.store.all() if r.model == "tiny/bert-embed"]
    assert row.used_by == ("task:feature-extraction",)
    plan = cache.plan_delete(used_by="feature:tiny-sentiment")
    assert {r.revision for r in plan.remove} == {"v1.0.0"} and plan.freed_bytes == 0


def test_delete_all_empties_the_cache(cache) -> None:
    fill(cache)
    done = cache.delete(cache.plan_delete(everything=True))
    assert done.freed_bytes > 0 and cache.store.all() == [] and cache.total_size() == 0
    assert list(cache.blobs.blobs.iterdir()) == [] and list(cache.blobs.models.iterdir()) == []


def test_a_plan_runs_as_things_stand_when_executed(cache) -> None:
    hub = fill(cache)
    plan = cache.plan_delete(model="tiny/bert-sentiment", revision="main")
    cache.delete(cache.plan_delete(model="tiny/bert-sentiment", revision="v1.0.0"))
    done = cache.delete(plan)  # now main holds the last copies: its bytes are freed
    assert done.freed_bytes == size_of(*(SENTIMENT / "v1.0.0" / p for p in FILES))
    assert cache.has(hub, "tiny/bert-embed", "v1.0.0", "config.json")


def test_evict_takes_only_unreferenced_revisions_unused_for_long_enough(cache) -> None:
    fill(cache)
    old = time.time() - 40 * 86_400
    with cache.store.transaction() as db:
        db.execute(
            "UPDATE files SET last_used = ? WHERE revision = 'main' OR model = 'tiny/bert-embed'",
            (old,),
        )
    plan = cache.plan_evict(30, referenced={("tiny/bert-embed", "v1.0.0")})
    assert {(r.model, r.revision) for r in plan.remove} == {("tiny/bert-sentiment", "main")}
    assert cache.plan_evict(50, referenced=set()).empty


def test_verify_finds_corrupt_missing_orphaned_and_partial_and_repairs(cache) -> None:
    hub = fill(cache)
    rows = {(r.model, r.revision, r.path): r for r in cache.store.all()}
    corrupt = cache.blobs.blob(rows["tiny/bert-embed", "v1.0.0", "config.json"].sha256)
    corrupt.chmod(0o644)
    corrupt.write_bytes(b"tampered")  # in place: its revision-folder links are tampered too
    tokenizer = rows["tiny/bert-sentiment", "v1.0.0", "tokenizer.json"]
    cache.blobs.blob(tokenizer.sha256).unlink()  # its revision-folder links still hold the bytes
    (cache.blobs.blobs / ("0" * 64)).write_bytes(b"stray")
    (cache.blobs.tmp / "0123456789abcdef0123456789abcdef.part").write_bytes(b"half")
    report = cache.verify()
    kinds = sorted(f.kind for f in report.findings)
    assert kinds == ["corrupt", "missing", "orphaned", "partial"]
    assert {f.kind: f.outcome for f in report.findings}["missing"] == "would be restored from it"
    assert (
        not report.repaired and cache.verify().findings == report.findings
    )  # reporting changes nothing
    repaired = cache.verify(repair=True)
    assert repaired.repaired and cache.verify().ok
    assert not cache.has(hub, "tiny/bert-embed", "v1.0.0", "config.json")
    restored = cache.blobs.blob(tokenizer.sha256)  # recovered, not deleted
    assert restored.read_bytes() == (SENTIMENT / "main" / "tokenizer.json").read_bytes()
    assert cache.has(hub, "tiny/bert-sentiment", "main", "tokenizer.json")


def test_verify_relinks_a_missing_revision_folder_copy(cache) -> None:
    hub = fill(cache)
    shown = cache.fetch(hub, "tiny/bert-embed", "v1.0.0", "config.json")
    shown.unlink()
    report = cache.verify(repair=True)
    assert [f.kind for f in report.findings] == ["missing"]
    assert shown.read_bytes() == (HUB / "tiny/bert-embed/v1.0.0/config.json").read_bytes()


def test_import_a_converter_folder_then_fetch_it_from_any_hub_with_no_request(
    cache, tmp_path
) -> None:
    source = HUB / "tiny" / "bert-external" / "v1.0.0"
    paths = cache.import_folder(source, "me/converted", "v1.0.0")
    assert len(paths) == sum(1 for p in source.rglob("*") if p.is_file())
    assert cache.store.all()[0].hub == IMPORTED_HUB
    remote = Hub("https://model-hub.mozilla.org/", offline=True)
    graph = cache.fetch(remote, "me/converted", "v1.0.0", "onnx/model.onnx")
    assert (graph.parent / "model.onnx_data").read_bytes() == (
        source / "onnx/model.onnx_data"
    ).read_bytes()
    source_copy = tmp_path / "edit-me"
    (source_copy / "onnx").mkdir(parents=True)
    (source_copy / "onnx" / "model.onnx").write_bytes(b"v1")
    cache.import_folder(source_copy, "me/edited", "v1.0.0")
    (source_copy / "onnx" / "model.onnx").write_bytes(b"v2")  # editing the source later...
    assert cache.fetch(remote, "me/edited", "v1.0.0", "onnx/model.onnx").read_bytes() == b"v1"


def test_import_refuses_a_folder_bigger_than_the_limit(tmp_path) -> None:
    small = ModelCache(tmp_path / "small", 1000)
    with pytest.raises(CacheError, match="limit"):
        small.import_folder(HUB / "tiny" / "gpt2" / "v1.0.0", "me/gpt2", "v1.0.0")
    assert small.store.all() == [] and list(small.blobs.blobs.iterdir()) == []
    small.close()


def make_hf_cache(
    root: Path, repo: str, commit: str, files: dict[str, bytes], ref: str = "main"
) -> None:
    """The layout huggingface_hub writes: blobs, snapshots of relative symlinks, refs."""
    folder = root / ("models--" + repo.replace("/", "--"))
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / ref).write_text(commit)
    for name, data in files.items():
        blob = folder / "blobs" / hashlib.sha256(data).hexdigest()
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(data)
        link = folder / "snapshots" / commit / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))


def test_models_in_the_users_hugging_face_cache_import_without_download(cache, tmp_path) -> None:
    hf = tmp_path / "hf"
    make_hf_cache(hf, "acme/tiny", "a" * 40, {"config.json": b"{}", "onnx/model.onnx": b"graph"})
    make_hf_cache(
        hf, "plainname", "b" * 40, {"config.json": b"{}"}
    )  # no org: not usable by the app
    (found,) = scan_hf_cache(hf)
    assert (found.model, found.revision, found.commit) == ("acme/tiny", "main", "a" * 40)
    import_hf_revision(cache, found)
    hub = Hub("https://huggingface.co", "{model}/resolve/{revision}", offline=True)
    assert cache.fetch(hub, "acme/tiny", "main", "onnx/model.onnx").read_bytes() == b"graph"
    assert scan_hf_cache(tmp_path / "no-such-cache") == []


def test_offline_mode_still_reads_a_local_folder_hub(tmp_path) -> None:
    """Offline means no network; a designer demoing from a local hub folder must still run."""
    from tests.paths import HUB

    cache = ModelCache(tmp_path / "cache", 1 << 30)
    hub = Hub(str(HUB), offline=True)
    path = cache.fetch(hub, "tiny/bert-embed", "v1.0.0", "config.json", offline=True)
    assert path.read_bytes() == (HUB / "tiny/bert-embed/v1.0.0/config.json").read_bytes()


def test_importing_a_file_instead_of_a_folder_says_so(tmp_path) -> None:
    cache = ModelCache(tmp_path / "cache", 1 << 30)
    readme = tmp_path / "README.md"
    readme.write_text("not a model")
    with pytest.raises(CacheError, match="is a file, not a folder"):
        cache.import_folder(readme, "me/model", "v1.0.0")


def test_evict_incomplete_leaves_a_download_being_written(cache: ModelCache) -> None:
    busy = cache.part_path("hub", "org/m", "v1", "onnx/model.onnx")
    idle = cache.part_path("hub", "org/m", "v1", "config.json")
    for part in (busy, idle):
        part.write_bytes(b"z" * 10)
    assert len({int(p.stem[:8], 16) % LOCK_STRIPES for p in (busy, idle)}) == 2  # own locks
    with cache.download_lock(busy):
        found = cache.evict_incomplete(dry_run=False)
    assert busy.exists()
    assert [f.path for f in found] == [idle] and not idle.exists()


def test_a_delete_forgets_what_repair_removed_once_the_revision_is_gone(cache: ModelCache) -> None:
    fill(cache)
    listed = cache.store.select(model="tiny/bert-embed")
    rows = [replace(r, path="onnx/gone.onnx") for r in listed]  # its config.json is still listed
    with cache.store.transaction() as db:
        cache.store.mark_removed(db, [*rows, *listed], "test")  # a listed file is not missing
    assert [m.path for m in cache.store.removed()] == ["onnx/gone.onnx"]
    cache.delete(cache.plan_delete(model="tiny/bert-embed"))
    assert cache.store.removed() == []
    with cache.store.transaction() as db:
        cache.store.mark_removed(db, rows, "test")  # no file of that revision left: not kept
    assert cache.store.removed() == []
