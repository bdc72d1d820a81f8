"""ONNX files at the protobuf wire level: a model without its weights' bytes, and small edits.

A graph edited before onnxruntime loads it (``engine/lm_head.py``) would otherwise be parsed and
re-serialised with every weight: 1.4 s and a second copy in memory for a 349 MB GPT-2. Here the
file is read at the wire level (memory-mapped) and copied without the bytes of its large
initializers; each becomes an external-data reference (location = the file's own name, offset,
length), which onnxruntime reads as it reads any external data when told the folder. The copy of
that GPT-2 takes 45 ms and the session gives the same outputs. Initializers already in external
data, or small, or kept in typed fields instead of ``raw_data``, are copied as they are.

The edits themselves are made on the few messages they touch (:func:`fields_of` and the field
writers), not with the onnx package: importing it takes ~0.6 s (0.54 s of it ml_dtypes' native
extension, ``python -X importtime``), which the first load of every chat model would pay.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from pathlib import Path

# Field numbers of onnx.proto3 (ModelProto.graph, GraphProto.initializer, TensorProto.*)
_MODEL_GRAPH = 7
_GRAPH_INITIALIZER = 5
_TENSOR_RAW_DATA = 9
_TENSOR_EXTERNAL_DATA = 13
_TENSOR_DATA_LOCATION = 14
_EXTERNAL = 1
_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5
SMALLEST_MOVED = 1024  # bytes; smaller initializers stay inline

Buffer = mmap.mmap | bytes

# One field: (number, wire type, field start, payload start, field end)
Field = tuple[int, int, int, int, int]


def _varint(buf: Buffer, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        if not value:
            out.append(low)
            return bytes(out)
        out.append(low | 0x80)


def _fields(buf: Buffer, start: int, end: int) -> Iterator[Field]:
    """Each field of the message in buf[start:end]."""
    pos = start
    while pos < end:
        key, payload = _varint(buf, pos)
        kind = key & 7
        if kind == _VARINT:
            _, stop = _varint(buf, payload)
        elif kind == _FIXED64:
            stop = payload + 8
        elif kind == _FIXED32:
            stop = payload + 4
        elif kind == _LENGTH_DELIMITED:
            length, payload = _varint(buf, payload)
            stop = payload + length
        else:
            raise ValueError(f"unsupported protobuf wire type {kind} at byte {pos}")
        if stop > end:
            raise ValueError(f"a field at byte {pos} runs past its message")
        yield key >> 3, kind, pos, payload, stop
        pos = stop


def message(number: int, payload: bytes) -> bytes:
    """Field ``number`` holding ``payload`` (a string's bytes or a serialized message)."""
    return _encode_varint(number << 3 | _LENGTH_DELIMITED) + _encode_varint(len(payload)) + payload


def text(number: int, value: str) -> bytes:
    return message(number, value.encode())


def integer(number: int, value: int) -> bytes:
    """A varint field (int32, int64, enum); a negative value as protobuf writes it."""
    return _encode_varint(number << 3 | _VARINT) + _encode_varint(value % (1 << 64))


def fields_of(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """(number, the whole field, its body) of each field of one serialized message.

    The body is a length-delimited field's content (string, bytes or message), else b"".
    """
    return [
        (number, data[field:stop], data[payload:stop] if kind == _LENGTH_DELIMITED else b"")
        for number, kind, field, payload, stop in _fields(data, 0, len(data))
    ]


def strings(fields: list[tuple[int, bytes, bytes]], number: int) -> list[str]:
    """The values of string field ``number``, in order."""
    return [body.decode() for n, _field, body in fields if n == number]


def _entry(key: str, value: str) -> bytes:
    return message(_TENSOR_EXTERNAL_DATA, text(1, key) + text(2, value))


def _tensor(buf: mmap.mmap, start: int, end: int, location: str) -> bytes:
    """One TensorProto, its raw_data (when large) replaced by a reference into the file."""
    kept, raw = bytearray(), None
    for number, _kind, field, payload, stop in _fields(buf, start, end):
        if number == _TENSOR_RAW_DATA and stop - payload >= SMALLEST_MOVED:
            raw = (payload, stop - payload)
        else:
            kept += buf[field:stop]
    if raw is not None:
        kept += _entry("location", location)
        kept += _entry("offset", str(raw[0]))
        kept += _entry("length", str(raw[1]))
        kept += integer(_TENSOR_DATA_LOCATION, _EXTERNAL)
    return bytes(kept)


def weightless(path: Path) -> bytes:
    """The serialized model at ``path`` with its large initializers pointing into ``path``.

    Load it with the session option ``session.model_external_initializers_file_folder_path``
    set to ``path``'s folder. A file that is not a valid protobuf raises ValueError (or
    IndexError where it ends inside a field).
    """
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        out = bytearray()
        for number, _kind, field, payload, stop in _fields(buf, 0, len(buf)):
            if number != _MODEL_GRAPH:
                out += buf[field:stop]
                continue
            graph = bytearray()
            for inner, _inner_kind, start, body, end in _fields(buf, payload, stop):
                if inner == _GRAPH_INITIALIZER:
                    graph += message(inner, _tensor(buf, body, end, path.name))
                else:
                    graph += buf[start:end]
            out += message(_MODEL_GRAPH, bytes(graph))
        return bytes(out)
