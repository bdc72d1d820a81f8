"""External data of one ONNX graph: where its tensors live, and whether the platform can fetch them.

Read from the graph's own tensor entries (``location``, ``offset``, ``length``) with the ``onnx``
package, never by opening a location first: a location that leads outside the folder, directly or
through a link, is reported and never read. Transformers.js fetches exactly the chunks
``config.json`` declares, named ``<file>_data``, ``<file>_data_1``..., so names and count must
agree with :mod:`inference_gui.layout`.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Mapping
from typing import Any

import onnx
from onnx.external_data_helper import ExternalDataInfo, _get_all_tensors, uses_external_data

from inference_gui.check.findings import Finding, error, info, warning
from inference_gui.check.folder import ModelFolder
from inference_gui.errors import AppError
from inference_gui.layout import external_data_chunks, external_data_paths
from inference_gui.safepath import check_relative_path

# Bytes a writer may leave unused at the end of a data file (onnx aligns large tensors to 4 KiB).
SLACK_BYTES = 4096
PROTOBUF_LIMIT = 2**31 - 1  # a serialized ONNX graph (protobuf) cannot be larger


def references(model: onnx.ModelProto) -> dict[str, int]:
    """Each external data location and the number of bytes its tensors need (offset + length)."""
    ends: dict[str, int] = {}
    for tensor in _get_all_tensors(model):
        if not uses_external_data(tensor):
            continue
        data = ExternalDataInfo(tensor)
        length: int | None = data.length  # None when the writer recorded no length
        if length is None or length < 0:
            itemsize = onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type).itemsize
            length = itemsize * math.prod(tensor.dims)
        end = (data.offset or 0) + length
        ends[data.location] = max(ends.get(data.location, 0), end)
    return ends


def check_external(
    folder: ModelFolder, path: str, model: onnx.ModelProto, config: Mapping[str, Any], base: str
) -> list[Finding]:
    """Findings for the external data of graph ``path``; errors mean it must not be loaded."""
    needed = references(model)
    found: list[Finding] = []
    here = posixpath.dirname(path)
    name = posixpath.basename(path)
    expected = set(external_data_paths(name, len(needed)))
    for location, end in sorted(needed.items()):
        try:
            check_relative_path(location, what="external data location")
        except AppError:
            found.append(_outside(path, location))
            continue
        relative = posixpath.join(here, location)
        local = folder.path(relative)
        if not folder.inside(local):
            found.append(_outside(path, location, link=True))
            continue
        if not local.is_file():
            found.append(
                error(
                    "EXTERNAL_DATA_MISSING",
                    path,
                    f"keeps its weights in {relative}, which is missing.",
                    f"Copy {relative} next to it (the converter wrote it).",
                )
            )
            continue
        size = local.stat().st_size
        if size < end:
            found.append(
                error(
                    "EXTERNAL_DATA_TRUNCATED",
                    relative,
                    f"holds {size:,} bytes but {name} reads up to byte {end:,}.",
                    "The file is cut short; copy or convert it again.",
                )
            )
        elif size > end + SLACK_BYTES:
            found.append(
                warning(
                    "EXTERNAL_DATA_UNUSED_BYTES",
                    relative,
                    f"holds {size:,} bytes but {name} uses only {end:,}.",
                    "It may belong to another export; convert the model again.",
                )
            )
        if location not in expected:
            found.append(
                error(
                    "EXTERNAL_DATA_NAME",
                    path,
                    f"keeps weights in {location}; Transformers.js fetches only "
                    f"{', '.join(sorted(expected))}.",
                    "Convert again with external data named after the graph "
                    "(<file>_data, <file>_data_1...).",
                )
            )
    found += _config_agrees(config, path, base, len(needed))
    if needed:
        total = sum(needed.values())
        found.append(
            info("EXTERNAL_DATA", path, f"{total:,} bytes of weights in {len(needed)} chunk(s).")
        )
    return found


def _outside(path: str, location: str, *, link: bool = False) -> Finding:
    how = "through a link " if link else ""
    return error(
        "EXTERNAL_DATA_OUTSIDE",
        path,
        f"points {how}outside the model folder for its weights ({location!r}); it is not read.",
        "Put the weights file next to the graph, named <file>_data, and convert again.",
    )


def _config_agrees(config: Mapping[str, Any], path: str, base: str, chunks: int) -> list[Finding]:
    name = posixpath.basename(path)
    try:
        declared = external_data_chunks(config, name, base)
    except AppError as exc:
        return [error("EXTERNAL_DATA_CONFIG", "config.json", exc.message, exc.hint)]
    if declared == chunks:
        return []
    setting = "transformers.js_config.use_external_data_format"
    return [
        error(
            "EXTERNAL_DATA_CONFIG",
            "config.json",
            f"declares {declared} external data chunk(s) for {name}, which has {chunks}; "
            "the platform fetches what config.json declares.",
            f'Set {setting} to {{"{name}": {chunks}}} in config.json.',
        )
    ]
