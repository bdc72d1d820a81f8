"""The platform's model layout: the file names of a model revision, as Transformers.js reads them.

An ONNX graph is ``onnx/<base><suffix>.onnx``, the suffix given by the dtype (fp32 ``model.onnx``,
q8 ``model_quantized.onnx``...); encoder/decoder models have the bases ``encoder_model`` and
``decoder_model_merged``. Weights too big for one file live beside it as external data:
``<file>_data``, then ``<file>_data_1``, ``<file>_data_2``... as many as ``config.json``'s
``transformers.js_config.use_external_data_format`` says. Hub listing, cache, engine and UI all
ask this module, so the rule is written once; it stays free of Qt and third-party packages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from inference_gui.errors import EngineError
from inference_gui.vocab import DTYPE_SUFFIX

ONNX_FOLDER = "onnx"
ONNX_BASES = ("model", "encoder_model", "decoder_model_merged")
# The graphs a model loads together: an encoder with its merged decoder, or one model graph.
GRAPH_SETS = (("encoder_model", "decoder_model_merged"), ("model",))
CONFIG = "config.json"
GENERATION_CONFIG = "generation_config.json"
PREPROCESSOR_CONFIG = "preprocessor_config.json"
TOKENIZER = "tokenizer.json"
TOKENIZER_CONFIG = "tokenizer_config.json"
CONFIG_FILES = (
    CONFIG,
    GENERATION_CONFIG,
    PREPROCESSOR_CONFIG,
    "special_tokens_map.json",
    TOKENIZER,
    TOKENIZER_CONFIG,
)
MAX_EXTERNAL_DATA_CHUNKS = 100  # Transformers.js refuses more, and so do we

# Decoder files exported under the names of the un-merged graphs, which Transformers.js never loads.
MISNAMED_BASES: dict[str, tuple[str, ...]] = {
    "decoder_model_merged": ("decoder_model", "decoder_with_past_model")
}

# `<stem>.onnx`, `<stem>.onnx_data` or `<stem>.onnx_data_<n>`: the stem carries the dtype suffix.
_ONNX_NAME = re.compile(r"^(?P<stem>.+)\.onnx(?:_data(?:_\d+)?)?$")


def onnx_path(base: str, dtype: str) -> str:
    """The ONNX file Transformers.js loads for graph ``base`` at ``dtype``."""
    return f"{ONNX_FOLDER}/{base}{DTYPE_SUFFIX[dtype]}.onnx"


def external_data_paths(path: str, chunks: int) -> tuple[str, ...]:
    """The external data of ONNX file ``path``: ``_data``, ``_data_1``... ``chunks`` of them."""
    return tuple(f"{path}_data" + ("" if i == 0 else f"_{i}") for i in range(chunks))


def external_data_chunks(config: Mapping[str, Any], file_name: str, base: str) -> int:
    """How many ``_data`` chunks a file has, per ``use_external_data_format``.

    That setting is a bool, a count or a per-file map; a value Transformers.js would refuse is an
    error naming the file.
    """
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


def graph_files(config: Mapping[str, Any], base: str, dtype: str) -> tuple[str, ...]:
    """Every file graph ``base`` at ``dtype`` loads: the ONNX file, then its external data."""
    path = onnx_path(base, dtype)
    chunks = external_data_chunks(config, path.rsplit("/", 1)[1], base)
    return (path, *external_data_paths(path, chunks))


def split_onnx_name(name: str) -> tuple[str, str] | None:
    """(base, dtype) of an ONNX file name such as ``decoder_model_q4.onnx``.

    None for a file that is not an ``.onnx`` graph.
    """
    name = name.rsplit("/", 1)[-1]
    if not name.endswith(".onnx"):
        return None
    dtype = dtype_of(name)
    stem = name[: -len(".onnx")]
    return stem[: len(stem) - len(DTYPE_SUFFIX[dtype])], dtype


def merged_name_for(path: str) -> str | None:
    """The name Transformers.js loads for a decoder exported under an un-merged name.

    ``onnx/decoder_model_q4.onnx`` -> ``onnx/decoder_model_merged_q4.onnx``; None otherwise.
    """
    split = split_onnx_name(path)
    if split is None:
        return None
    base, dtype = split
    for merged, others in MISNAMED_BASES.items():
        if base in others:
            return onnx_path(merged, dtype)
    return None


@lru_cache(maxsize=4096)  # the same few names recur in every revision; listing asks per file
def dtype_of(path: str) -> str:
    """The dtype an ONNX file (or one of its external-data chunks) is for, from its name.

    Any other file gives ''.
    """
    match = _ONNX_NAME.match(path.rsplit("/", 1)[-1])
    if match is None:
        return ""
    stem = match["stem"]
    matches = [d for d, suffix in DTYPE_SUFFIX.items() if suffix and stem.endswith(suffix)]
    return max(matches, key=lambda d: len(DTYPE_SUFFIX[d])) if matches else "fp32"


class _HasPath(Protocol):
    path: str


F = TypeVar("F", bound=_HasPath)


def select_dtypes(files: Iterable[F], dtypes: Iterable[str]) -> list[F]:
    """The files needed for the given dtypes.

    That is every non-ONNX file plus the ONNX files of those dtypes (with external data). No
    dtypes means every file.
    """
    wanted = set(dtypes)
    if not wanted:
        return list(files)
    return [f for f in files if dtype_of(f.path) in wanted or not dtype_of(f.path)]


def _graphs(files: Iterable[F]) -> dict[str, set[str]]:
    """The dtypes of each ONNX graph (by base name) under ``onnx/`` among ``files``."""
    graphs: dict[str, set[str]] = {}
    for f in files:
        split = split_onnx_name(f.path) if f.path.startswith(f"{ONNX_FOLDER}/") else None
        if split is not None:
            graphs.setdefault(split[0], set()).add(split[1])
    return graphs


def dtype_gaps(files: Iterable[F], dtypes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each asked dtype ``files`` cannot run: the ONNX files it lacks.

    A dtype needs a file for every graph Transformers.js loads that the revision has at all:
    ``model``, or ``encoder_model`` and ``decoder_model_merged`` (an encoder at q4 without its
    decoder at q4 cannot run at q4). A revision with only other graphs needs any file at it.
    """
    graphs = _graphs(files)
    loaded = next(
        ([b for b in group if b in graphs] for group in GRAPH_SETS if graphs.keys() & set(group)),
        [],
    )
    gaps = {}
    for dtype in dtypes:
        if loaded:
            lacking = tuple(onnx_path(b, dtype) for b in loaded if dtype not in graphs[b])
        else:
            has_any = any(dtype in found for found in graphs.values())
            lacking = () if has_any else (onnx_path("model", dtype),)
        if lacking:
            gaps[dtype] = lacking
    return gaps


def dtypes_present(files: Iterable[F]) -> set[str]:
    """The dtypes ``files`` can run at: each has an ONNX file for every graph (see dtype_gaps)."""
    files = list(files)
    found = {d for dtypes in _graphs(files).values() for d in dtypes}
    return found - set(dtype_gaps(files, found))


def describe_gaps(gaps: Mapping[str, tuple[str, ...]]) -> str:
    """``q4: onnx/model_q4.onnx; fp16: onnx/decoder_model_merged_fp16.onnx`` for a message."""
    return "; ".join(f"{dtype}: {', '.join(lacking)}" for dtype, lacking in gaps.items())


def candidate_paths() -> list[str]:
    """Every file name Transformers.js may request for a model (each dtype, with external data)."""
    onnx = [onnx_path(base, dtype) for base in ONNX_BASES for dtype in DTYPE_SUFFIX]
    return [*CONFIG_FILES, *onnx, *(external_data_paths(name, 1)[0] for name in onnx)]
