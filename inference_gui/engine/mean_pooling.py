"""A text encoder whose graph also gives its mean-pooled sentence embedding, plain and normalised.

feature-extraction with mean pooling (sentence-transformers models, the platform's embedding
features) pools the hidden states over the real tokens and usually L2-normalises them. Done in numpy
after the run, that is ~13 small numpy calls straight after a run has evicted the CPU caches: ~0.15
ms of a 2-3 ms all-MiniLM-L6-v2-sized call at q8 (measured side by side), where the same arithmetic
as nodes at the end of the graph costs onnxruntime ~0.04 ms. So the graph is edited at load (at the
protobuf wire level, onnx_wire.py) to add two outputs, :data:`MEAN` and :data:`MEAN_NORMALIZED`,
computed as the numpy path computes them: the masked sum as a batched MatMul of the attention mask
with the hidden states, divided by the number of real tokens; the norm clamped at 1e-12. The hidden
states output stays, so other pooling choices read it as before; onnxruntime runs every node
whatever is fetched, and the added ones are that ~0.04 ms.

Only MatMul, Reshape, Div, Sqrt, Max and Cast are used, whose signatures are the same in every
opset since 8, so one edit fits every export. Only float32 hidden states are pooled in the graph
(a float16 graph's are widened and pooled in float32 by Transformers.js; numpy does that here).
"""

from __future__ import annotations

from pathlib import Path

from inference_gui.engine.onnx_wire import (
    FLOAT,
    GRAPH_INPUT,
    GRAPH_OUTPUT,
    INT64,
    Fields,
    edit_graph,
    initializer,
    message,
    node,
    tensor_type,
    tensor_value,
    values,
)

MEAN = "inference_gui/mean_pooled"
MEAN_NORMALIZED = "inference_gui/mean_pooled_normalized"
# The hidden states feature-extraction reads, first found first (Transformers.js's order)
HIDDEN_OUTPUTS = ("last_hidden_state", "logits", "token_embeddings")
_P = "inference_gui/pooling/"


def add_mean_pooling(path: Path) -> bytes | None:
    """The encoder at ``path`` with the :data:`MEAN` and :data:`MEAN_NORMALIZED` outputs.

    Its weights stay in ``path`` (see onnx_wire.weightless). None when the graph has no
    ``attention_mask`` input, no float32 rank-3 hidden states output, or the outputs already.
    """
    return edit_graph(path, _with_mean_pooling)


def _with_mean_pooling(graph: Fields) -> bytes | None:
    inputs, outputs = values(graph, GRAPH_INPUT), values(graph, GRAPH_OUTPUT)
    hidden = next((name for name in HIDDEN_OUTPUTS if name in outputs), None)
    if "attention_mask" not in inputs or hidden is None or MEAN in outputs:
        return None
    elem, dims = tensor_type(outputs[hidden])
    if elem != FLOAT or dims is None or len(dims) != 3:
        return None
    rows, per_row, column = _P + "rows", _P + "per_row", _P + "column"
    mask, mask_row, mask_column = _P + "mask", _P + "mask_row", _P + "mask_column"
    mean, norm = _P + "mean", _P + "norm"
    added = b"".join(
        (
            initializer(rows, INT64, [0, 1, -1]),  # (batch, n) -> (batch, 1, n)
            initializer(column, INT64, [0, -1, 1]),  # (batch, n) -> (batch, n, 1)
            initializer(per_row, INT64, [0, -1]),  # (batch, 1, n) -> (batch, n)
            initializer(_P + "smallest", FLOAT, [1e-12]),
            node("Cast", ["attention_mask"], mask, ints={"to": FLOAT}),
            node("Reshape", [mask, rows], mask_row),
            node("Reshape", [mask, column], mask_column),
            node("MatMul", [mask_row, hidden], _P + "sum"),
            node("MatMul", [mask_row, mask_column], _P + "count"),  # a 0/1 mask: its own square
            node("Div", [_P + "sum", _P + "count"], mean),
            node("Reshape", [mean, per_row], MEAN),
            node("Reshape", [mean, column], _P + "mean_column"),
            node("MatMul", [mean, _P + "mean_column"], _P + "square"),
            node("Sqrt", [_P + "square"], _P + "length"),
            node("Max", [_P + "length", _P + "smallest"], norm),
            node("Div", [mean, norm], _P + "normalized"),
            node("Reshape", [_P + "normalized", per_row], MEAN_NORMALIZED),
            # (batch, hidden): declared with the hidden states' own batch and width dims, so the
            # length-sorted micro-batching sees a per-row output (engine/batching.py)
            message(GRAPH_OUTPUT, tensor_value(MEAN, FLOAT, [dims[0], dims[2]])),
            message(GRAPH_OUTPUT, tensor_value(MEAN_NORMALIZED, FLOAT, [dims[0], dims[2]])),
        )
    )
    return b"".join(field for _n, field, _b in graph) + added
