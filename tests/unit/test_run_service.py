"""The run service's plan: records, local overrides, settings and flags applied once, each value
labelled with where it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from inference_gui.config import Settings
from inference_gui.context import AppContext
from inference_gui.errors import EngineError
from inference_gui.run_service import RunRequest
from tests.paths import HUB, REMOTE_SETTINGS


def context(tmp_path: Path, threads: int = 0, offline: bool = False) -> AppContext:
    return AppContext(
        Settings(
            hub=str(HUB),
            settings_file=str(REMOTE_SETTINGS / "ml-inference-options.json"),
            cache_dir=tmp_path / "cache",
            data_dir=tmp_path / "data",
            threads=threads,
            offline=offline,
        )
    )


def test_a_feature_plan_keeps_helper_ids_and_says_where_each_value_came_from(
    tmp_path: Path,
) -> None:
    ctx = context(tmp_path, threads=2)
    ctx.records.overrides.set("tiny-alt-text", "timeoutMS", 1500)
    plan = ctx.runs.plan(RunRequest(feature="tiny-alt-text", dtype="fp32"))
    o = plan.options
    assert (o.tokenizer_id, o.processor_id, o.processor_revision) == (
        "tiny/vit-gpt2-alt-text",
        "tiny/vit-gpt2-alt-text",
        "v1.0.0",
    )
    assert (o.dtype, o.timeout_ms, o.num_threads) == ("fp32", 1500, 2)
    origins = plan.origins
    assert origins["model_id"] == origins["tokenizer_id"] == "record"
    assert (origins["dtype"], origins["timeout_ms"], origins["num_threads"]) == (
        "flag",
        "override",
        "setting",
    )
    edited = plan.edited(dtype="q8", timeout_ms=1500)
    assert edited.options.tokenizer_id == "tiny/vit-gpt2-alt-text"
    assert (edited.origins["dtype"], edited.origins["timeout_ms"]) == ("flag", "override")
    assert ("tokenizerId", "tiny/vit-gpt2-alt-text", "record") in plan.rows()


def test_a_task_plan_fills_the_rest_from_flags_setting_and_defaults(tmp_path: Path) -> None:
    plan = context(tmp_path).runs.plan(
        RunRequest(task="fill-mask", model="tiny/bert-fill-mask", threads=4)
    )
    assert (plan.options.revision, plan.options.dtype, plan.options.num_threads) == (
        "main",
        "q8",
        4,
    )
    assert [plan.origins[k] for k in ("task", "model_id", "revision", "num_threads")] == [
        "flag",
        "flag",
        "default",
        "flag",
    ]
    assert plan.source_label == "tiny/bert-fill-mask@main"


def test_a_folder_plan_needs_no_model_and_lists_the_folders_dtypes(tmp_path: Path) -> None:
    folder = HUB / "tiny/bert-sentiment/v1.0.0"
    ctx = context(tmp_path)
    plan = ctx.runs.plan(RunRequest(task="text-classification", folder=folder))
    assert plan.source_label == f"folder {folder}"
    choices = ctx.runs.dtype_choices(plan)
    size = (folder / "onnx/model_q4.onnx").stat().st_size
    assert all(c.available for c in choices) and choices[5].size_bytes == size
    with pytest.raises(EngineError, match="needs --model or --folder"):
        ctx.runs.plan(RunRequest(task="audio-classification"))  # no record, no Firefox default


def test_a_task_alone_takes_its_record_else_firefoxs_default_model(tmp_path: Path) -> None:
    """As createEngine({taskName}): the task's record, else DEFAULT_MODELS[taskName]."""
    ctx = context(tmp_path)
    recorded = ctx.runs.plan(RunRequest(task="fill-mask"))
    assert (recorded.options.model_id, recorded.origins["model_id"]) == (
        "tiny/bert-fill-mask",
        "record",
    )
    default = ctx.runs.plan(RunRequest(task="summarization"))
    o = default.options
    assert (o.model_id, o.dtype, o.revision) == ("Xenova/distilbart-cnn-6-6", "q8", "main")
    assert (default.origins["model_id"], default.origins["dtype"]) == ("default", "default")
    assert default.origins["task"] == "flag"
    fp16 = ctx.runs.plan(RunRequest(task="summarization", dtype="fp16"))
    assert (fp16.options.dtype, fp16.origins["dtype"]) == ("fp16", "flag")


def test_offline_a_folder_hub_still_offers_every_dtype(tmp_path: Path) -> None:
    """Offline means no network; the folder hub needs none (the pane said "No quantization is
    available for this model")."""
    ctx = context(tmp_path, offline=True)
    plan = ctx.runs.plan(RunRequest(task="text-classification", model="tiny/bert-sentiment"))
    choices = ctx.runs.dtype_choices(plan)
    assert [c.dtype for c in choices if c.available] == [c.dtype for c in choices]
    assert len(choices) == 8
