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

from pathlib import Path

from inference_gui.engine.onnx_wire import (
    DIM_VALUE,
    GRAPH_INPUT,
    GRAPH_NODE,
    GRAPH_OUTPUT,
    INT64,
    NODE_INPUT,
    NODE_OP,
    NODE_OUTPUT,
    SHAPE_DIM,
    Fields,
    edit_graph,
    fields_of,
    initializer,
    integer,
    message,
    node,
    strings,
    tensor_type,
    tensor_value,
    text,
    values,
)

KEEP = "num_logits_to_keep"
_LM_HEADS = frozenset({"MatMul", "MatMulNBits", "MatMulBnb4"})
_PREFIX = "inference_gui/lm_head_slice/"


def keep_last_logits(path: Path) -> bytes | None:
    """The decoder at ``path`` with a ``num_logits_to_keep`` input (int64, shape [1]).

    Its weights stay in ``path`` (see onnx_wire.weightless: load the bytes with the external
    initializers folder set to ``path``'s). None when ``logits`` is not a rank-3 output computed
    by a MatMul-like LM head (possibly through Casts), or the graph already has the input.
    """
    return edit_graph(path, _sliced_before_head)


def _sliced_before_head(graph: Fields) -> bytes | None:
    logits = values(graph, GRAPH_OUTPUT).get("logits")
    dims = tensor_type(logits)[1] if logits is not None else None
    if KEEP in values(graph, GRAPH_INPUT) or dims is None or len(dims) != 3:
        return None
    nodes = {i: fields_of(body) for i, (n, _f, body) in enumerate(graph) if n == GRAPH_NODE}
    producers = {out: i for i, fields in nodes.items() for out in strings(fields, NODE_OUTPUT)}
    head = producers.get("logits")
    while head is not None and strings(nodes[head], NODE_OP) == ["Cast"]:
        head = producers.get(strings(nodes[head], NODE_INPUT)[0])
    if head is None or strings(nodes[head], NODE_OP)[0] not in _LM_HEADS:
        return None
    hidden, sliced = strings(nodes[head], NODE_INPUT)[0], _PREFIX + "hidden"
    edit = node("Neg", [KEEP], _PREFIX + "starts") + node(
        "Slice", [hidden, _PREFIX + "starts", _PREFIX + "ends", _PREFIX + "axes"], sliced
    )
    edited = bytearray()
    for i, (_number, field, _body) in enumerate(graph):
        edited += (
            edit + message(GRAPH_NODE, _first_input(nodes[head], sliced)) if i == head else field
        )
    one = [message(SHAPE_DIM, integer(DIM_VALUE, 1))]
    edited += message(GRAPH_INPUT, tensor_value(KEEP, INT64, one))
    edited += initializer(_PREFIX + "ends", INT64, [2**63 - 1])
    edited += initializer(_PREFIX + "axes", INT64, [1])
    return bytes(edited)


def _first_input(fields: Fields, name: str) -> bytes:
    """The node with its first input replaced by ``name``."""
    out, replaced = bytearray(), False
    for number, field, _body in fields:
        if number == NODE_INPUT and not replaced:
            out += text(NODE_INPUT, name)
            replaced = True
        else:
            out += field
    return bytes(out)
