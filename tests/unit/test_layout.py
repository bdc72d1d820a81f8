"""The model layout rules: names per dtype, external-data chunks, which files a dtype needs."""

from __future__ import annotations

from dataclasses import dataclass

from inference_gui.layout import (
    candidate_paths,
    describe_gaps,
    dtype_gaps,
    dtype_of,
    dtypes_present,
    external_data_paths,
    graph_files,
    select_dtypes,
)


@dataclass
class Listed:
    path: str


def test_external_data_chunks_are_named_and_belong_to_their_dtype() -> None:
    config = {"transformers.js_config": {"use_external_data_format": {"model_fp16.onnx": 3}}}
    assert graph_files(config, "model", "fp16") == (
        "onnx/model_fp16.onnx",
        "onnx/model_fp16.onnx_data",
        "onnx/model_fp16.onnx_data_1",
        "onnx/model_fp16.onnx_data_2",
    )
    assert graph_files(config, "model", "q8") == ("onnx/model_quantized.onnx",)
    assert {dtype_of(p) for p in graph_files(config, "model", "fp16")} == {"fp16"}
    assert dtype_of("onnx/model.onnx_data_12") == "fp32"
    assert dtype_of("onnx/model.onnx_database") == ""


def test_selecting_a_dtype_leaves_out_the_other_dtypes_chunks() -> None:
    files = [
        Listed(p)
        for p in (
            "config.json",
            "onnx/model.onnx",
            "onnx/model.onnx_data",
            "onnx/model.onnx_data_1",
            "onnx/model_q4.onnx",
        )
    ]
    assert [f.path for f in select_dtypes(files, ["q4"])] == ["config.json", "onnx/model_q4.onnx"]
    assert select_dtypes(files, []) == files


def test_probed_names_cover_every_base_and_dtype_once() -> None:
    paths = candidate_paths()
    assert len(paths) == len(set(paths))
    assert "onnx/decoder_model_merged_q4f16.onnx" in paths
    assert "onnx/encoder_model_quantized.onnx_data" in paths
    assert external_data_paths("onnx/x.onnx", 0) == ()


def _listing(*paths: str) -> list[Listed]:
    return [Listed(p) for p in ("config.json", *paths)]


def test_a_dtype_needs_every_graph_the_model_loads() -> None:
    """An encoder at q4 without its merged decoder at q4 cannot run at q4; un-merged decoder
    names and other graphs do not count; a dtype with no file at all lacks the model graph."""
    files = _listing(
        "onnx/encoder_model.onnx",
        "onnx/decoder_model_merged.onnx",
        "onnx/encoder_model_q4.onnx",
        "onnx/decoder_model_q4.onnx",  # not the name Transformers.js loads
        "onnx/encoder_model_quantized.onnx",
        "onnx/decoder_model_merged_quantized.onnx",
    )
    assert dtypes_present(files) == {"fp32", "q8"}
    gaps = dtype_gaps(files, ["q8", "q4", "fp16"])
    assert gaps == {
        "q4": ("onnx/decoder_model_merged_q4.onnx",),
        "fp16": ("onnx/encoder_model_fp16.onnx", "onnx/decoder_model_merged_fp16.onnx"),
    }
    assert describe_gaps(gaps).startswith("q4: onnx/decoder_model_merged_q4.onnx; fp16: ")
    single = _listing("onnx/model.onnx", "onnx/model.onnx_data", "onnx/model_q4.onnx")
    assert dtype_gaps(single, ["fp32", "q4", "int8"]) == {"int8": ("onnx/model_int8.onnx",)}
    other = _listing("onnx/vision_encoder_q4.onnx")  # graphs Transformers.js names otherwise
    assert dtype_gaps(other, ["q4"]) == {} and dtypes_present(other) == {"q4"}
    assert dtype_gaps(_listing(), ["q8"]) == {"q8": ("onnx/model_quantized.onnx",)}
