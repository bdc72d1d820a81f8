"""An engine asks the hub for each file once: on revision ``main`` every extra fetch would be
another request (the cache revalidates moving revisions by ETag)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from inference_gui.config import Settings
from inference_gui.context import AppContext
from inference_gui.engine import EngineOptions, RunInput
from tests.paths import HUB
from tests.support.http_hub import serve_hub


def test_each_model_file_is_requested_once(tmp_path: Path) -> None:
    options = EngineOptions("text-classification", "tiny/bert-sentiment", "main", "q8")
    with serve_hub(HUB) as server:
        settings = Settings(hub=server.url, cache_dir=tmp_path / "cache", data_dir=tmp_path)
        ctx = AppContext(settings)
        try:
            result = ctx.engines.get(options).run(RunInput.text("I loved it"))
        finally:
            ctx.close()
        gets = Counter(path for method, path, _ in server.requests if method == "GET")
    prefix = "/tiny/bert-sentiment/main/"
    assert result.output
    for name in ("onnx/model_quantized.onnx", "tokenizer_config.json", "tokenizer.json"):
        assert gets[prefix + name] == 1, (name, gets)
