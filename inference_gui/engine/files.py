"""Which files an engine loads, chosen exactly as Transformers.js chooses them.

An ONNX file is ``onnx/<base><suffix>.onnx`` where the suffix comes from the dtype; external data
follows ``config.json``'s ``transformers.js_config.use_external_data_format`` as
``<file>_data``, ``<file>_data_1``... next to the ONNX file. Every name is checked with
:mod:`inference_gui.safepath`, so a config cannot make us read outside the model folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_gui.engine.sources import ModelFiles
from inference_gui.errors import EngineError, HubError
from inference_gui.safepath import check_relative_path
from inference_gui.vocab import DTYPE_SUFFIX, DTYPES

MAX_EXTERNAL_DATA_CHUNKS = 100  # Transformers.js refuses more, and so do we


@dataclass(frozen=True)
class OnnxFile:
    """One ONNX graph to load: its path in the model, its dtype and its external-data chunk paths."""

    base: str
    dtype: str
    path: str
    data_paths: tuple[str, ...] = ()

    @property
    def all_paths(self) -> tuple[str, ...]:
        return (self.path, *self.data_paths)


def onnx_path(base: str, dtype: str) -> str:
    return f"onnx/{base}{DTYPE_SUFFIX[dtype]}.onnx"


def read_json(files: ModelFiles, path: str, *, required: bool = True) -> dict[str, Any] | None:
    """A JSON file of the model (config, tokenizer config...), with a clear error when unreadable."""
    if not required and not files.exists(path):
        return None
    local = files.fetch(path)
    try:
        value = json.loads(Path(local).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EngineError(
            f"{path} of {files.label} cannot be read: {exc}.",
            "The file is damaged; remove the model from the cache and fetch it again.",
        ) from exc
    if not isinstance(value, dict):
        raise EngineError(
            f"{path} of {files.label} is not a JSON object.", "Convert the model again."
        )
    return value


def available_dtypes(files: ModelFiles, base: str) -> list[str]:
    """The dtypes this model has a file for, in Transformers.js's order."""
    listing = files.list()
    if listing is not None:
        present = set(listing)
        return [d for d in DTYPES if onnx_path(base, d) in present]
    return [d for d in DTYPES if files.exists(onnx_path(base, d))]


def external_data_chunks(config: Mapping[str, Any], file_name: str, base: str) -> int:
    """How many ``_data`` chunks a file has, per ``use_external_data_format`` (bool, count or per-file map)."""
    tjs = config.get("transformers.js_config") or {}
    setting = tjs.get("use_external_data_format") if isinstance(tjs, Mapping) else None
    if isinstance(setting, Mapping):
        setting = setting.get(file_name, setting.get(base, 0))
    if setting is None or setting is False:
        return 0
    if setting is True:
        return 1
    if not isinstance(setting, int) or setting < 0:
        raise EngineError(
            f"use_external_data_format for {file_name} is {setting!r}.",
            "It must be true, false or a number of chunks; fix config.json.",
        )
    if setting > MAX_EXTERNAL_DATA_CHUNKS:
        raise EngineError(
            f"{file_name} claims {setting} external data chunks.",
            f"At most {MAX_EXTERNAL_DATA_CHUNKS} are allowed; fix config.json.",
        )
    return setting


# Decoder files exported under the name of the un-merged graphs, which Transformers.js never loads.
_MISNAMED_BASES = {"decoder_model_merged": ("decoder_model", "decoder_with_past_model")}


def _misnamed(files: ModelFiles, base: str, dtype: str) -> str | None:
    for other in _MISNAMED_BASES.get(base, ()):
        if files.exists(onnx_path(other, dtype)):
            return onnx_path(other, dtype)
    return None


def choose_onnx_file(
    files: ModelFiles, config: Mapping[str, Any], base: str, dtype: str
) -> OnnxFile:
    """The file for ``base`` at ``dtype``; a dtype the model lacks is an error listing those it has."""
    path = onnx_path(base, dtype)
    if not files.exists(path):
        misnamed = _misnamed(files, base, dtype)
        if misnamed:
            raise EngineError(
                f"{files.label} has no {path}, but has {misnamed}.",
                f"Rename {misnamed} to {path}: Transformers.js loads only the merged "
                "decoder (with and without past in one graph).",
            )
        have = available_dtypes(files, base)
        if not have:
            raise EngineError(
                f"{files.label} has no onnx/{base}*.onnx file.",
                "This model was not converted for this task; pick another model.",
            )
        raise EngineError(
            f"dtype {dtype} is not available for {base} of {files.label}; "
            f"this model has: {', '.join(have)}.",
            "Choose one of those dtypes.",
        )
    name = path.rsplit("/", 1)[1]
    chunks = external_data_chunks(config, name, base)
    data = tuple(f"{path}_data" + ("" if i == 0 else f"_{i}") for i in range(chunks))
    for data_path in data:
        try:
            check_relative_path(data_path, what="external data path")
        except HubError as exc:
            raise EngineError(exc.message, exc.hint) from exc
    return OnnxFile(base, dtype, path, data)
