"""Which files a revision has, with sizes: local folder, Hugging Face API, Mozilla-style probing."""

from __future__ import annotations

import re

import pytest

from inference_gui.errors import HubError
from inference_gui.hub import Hub
from tests.paths import HUB
from tests.support.http_hub import serve_hub

T5 = HUB / "tiny" / "t5" / "v1.0.0"


def folder_listing(folder) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*") if p.is_file()
    }


def test_local_folder_lists_every_file() -> None:
    listed = {f.path: f.size for f in Hub(HUB).list_files("tiny/t5", "v1.0.0")}
    assert listed == folder_listing(T5)


def test_huggingface_listing_uses_the_hub_api() -> None:
    with serve_hub(HUB) as server:
        hub = Hub(server.url, "{model}/resolve/{revision}")
        listed = {f.path: f.size for f in hub.list_files("tiny/t5", "v1.0.0")}
        assert any(
            path.startswith("/api/models/tiny/t5/tree/v1.0.0") for _, path, _ in server.requests
        )
        with pytest.raises(HubError, match="no revision v9.9.9"):
            hub.list_files("tiny/t5", "v9.9.9")
    assert listed == folder_listing(T5)


def test_mozilla_style_hub_is_probed_for_transformers_js_file_names() -> None:
    # Files Transformers.js may ask for: configs, tokenizers, and onnx/<base><suffix>.onnx(_data).
    known = re.compile(
        r"^((generation_|preprocessor_|tokenizer_)?config|tokenizer|special_tokens_map)\.json$"
        r"|^onnx/(model|encoder_model|decoder_model_merged)"
        r"(_fp16|_quantized|_int8|_uint8|_q4|_q4f16|_bnb4)?\.onnx(_data)?$"
    )
    for model in ("tiny/t5", "tiny/bert-external"):
        folder = HUB / model / "v1.0.0"
        expected = {p: s for p, s in folder_listing(folder).items() if known.match(p)}
        with serve_hub(HUB) as server:
            listed = {f.path: f.size for f in Hub(server.url).list_files(model, "v1.0.0")}
            assert {m for m, _, _ in server.requests} == {"HEAD"}
        assert listed == expected


def test_probing_an_unknown_model_says_nothing_was_found() -> None:
    with (
        serve_hub(HUB) as server,
        pytest.raises(HubError, match="No model files were found for tiny/none"),
    ):
        Hub(server.url).list_files("tiny/none", "v1.0.0")


def test_offline_listing_makes_no_request() -> None:
    with serve_hub(HUB) as server:
        with pytest.raises(HubError, match="Offline mode"):
            Hub(server.url, offline=True).list_files("tiny/t5", "v1.0.0")
        assert server.requests == []
