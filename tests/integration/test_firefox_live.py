"""A real headless Firefox fills a fresh profile's model cache; we read it back, byte for byte.

Optional: skipped when no Firefox is installed (apt-get install firefox-esr). One Firefox start,
a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inference_gui.firefox.launch import find_firefox
from inference_gui.firefox.marionette import FirefoxError
from inference_gui.firefox.profile_cache import read_profile_cache
from tests.paths import HUB
from tests.support.firefox_profile import FETCHES, populate


def _firefox_missing() -> str | None:
    try:
        find_firefox()
    except FirefoxError as error:
        return str(error)
    return None


pytestmark = pytest.mark.skipif(
    _firefox_missing() is not None, reason=f"needs Firefox: {_firefox_missing()}"
)


def test_what_firefox_cached_is_what_we_list(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    sizes = populate(profile)
    assert sizes == [(HUB / f.model / f.revision / f.file).stat().st_size for f in FETCHES]

    cache = read_profile_cache(profile)
    assert cache.lock.running is False  # Firefox has quit
    assert cache.db_version in (6, 7)
    listed = {
        (m.model, r.revision, f.path): f for m in cache.models for r in m.revisions for f in r.files
    }
    assert set(listed) == {(f.model, f.revision, f.file) for f in FETCHES}
    assert {m.host for m in cache.models} == {"localhost"}
    for (model, revision, path), f in listed.items():
        assert f.bytes_path is not None
        assert f.bytes_path.read_bytes() == (HUB / model / revision / path).read_bytes()
    engines = {key: f.engines for key, f in listed.items()}
    assert engines[("tiny/bert-sentiment", "v1.0.0", "config.json")] == (
        "fixture-sentiment",
        "fixture-zero-shot",
    )
