"""Missing dtypes produced from fp32 as Transformers.js's quantize step does; external data.

Per dtype (scripts/quantize.py of Transformers.js, with onnxruntime's quantization tools):
fp16 keeps float32 inputs and outputs (``keep_io_types``); q8 is dynamic 8-bit with unsigned
weights when the graph has Conv or attention ops, signed otherwise; int8 / uint8 force the sign;
q4 is MatMulNBits, block 32, symmetric; q4f16 is q4 then fp16; bnb4 is NF4, block 64.
Everything is written into a staging folder first and moved in only when every file succeeded,
so a failure leaves the model folder as it was. ``quantize_config.json`` records the recipe.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import onnx

from inference_gui.check.dtypes import graph_paths
from inference_gui.check.external import references
from inference_gui.check.folder import ModelFolder
from inference_gui.errors import CheckError
from inference_gui.layout import CONFIG, onnx_path, split_onnx_name
from inference_gui.vocab import DTYPES

QUANTIZE_CONFIG = "quantize_config.json"
RECIPE: dict[str, Any] = {
    "per_channel": True,
    "reduce_range": True,
    "block_size": None,  # each 4-bit mode's own: q4 32, bnb4 64
    "is_symmetric": True,
    "accuracy_level": None,
    "quant_type": 1,  # bnb4: NF4
    "op_block_list": None,
}
Q4_BLOCK = 32
BNB4_BLOCK = 64
NF4 = 1
UNSIGNED_OPS = frozenset({"Conv", "Attention", "MultiHeadAttention"})


def _fp16(model: onnx.ModelProto) -> onnx.ModelProto:
    from onnxruntime.transformers.float16 import convert_float_to_float16

    return convert_float_to_float16(model, keep_io_types=True)


def _dynamic(signed: bool | None) -> Callable[[onnx.ModelProto], onnx.ModelProto]:
    """8-bit dynamic quantization; ``signed`` None chooses as q8 does."""

    def quantize(model: onnx.ModelProto) -> onnx.ModelProto:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        ops = {node.op_type for node in model.graph.node}
        is_signed = not (ops & UNSIGNED_OPS) if signed is None else signed
        with tempfile.TemporaryDirectory() as scratch, _quiet_root_logger():
            out = Path(scratch) / "q.onnx"
            quantize_dynamic(
                model,
                out,
                per_channel=RECIPE["per_channel"],
                reduce_range=RECIPE["reduce_range"],
                weight_type=QuantType.QInt8 if is_signed else QuantType.QUInt8,
                extra_options={"EnableSubgraph": True, "MatMulConstBOnly": True},
            )
            return onnx.load(str(out))

    return quantize


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """Silence onnxruntime's advice to pre-process, logged on the root logger at every call.

    The recipe followed is Transformers.js's, which does not pre-process.
    """
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def _q4(model: onnx.ModelProto) -> onnx.ModelProto:
    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
    except ImportError as exc:
        raise CheckError(
            f"q4 needs onnxruntime's 4-bit quantizer, which cannot be imported: {exc}.",
            "Install the extra: pip install 'inference-gui[convert]'.",
        ) from exc
    quantizer = MatMulNBitsQuantizer(model, block_size=Q4_BLOCK, is_symmetric=True)
    quantizer.process()
    return quantizer.model.model


def _bnb4(model: onnx.ModelProto) -> onnx.ModelProto:
    from onnxruntime.quantization.matmul_bnb4_quantizer import MatMulBnb4Quantizer

    quantizer = MatMulBnb4Quantizer(model, NF4, BNB4_BLOCK)
    quantizer.process()
    return quantizer.model.model


QUANTIZERS: dict[str, Callable[[onnx.ModelProto], onnx.ModelProto]] = {
    "fp16": _fp16,
    "q8": _dynamic(None),
    "int8": _dynamic(True),
    "uint8": _dynamic(False),
    "q4": _q4,
    "q4f16": lambda model: _fp16(_q4(model)),
    "bnb4": _bnb4,
}


def convert(folder_path: Path, dtypes: Sequence[str], external_data: bool = False) -> list[str]:
    """Write the missing ``dtypes`` of every graph from its fp32 file.

    With ``external_data``, weights go to ``<file>_data``; with no dtypes, existing graphs are
    moved to external data. Returns the files written; raises CheckError with the folder
    unchanged on any failure.
    """
    folder = ModelFolder(folder_path)
    unknown = [d for d in dtypes if d not in QUANTIZERS]
    if unknown:
        raise CheckError(
            f"Cannot produce {', '.join(unknown)}.", f"Choose from: {', '.join(QUANTIZERS)}."
        )
    graphs = graph_paths(folder)
    bases = sorted({split_onnx_name(p)[0] for p in graphs if split_onnx_name(p)[1] == "fp32"})  # type: ignore[index]
    if not bases:
        raise CheckError(
            f"{folder.root} has no fp32 graph (onnx/<base>.onnx) to convert from.",
            "Export the model to ONNX in fp32 first.",
        )
    jobs: list[tuple[str, Callable[[], onnx.ModelProto]]] = []
    for base in bases:
        source = folder.path(onnx_path(base, "fp32"))
        for dtype in dtypes:
            target = onnx_path(base, dtype)
            if not folder.has(target):
                jobs.append((target, _job(source, QUANTIZERS[dtype])))
        if not dtypes and external_data:
            jobs += [
                (p, _job(folder.path(p), lambda m: m))
                for p in graphs
                if split_onnx_name(p)[0] == base and not references(_header(folder.path(p)))  # type: ignore[index]
            ]
    if not jobs:
        return []
    return _write_all(folder, jobs, dtypes, external_data)


def _header(path: Path) -> onnx.ModelProto:
    return onnx.load(str(path), load_external_data=False)


def _job(
    source: Path, step: Callable[[onnx.ModelProto], onnx.ModelProto]
) -> Callable[[], onnx.ModelProto]:
    return lambda: step(onnx.load(str(source)))


def _write_all(
    folder: ModelFolder,
    jobs: Sequence[tuple[str, Callable[[], onnx.ModelProto]]],
    dtypes: Sequence[str],
    external_data: bool,
) -> list[str]:
    staging = Path(tempfile.mkdtemp(prefix=".converting-", dir=folder.root))
    written: list[str] = []
    try:
        for target, make in jobs:
            name = Path(target).name
            staged = staging / target
            staged.parent.mkdir(parents=True, exist_ok=True)
            for old in staged.parent.glob(f"{name}_data*"):
                old.unlink()
            model = make()
            onnx.save_model(
                model,
                str(staged),
                save_as_external_data=external_data,
                all_tensors_to_one_file=True,
                location=f"{name}_data",
            )
            written += [target] + ([f"{target}_data"] if external_data else [])
        written += _stage_configs(folder, staging, written, dtypes, external_data)
        for relative in written:  # every file is ready: move them in
            os.replace(staging / relative, folder.path(relative))
    except CheckError:
        raise
    except Exception as exc:  # noqa: BLE001 - quantizers raise many unrelated types
        raise CheckError(
            f"Converting {folder.root} failed: {str(exc)[:300] or type(exc).__name__}.",
            "Nothing was changed. Check the fp32 graph first: inference-gui check DIR.",
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _stage_configs(
    folder: ModelFolder, staging: Path, written: list[str], dtypes: Sequence[str], external: bool
) -> list[str]:
    """Stage quantize_config.json (the modes now present) and config.json.

    With external data, config.json's ``use_external_data_format`` names every file written.
    """
    staged = []
    if dtypes:
        previous = folder.json(QUANTIZE_CONFIG) or {}
        modes = set(previous.get("modes") or []) | set(dtypes)
        recipe = {**RECIPE, "modes": [d for d in DTYPES if d in modes]}
        (staging / QUANTIZE_CONFIG).write_text(json.dumps(recipe, indent=4), encoding="utf-8")
        staged.append(QUANTIZE_CONFIG)
    if external and folder.has(CONFIG):
        config = dict(folder.config)
        tjs = dict(config.get("transformers.js_config") or {})
        setting = tjs.get("use_external_data_format")
        per_file = dict(setting) if isinstance(setting, dict) else {}
        per_file.update({Path(p).name: 1 for p in written if p.endswith(".onnx")})
        config["transformers.js_config"] = {**tjs, "use_external_data_format": per_file}
        (staging / CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")
        staged.append(CONFIG)
    return staged
