"""Path-escape attempts (model id, revision, file path, redirects) are refused, writing nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inference_gui.cache import ModelCache
from inference_gui.cache.download import Retry
from inference_gui.errors import HubError
from inference_gui.hub import Hub
from tests.paths import HUB
from tests.support.http_hub import serve_hub

GOOD = ("tiny/bert-embed", "v1.0.0", "config.json")


def files_under(root: Path) -> set[str]:
    return {
        str(Path(folder, name).relative_to(root))
        for folder, _, names in os.walk(root)
        for name in names
        if not name.endswith(".lock") and not name.startswith("index.sqlite")
    }


@pytest.mark.parametrize(
    "model, revision, path",
    [
        ("../../etc", "v1.0.0", "config.json"),
        ("tiny/..", "v1.0.0", "config.json"),
        ("tiny/bert-embed", "../../..", "config.json"),
        ("tiny/bert-embed", "v1.0.0/../../x", "config.json"),
        ("tiny/bert-embed", "v1.0.0", "../../../outside.json"),
        ("tiny/bert-embed", "v1.0.0", "/etc/passwd"),
        ("tiny/bert-embed", "v1.0.0", "onnx\\..\\..\\x"),
    ],
)
def test_escaping_names_are_refused_before_any_request(tmp_path, model, revision, path) -> None:
    cache = ModelCache(tmp_path / "cache", 10**9)
    with serve_hub(HUB) as server:
        with pytest.raises(HubError):
            cache.fetch(Hub(server.url), model, revision, path)
        assert server.requests == []
    assert files_under(tmp_path / "cache") == set()
    assert not (tmp_path / "outside.json").exists()
    cache.close()


def test_redirects_are_followed_only_while_they_stay_within_the_rules(tmp_path) -> None:
    cache = ModelCache(tmp_path / "cache", 10**9, retry=Retry(attempts=1))
    with serve_hub(HUB) as server:
        hub = Hub(server.url)
        server.redirect(
            "/tiny/bert-embed/v1.0.0/config.json", "/tiny/bert-embed/v1.1.0/config.json"
        )
        assert (
            cache.fetch(hub, *GOOD).read_bytes()
            == (HUB / "tiny/bert-embed/v1.1.0/config.json").read_bytes()
        )
        refused = {
            "vocab.txt": "http://evil.example/vocab.txt",  # plain http, remote host
            "tokenizer.json": "/tiny/../../../etc/passwd",  # climbs out
            "tokenizer_config.json": "http://user:pw@127.0.0.1/x",  # credentials
            "special_tokens_map.json": "file:///etc/passwd",  # another scheme
        }
        for name, location in refused.items():
            server.redirect(f"/tiny/bert-embed/v1.0.0/{name}", location)
            with pytest.raises(HubError, match="redirect|http"):
                cache.fetch(hub, "tiny/bert-embed", "v1.0.0", name)
    assert [r.path for r in cache.store.all()] == ["config.json"]
    assert files_under(tmp_path / "cache") - {f"blobs/{cache.store.all()[0].sha256}"} == {
        f"models/{hub.key}/tiny/bert-embed/v1.0.0/config.json"
    }
    cache.close()
