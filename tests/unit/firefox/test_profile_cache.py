"""Reading a captured Firefox profile's model cache: listing, safety, lock, verification."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from inference_gui.cache.model_cache import ModelCache
from inference_gui.firefox.lock import profile_lock
from inference_gui.firefox.opfs import FS_FOLDER
from inference_gui.firefox.profile_cache import read_profile_cache
from inference_gui.firefox.snapshot import ProfileError, copy_database, query
from inference_gui.firefox.verify import cache_reference, hub_reference, verify_profile
from inference_gui.hub import Hub
from tests.paths import FIXTURES, HUB
from tests.support.firefox_profile import FETCHES

PROFILE = FIXTURES / "firefox-profile"


def tree_state(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder`` with its mtime and hash, to prove nothing was written."""
    return {
        str(p.relative_to(folder)): (
            p.stat().st_mtime_ns,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    """A private copy of the captured profile, free to damage."""
    return Path(shutil.copytree(PROFILE, tmp_path / "profile"))


def test_listing_matches_what_firefox_was_asked_to_cache() -> None:
    before = tree_state(PROFILE)
    cache = read_profile_cache(PROFILE)
    assert tree_state(PROFILE) == before  # read from copies only

    listed = {
        (m.model, r.revision, f.path) for m in cache.models for r in m.revisions for f in r.files
    }
    assert listed == {(f.model, f.revision, f.file) for f in FETCHES}
    assert {m.hub_model for m in cache.models} == {
        "localhost/tiny/bert-embed",
        "localhost/tiny/bert-sentiment",
    }
    for model in cache.models:
        for revision in model.revisions:
            for f in revision.files:
                served = HUB / model.model / revision.revision / f.path
                assert f.size == f.size_on_disk == served.stat().st_size
                assert f.bytes_path is not None and f.bytes_path.read_bytes() == served.read_bytes()
                assert f.last_used is not None and f.last_updated is not None
    assert cache.total_size == sum((HUB / m / r / p).stat().st_size for m, r, p in listed)
    sentiment = next(m for m in cache.models if m.model == "tiny/bert-sentiment")
    assert [r.revision for r in sentiment.revisions] == ["main", "v1.0.0"]
    config = next(f for f in sentiment.revisions[1].files if f.path == "config.json")
    assert config.tasks == ("text-classification", "zero-shot-classification")
    assert config.engines == ("fixture-sentiment", "fixture-zero-shot")
    # Firefox 140's reuse of a cached file leaves a host-less, header-less record: kept apart.
    assert cache.stray_records == (("tiny/bert-sentiment", "v1.0.0", "config.json"),)
    assert cache.db_version == 6 and not cache.warnings and not cache.unrecorded


def test_json_listing_has_totals_and_per_file_uses() -> None:
    data = read_profile_cache(PROFILE).to_json()
    assert data["total_files"] == len(FETCHES) - 1  # one file fetched by two engines
    assert data["firefox_running"] is False
    files = [f for m in data["models"] for r in m["revisions"] for f in r["files"]]
    assert all(f["tasks"] and f["engines"] and not f["missing"] for f in files)


def test_an_opfs_file_that_is_a_symlink_out_of_the_profile_is_not_followed(
    profile: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"secret" * 100)
    victim = next(p for p in (profile / FS_FOLDER).glob("??/*") if p.stat().st_size == 13532)
    victim.unlink()
    victim.symlink_to(outside)
    cache = read_profile_cache(profile)
    tokenizer = next(f for f in cache.files if f.path == "tokenizer.json")
    assert tokenizer.missing and tokenizer.bytes_path is None
    checks = verify_profile(cache, hub_reference(Hub(str(HUB))))
    assert [c.status for c in checks if c.path == "tokenizer.json"] == ["missing"]


def test_verify_against_the_hub_finds_a_changed_byte(profile: Path) -> None:
    hub = hub_reference(Hub(str(HUB)))
    assert {c.status for c in verify_profile(read_profile_cache(profile), hub)} == {"ok"}
    onnx = next(p for p in (profile / FS_FOLDER).glob("??/*") if p.stat().st_size == 203489)
    data = bytearray(onnx.read_bytes())
    data[1000] ^= 0xFF
    onnx.write_bytes(bytes(data))
    statuses = {c.path: c.status for c in verify_profile(read_profile_cache(profile), hub)}
    assert statuses["onnx/model_quantized.onnx"] == "differs"
    assert statuses["tokenizer.json"] == "ok"


def test_verify_against_our_cache_knows_only_what_it_holds(tmp_path: Path) -> None:
    ours = ModelCache(tmp_path / "cache", 1 << 30)
    try:
        ours.import_folder(HUB / "tiny/bert-sentiment/v1.0.0", "tiny/bert-sentiment", "v1.0.0")
        checks = verify_profile(read_profile_cache(PROFILE), cache_reference(ours))
    finally:
        ours.close()
    by_key = {(c.model, c.revision, c.path): c.status for c in checks}
    assert by_key[("localhost/tiny/bert-sentiment", "v1.0.0", "onnx/model_quantized.onnx")] == "ok"
    assert by_key[("localhost/tiny/bert-sentiment", "main", "config.json")] == "unknown"
    assert by_key[("localhost/tiny/bert-embed", "v1.1.0", "config.json")] == "unknown"


def test_a_copy_includes_writes_still_in_the_wal(tmp_path: Path) -> None:
    source = tmp_path / "live" / "db.sqlite"
    source.parent.mkdir()
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (v TEXT)")
    writer.execute("INSERT INTO t VALUES ('only in the wal')")
    writer.commit()  # the connection stays open, as Firefox's would: no checkpoint
    try:
        wal_before = (source.parent / "db.sqlite-wal").read_bytes()
        assert wal_before
        copy = copy_database(source, tmp_path)
        assert query(copy, "SELECT v FROM t") == [("only in the wal",)]
        assert (source.parent / "db.sqlite-wal").read_bytes() == wal_before
    finally:
        writer.close()


def test_not_a_profile_and_a_damaged_database_give_one_clear_error(
    profile: Path, tmp_path: Path
) -> None:
    with pytest.raises(ProfileError, match="does not look like a Firefox profile"):
        read_profile_cache(tmp_path)
    with pytest.raises(ProfileError, match="does not exist"):
        read_profile_cache(tmp_path / "nowhere")
    metadata = profile / FS_FOLDER / "metadata.sqlite"
    metadata.write_bytes(b"garbage" * 1000)
    with pytest.raises(ProfileError, match="metadata.sqlite"):
        read_profile_cache(profile)


def test_an_empty_profile_has_an_empty_model_cache(tmp_path: Path) -> None:
    (tmp_path / "prefs.js").write_text("")
    cache = read_profile_cache(tmp_path)
    assert cache.models == () and cache.db_version is None and cache.total_size == 0


@pytest.mark.skipif(sys.platform != "linux", reason="the lock symlink and comm names are Linux's")
def test_lock_detection_tells_running_stale_and_unknown(tmp_path: Path) -> None:
    assert profile_lock(tmp_path).running is False
    fake = tmp_path / "bin" / "firefox"
    fake.parent.mkdir()
    fake.symlink_to(shutil.which("sleep"))
    process = subprocess.Popen([str(fake), "30"])
    try:
        (tmp_path / "lock").symlink_to(f"127.0.0.1:+{process.pid}")
        state = profile_lock(tmp_path)
        assert state.running is True and str(process.pid) in state.detail
    finally:
        process.kill()
        process.wait()
    assert profile_lock(tmp_path).running is False  # the pid is gone: a stale lock
    (tmp_path / "lock").unlink()
    (tmp_path / "parent.lock").write_text("")
    assert profile_lock(tmp_path).running is None
    os.remove(tmp_path / "parent.lock")


def test_the_database_copies_are_the_only_sqlite_files_opened(profile: Path) -> None:
    """A database locked exclusively (as a writing Firefox might) is still read, from its copy."""
    idb = next((profile / "storage/permanent/chrome/idb").glob("*.sqlite"))
    with closing(sqlite3.connect(idb, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        cache = read_profile_cache(profile)
        holder.execute("ROLLBACK")
    assert len(cache.files) == len(FETCHES) - 1
