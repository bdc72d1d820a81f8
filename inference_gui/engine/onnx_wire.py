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
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

# Field numbers of onnx.proto3
MODEL_GRAPH = 7
GRAPH_NODE, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_OUTPUT = 1, 5, 11, 12
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP, NODE_ATTRIBUTE = 1, 2, 3, 4, 5
ATTRIBUTE_NAME, ATTRIBUTE_INT, ATTRIBUTE_TYPE = 1, 3, 20
VALUE_NAME, VALUE_TYPE = 1, 2
TYPE_TENSOR, TENSOR_ELEM, TENSOR_SHAPE, SHAPE_DIM, DIM_VALUE = 1, 1, 2, 1, 1
TENSOR_DIMS, TENSOR_TYPE, TENSOR_NAME = 1, 2, 8
_TENSOR_RAW_DATA = 9
_TENSOR_EXTERNAL_DATA = 13
_TENSOR_DATA_LOCATION = 14
_EXTERNAL = 1
FLOAT, INT64 = 1, 7  # TensorProto.DataType
_ATTRIBUTE_INT_TYPE = 2  # AttributeProto.INT
_PACKED = {FLOAT: "f", INT64: "q"}
_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5
SMALLEST_MOVED = 1024  # bytes; smaller initializers stay inline

Buffer = mmap.mmap | bytes

# One field: (number, wire type, field start, payload start, field end)
Field = tuple[int, int, int, int, int]
# (number, the whole field, its body) of each field of a message, as fields_of gives them
Fields = list[tuple[int, bytes, bytes]]


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


def fields_of(data: bytes) -> Fields:
    """(number, the whole field, its body) of each field of one serialized message.

    The body is a length-delimited field's content (string, bytes or message), else b"".
    """
    return [
        (number, data[field:stop], data[payload:stop] if kind == _LENGTH_DELIMITED else b"")
        for number, kind, field, payload, stop in _fields(data, 0, len(data))
    ]


def strings(fields: Fields, number: int) -> list[str]:
    """The values of string field ``number``, in order."""
    return [body.decode() for n, _field, body in fields if n == number]


def integers(fields: Fields, number: int) -> list[int]:
    """The values of varint field ``number``, in order (as unsigned)."""
    return [_varint(field, _varint(field, 0)[1])[0] for n, field, body in fields if n == number]


def only(fields: Fields, number: int) -> Fields:
    """The fields of the (first) message in field ``number``; none when it is absent."""
    body = next((body for n, _field, body in fields if n == number), b"")
    return fields_of(body)


def values(graph: Fields, number: int) -> dict[str, Fields]:
    """A graph's inputs (``GRAPH_INPUT``) or outputs (``GRAPH_OUTPUT``): ValueInfo by name."""
    found = {}
    for n, _field, body in graph:
        if n == number:
            value = fields_of(body)
            found.update(dict.fromkeys(strings(value, VALUE_NAME), value))
    return found


def node(
    op: str, inputs: Sequence[str], output: str, ints: Mapping[str, int] | None = None
) -> bytes:
    """A graph's node field: ``op`` from ``inputs`` to ``output`` (also its name)."""
    body = b"".join(text(NODE_INPUT, name) for name in inputs)
    body += text(NODE_OUTPUT, output) + text(NODE_NAME, output) + text(NODE_OP, op)
    for name, value in (ints or {}).items():
        attribute = text(ATTRIBUTE_NAME, name) + integer(ATTRIBUTE_INT, value)
        body += message(NODE_ATTRIBUTE, attribute + integer(ATTRIBUTE_TYPE, _ATTRIBUTE_INT_TYPE))
    return message(GRAPH_NODE, body)


def initializer(name: str, elem: int, values: Sequence[float]) -> bytes:
    """A graph's initializer field: a 1-D tensor of ``values`` (``elem``: FLOAT or INT64)."""
    raw = struct.pack(f"<{len(values)}{_PACKED[elem]}", *values)
    tensor = integer(TENSOR_DIMS, len(values)) + integer(TENSOR_TYPE, elem)
    tensor += text(TENSOR_NAME, name) + message(_TENSOR_RAW_DATA, raw)
    return message(GRAPH_INITIALIZER, tensor)


def tensor_value(name: str, elem: int, dims: Sequence[bytes]) -> bytes:
    """A ValueInfoProto: tensor ``name`` of ``elem`` type, ``dims`` its shape's dim fields."""
    tensor = integer(TENSOR_ELEM, elem) + message(TENSOR_SHAPE, b"".join(dims))
    return text(VALUE_NAME, name) + message(VALUE_TYPE, message(TYPE_TENSOR, tensor))


def tensor_type(value: Fields) -> tuple[int | None, list[bytes] | None]:
    """The element type and the shape's dim fields of a ValueInfoProto (None where undeclared)."""
    tensor = only(only(value, VALUE_TYPE), TYPE_TENSOR)
    elem = next(iter(integers(tensor, TENSOR_ELEM)), None)
    has_shape = any(n == TENSOR_SHAPE for n, _f, _b in tensor)
    dims = [f for n, f, _b in only(tensor, TENSOR_SHAPE) if n == SHAPE_DIM] if has_shape else None
    return elem, dims


def edit_graph(path: Path, change: Callable[[Fields], bytes | None]) -> bytes | None:
    """The model at ``path`` (weightless) with its graph's body replaced by ``change``'s.

    ``change`` gets the graph's fields and gives the new body, or None to leave the model alone
    (then this gives None too).
    """
    model = fields_of(weightless(path))
    at = next((i for i, (number, _f, _b) in enumerate(model) if number == MODEL_GRAPH), None)
    if at is None:
        return None
    body = change(fields_of(model[at][2]))
    if body is None:
        return None
    model[at] = (MODEL_GRAPH, message(MODEL_GRAPH, body), b"")
    return b"".join(field for _number, field, _body in model)


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
            if number != MODEL_GRAPH:
                out += buf[field:stop]
                continue
            graph = bytearray()
            for inner, _inner_kind, start, body, end in _fields(buf, payload, stop):
                if inner == GRAPH_INITIALIZER:
                    graph += message(inner, _tensor(buf, body, end, path.name))
                else:
                    graph += buf[start:end]
            out += message(MODEL_GRAPH, bytes(graph))
        return bytes(out)
