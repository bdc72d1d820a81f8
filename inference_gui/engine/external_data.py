"""The external-data locations an ONNX file names, found and checked before onnxruntime opens it.

A tensor may keep its bytes in another file, named by an external-data ``location``; onnxruntime
before 1.2x followed ``../../../etc/passwd`` there. We check every location ourselves, whatever
onnxruntime version is installed: it must be a plain relative path that resolves (links included)
inside the model's folder.

Why a small protobuf walk rather than the ``onnx`` package: it is one more large dependency, and
``onnx.load`` copies every inline weight into memory just to read a few strings. The walk maps the
file and only descends into the messages that can hold tensors (graphs, nodes, attributes, sparse
tensors, functions, training graphs), skipping weight bytes without copying them.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from pathlib import Path

from inference_gui.errors import EngineError, HubError
from inference_gui.safepath import safe_join

# message -> {field number: message type} for the fields that can lead to a TensorProto.
_CHILDREN: dict[str, dict[int, str]] = {
    "model": {7: "graph", 20: "training", 25: "function"},
    "training": {1: "graph", 2: "graph"},
    "graph": {1: "node", 5: "tensor", 15: "sparse"},
    "function": {7: "node", 11: "attribute"},
    "node": {5: "attribute"},
    "attribute": {5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse"},
    "sparse": {1: "tensor", 2: "tensor"},
    "tensor": {13: "entry"},
}
_MAX_DEPTH = 64  # nested subgraphs deeper than this are not a real model


class _Malformed(ValueError):
    pass


def _varint(data: memoryview, pos: int, end: int) -> tuple[int, int]:
    value, shift = 0, 0
    while pos < end and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise _Malformed("bad varint")


def _fields(data: memoryview, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """(field number, start, end) of each length-delimited field; other fields are skipped."""
    pos = start
    while pos < end:
        key, pos = _varint(data, pos, end)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _varint(data, pos, end)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length, pos = _varint(data, pos, end)
            if pos + length > end:
                raise _Malformed("field runs past its message")
            yield number, pos, pos + length
            pos += length
        else:
            raise _Malformed(f"wire type {wire}")
    if pos != end:
        raise _Malformed("message runs past its end")


def _locations(data: memoryview, kind: str, start: int, end: int, depth: int) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        raise _Malformed("nested too deeply")
    if kind == "entry":  # StringStringEntryProto: key = 1, value = 2
        key = value = b""
        for number, s, e in _fields(data, start, end):
            if number == 1:
                key = bytes(data[s:e])
            elif number == 2:
                value = bytes(data[s:e])
        if key == b"location":
            yield value.decode("utf-8", errors="replace")
        return
    children = _CHILDREN[kind]
    for number, s, e in _fields(data, start, end):
        child = children.get(number)
        if child is not None:
            yield from _locations(data, child, s, e, depth + 1)


def external_data_locations(path: Path) -> list[str]:
    """Every external-data ``location`` in the ONNX file at ``path``, in order, repeats kept."""
    try:
        with path.open("rb") as handle:
            if path.stat().st_size == 0:
                raise _Malformed("empty file")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                data = memoryview(mapped)
                try:
                    return list(_locations(data, "model", 0, len(data), 0))
                finally:
                    data.release()
    except (_Malformed, IndexError) as exc:
        raise EngineError(
            f"{path.name} is not a readable ONNX file ({exc}).",
            "The file may be corrupt or truncated; remove it from the cache and fetch it again.",
        ) from exc
    except OSError as exc:
        raise EngineError(f"{path} cannot be read: {exc.strerror or exc}.") from exc


def check_external_data(path: Path, *, label: str = "") -> None:
    """Refuse a model whose external data would be read from outside its own folder."""
    for location in dict.fromkeys(external_data_locations(path)):
        try:
            safe_join(path.parent, location, what="external data location")
        except HubError as exc:
            raise EngineError(
                f"{label or path.name} names external data outside its folder: {exc.message}",
                "Refusing to load it: a model's weights must sit beside it in its folder.",
            ) from exc
