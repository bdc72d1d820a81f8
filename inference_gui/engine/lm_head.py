"""A decoder whose LM head scores only the positions asked for (``num_logits_to_keep``).

An exported decoder computes logits for every position it is fed, but greedy generation reads the
last one only (or, checking prompt-lookup guesses, the last few): for a prompt of P tokens the LM
head does P times the work needed — on GPT-2 124M one position's LM head is ~31% of its matmuls,
on Qwen2.5-0.5B ~28%. The graph is edited at load, as Hugging Face exports do it
(``num_logits_to_keep``): the hidden states going into the LM head are sliced to the last
``num_logits_to_keep`` positions first, so each kept score is computed from the same numbers as
before (row by row; fp32 within float rounding).

Not for graphs that quantize activations per call (q8, int8, uint8): the LM head's input scale
would be taken over fewer positions and change the scores. The caller decides (text-generation's
task module); this module only edits a graph of the expected shape and says None otherwise.
"""

from __future__ import annotations

from pathlib import Path

from inference_gui.engine.onnx_wire import weightless

KEEP = "num_logits_to_keep"
_LM_HEADS = frozenset({"MatMul", "MatMulNBits", "MatMulBnb4"})
_PREFIX = "inference_gui/lm_head_slice/"


def keep_last_logits(path: Path) -> bytes | None:
    """The decoder at ``path`` with a ``num_logits_to_keep`` input (int64, shape [1]).

    Its weights stay in ``path`` (see onnx_wire.weightless: load the bytes with the external
    initializers folder set to ``path``'s). None when ``logits`` is not a rank-3 output computed
    by a MatMul-like LM head (possibly through Casts), or the graph already has the input.
    """
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load_from_string(weightless(path))
    graph = model.graph
    if KEEP in {i.name for i in graph.input}:
        return None
    logits = next((o for o in graph.output if o.name == "logits"), None)
    if logits is None or len(logits.type.tensor_type.shape.dim) != 3:
        return None
    producers = {out: node for node in graph.node for out in node.output}
    head = producers.get("logits")
    while head is not None and head.op_type == "Cast":
        head = producers.get(head.input[0])
    if head is None or head.op_type not in _LM_HEADS:
        return None
    graph.input.append(helper.make_tensor_value_info(KEEP, TensorProto.INT64, [1]))
    graph.initializer.extend(
        [
            helper.make_tensor(_PREFIX + "ends", TensorProto.INT64, [1], [2**63 - 1]),
            helper.make_tensor(_PREFIX + "axes", TensorProto.INT64, [1], [1]),
        ]
    )
    sliced = _PREFIX + "hidden"
    edit = [
        helper.make_node("Neg", [KEEP], [_PREFIX + "starts"], name=_PREFIX + "neg"),
        helper.make_node(
            "Slice",
            [head.input[0], _PREFIX + "starts", _PREFIX + "ends", _PREFIX + "axes"],
            [sliced],
            name=_PREFIX + "slice",
        ),
    ]
    at = list(graph.node).index(head)  # nodes stay in topological order
    for offset, node in enumerate(edit):
        graph.node.insert(at + offset, node)
    head.input[0] = sliced
    positions = logits.type.tensor_type.shape.dim[1]
    positions.ClearField("dim_value")
    positions.dim_param = "logits_positions"
    return model.SerializeToString()
