"""A decoder whose LM head scores only the positions asked for (``num_logits_to_keep``).

An exported decoder computes logits for every position it is fed, but greedy generation reads the
last one only (or, checking prompt-lookup guesses, the last few): for a prompt of P tokens the LM
head does P times the work needed — on GPT-2 124M one position's LM head is ~31% of its matmuls,
on Qwen2.5-0.5B ~28%. The graph is edited at load, as Hugging Face exports do it
(``num_logits_to_keep``): the hidden states going into the LM head are sliced to the last
``num_logits_to_keep`` positions first, so each kept score is computed from the same numbers as
before (row by row; fp32 within float rounding). The declared shape of ``logits`` is left as
exported (onnxruntime does not hold symbolic dimensions to their names).

Not for graphs that quantize activations per call (q8, int8, uint8): the LM head's input scale
would be taken over fewer positions and change the scores. The caller decides (text-generation's
task module); this module only edits a graph of the expected shape and says None otherwise. The
edit is made at the protobuf wire level (onnx_wire.py) on the weightless copy of the file.
"""

from __future__ import annotations

import struct
from pathlib import Path

from inference_gui.engine.onnx_wire import fields_of, integer, message, strings, text, weightless

KEEP = "num_logits_to_keep"
_LM_HEADS = frozenset({"MatMul", "MatMulNBits", "MatMulBnb4"})
_PREFIX = "inference_gui/lm_head_slice/"
_INT64 = 7  # TensorProto.INT64

# Field numbers of onnx.proto3
_MODEL_GRAPH = 7
_GRAPH_NODE, _GRAPH_INITIALIZER, _GRAPH_INPUT, _GRAPH_OUTPUT = 1, 5, 11, 12
_NODE_INPUT, _NODE_OUTPUT, _NODE_NAME, _NODE_OP = 1, 2, 3, 4
_VALUE_NAME, _VALUE_TYPE = 1, 2
_TYPE_TENSOR, _TENSOR_ELEM, _TENSOR_SHAPE, _SHAPE_DIM, _DIM_VALUE = 1, 1, 2, 1, 1
_TENSOR_DIMS, _TENSOR_TYPE, _TENSOR_NAME, _TENSOR_RAW = 1, 2, 8, 9


def keep_last_logits(path: Path) -> bytes | None:
    """The decoder at ``path`` with a ``num_logits_to_keep`` input (int64, shape [1]).

    Its weights stay in ``path`` (see onnx_wire.weightless: load the bytes with the external
    initializers folder set to ``path``'s). None when ``logits`` is not a rank-3 output computed
    by a MatMul-like LM head (possibly through Casts), or the graph already has the input.
    """
    model = fields_of(weightless(path))
    at = next((i for i, (number, _f, _b) in enumerate(model) if number == _MODEL_GRAPH), None)
    if at is None:
        return None
    graph = fields_of(model[at][2])
    inputs = [strings(fields_of(body), _VALUE_NAME) for n, _f, body in graph if n == _GRAPH_INPUT]
    if [KEEP] in inputs or _logits_rank(graph) != 3:
        return None
    nodes = {i: fields_of(body) for i, (n, _f, body) in enumerate(graph) if n == _GRAPH_NODE}
    producers = {out: i for i, node in nodes.items() for out in strings(node, _NODE_OUTPUT)}
    head = producers.get("logits")
    while head is not None and strings(nodes[head], _NODE_OP) == ["Cast"]:
        head = producers.get(strings(nodes[head], _NODE_INPUT)[0])
    if head is None or strings(nodes[head], _NODE_OP)[0] not in _LM_HEADS:
        return None
    hidden, sliced = strings(nodes[head], _NODE_INPUT)[0], _PREFIX + "hidden"
    edit = _node("Neg", [KEEP], _PREFIX + "starts") + _node(
        "Slice", [hidden, _PREFIX + "starts", _PREFIX + "ends", _PREFIX + "axes"], sliced
    )
    edited = bytearray()
    for i, (_number, field, _body) in enumerate(graph):
        edited += (
            edit + message(_GRAPH_NODE, _first_input(nodes[head], sliced)) if i == head else field
        )
    edited += message(_GRAPH_INPUT, _int64_input(KEEP))
    edited += message(_GRAPH_INITIALIZER, _int64_tensor(_PREFIX + "ends", 2**63 - 1))
    edited += message(_GRAPH_INITIALIZER, _int64_tensor(_PREFIX + "axes", 1))
    model[at] = (_MODEL_GRAPH, message(_MODEL_GRAPH, bytes(edited)), b"")
    return b"".join(field for _number, field, _body in model)


def _logits_rank(graph: list[tuple[int, bytes, bytes]]) -> int | None:
    """How many dimensions the graph declares for its ``logits`` output (None: no such output)."""
    for number, _field, body in graph:
        if number != _GRAPH_OUTPUT:
            continue
        value = fields_of(body)
        if strings(value, _VALUE_NAME) != ["logits"]:
            continue
        shape = _only(_only(_only(value, _VALUE_TYPE), _TYPE_TENSOR), _TENSOR_SHAPE)
        return sum(1 for n, _f, _b in shape if n == _SHAPE_DIM)
    return None


def _only(fields: list[tuple[int, bytes, bytes]], number: int) -> list[tuple[int, bytes, bytes]]:
    """The fields of the (first) message in field ``number``; none when it is absent."""
    body = next((body for n, _field, body in fields if n == number), b"")
    return fields_of(body)


def _first_input(node: list[tuple[int, bytes, bytes]], name: str) -> bytes:
    """The node with its first input replaced by ``name``."""
    out, replaced = bytearray(), False
    for number, field, _body in node:
        if number == _NODE_INPUT and not replaced:
            out += text(_NODE_INPUT, name)
            replaced = True
        else:
            out += field
    return bytes(out)


def _node(op: str, inputs: list[str], output: str) -> bytes:
    body = b"".join(text(_NODE_INPUT, name) for name in inputs)
    body += text(_NODE_OUTPUT, output) + text(_NODE_NAME, output) + text(_NODE_OP, op)
    return message(_GRAPH_NODE, body)


def _int64_input(name: str) -> bytes:
    """A ValueInfoProto: ``name``, int64, shape [1]."""
    shape = message(_TENSOR_SHAPE, message(_SHAPE_DIM, integer(_DIM_VALUE, 1)))
    tensor = message(_TYPE_TENSOR, integer(_TENSOR_ELEM, _INT64) + shape)
    return text(_VALUE_NAME, name) + message(_VALUE_TYPE, tensor)


def _int64_tensor(name: str, value: int) -> bytes:
    """A TensorProto: ``name``, int64, shape [1], holding ``value``."""
    raw = struct.pack("<q", value)
    return (
        integer(_TENSOR_DIMS, 1)
        + integer(_TENSOR_TYPE, _INT64)
        + text(_TENSOR_NAME, name)
        + message(_TENSOR_RAW, raw)
    )
