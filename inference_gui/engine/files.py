"""Which files an engine loads, chosen exactly as Transformers.js chooses them.

The names follow :mod:`inference_gui.layout`; this module checks them against what a model really
has, with errors that say which dtypes it has instead. Every external-data name is checked with
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
from inference_gui.layout import MISNAMED_BASES, graph_files, onnx_path
from inference_gui.safepath import check_relative_path
from inference_gui.vocab import DTYPES


@dataclass(frozen=True)
class OnnxFile:
    """One ONNX graph to load: its path in the model, its dtype, its external-data chunk paths."""

    base: str
    dtype: str
    path: str
    data_paths: tuple[str, ...] = ()

    @property
    def all_paths(self) -> tuple[str, ...]:
        return (self.path, *self.data_paths)


def read_json(files: ModelFiles, path: str, *, required: bool = True) -> dict[str, Any] | None:
    """A JSON file of the model (config, tokenizer config...); a clear error when unreadable."""
    if not required and not files.exists(path):
        return None
    return parse_json(files.fetch(path), path, files.label)


def parse_json(local: Path, path: str, label: str) -> dict[str, Any]:
    """The JSON object in ``local``, the already fetched ``path`` of model ``label``."""
    try:
        value = json.loads(Path(local).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EngineError(
            f"{path} of {label} cannot be read: {exc}.",
            "The file is damaged; remove the model from the cache and fetch it again.",
        ) from exc
    if not isinstance(value, dict):
        raise EngineError(f"{path} of {label} is not a JSON object.", "Convert the model again.")
    return value


def available_dtypes(files: ModelFiles, base: str) -> list[str]:
    """The dtypes this model has a file for, in Transformers.js's order."""
    listing = files.list()
    if listing is not None:
        present = set(listing)
        return [d for d in DTYPES if onnx_path(base, d) in present]
    return [d for d in DTYPES if files.exists(onnx_path(base, d))]


def _misnamed(files: ModelFiles, base: str, dtype: str) -> str | None:
    for other in MISNAMED_BASES.get(base, ()):
        if files.exists(onnx_path(other, dtype)):
            return onnx_path(other, dtype)
    return None


def choose_onnx_file(
    files: ModelFiles, config: Mapping[str, Any], base: str, dtype: str
) -> OnnxFile:
    """The file for ``base`` at ``dtype``; a missing dtype is an error naming those it has."""
    path = onnx_path(base, dtype)
    if not files.exists(path):
        if files.cache_only:  # offline with a remote hub: what is missing is only not cached
            have = available_dtypes(files, base)
            raise EngineError(
                f"{path} of {files.label} is not in the cache, and offline mode is on"
                + (f" (cached dtypes: {', '.join(have)})." if have else "."),
                "Turn offline mode off to download it"
                + (", or choose a cached dtype." if have else ", or import the model folder."),
            )
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
    data = graph_files(config, base, dtype)[1:]
    for data_path in data:
        try:
            check_relative_path(data_path, what="external data path")
        except HubError as exc:
            raise EngineError(exc.message, exc.hint) from exc
    return OnnxFile(base, dtype, path, data)
