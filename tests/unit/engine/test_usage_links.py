"""Engines fetching through the cache record who uses each file, as Firefox's cache does."""

from __future__ import annotations

from pathlib import Path

from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.options import EngineOptions
from tests.paths import HUB


def test_files_fetched_for_a_feature_or_a_task_are_linked_to_it(tmp_path: Path) -> None:
    settings, problems = load_settings(
        {}, env={}, flags={"hub": str(HUB), "cache_dir": str(tmp_path / "c")}
    )
    assert problems == []
    ctx = AppContext(settings)
    try:
        feature = EngineOptions(
            task="feature-extraction",
            model_id="tiny/bert-embed",
            revision="v1.0.0",
            dtype="q8",
            feature_id="tiny-embed",
        )
        ctx.engines.get(feature).run(RunInput.text("hello"))
        by_task = EngineOptions(
            task="text-classification",
            model_id="tiny/bert-sentiment",
            revision="v1.0.0",
            dtype="q8",
        )
        ctx.engines.get(by_task).run(RunInput.text("hello"))

        used = {
            (m.model, f.path): f.used_by
            for m in ctx.cache.tree().models
            for r in m.revisions
            for f in r.files
        }
    finally:
        ctx.close()
    assert used[("tiny/bert-embed", "onnx/model_quantized.onnx")] == ("feature:tiny-embed",)
    assert used[("tiny/bert-sentiment", "tokenizer.json")] == ("task:text-classification",)
