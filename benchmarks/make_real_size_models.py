"""Real-size, random-weight ONNX models in Transformers.js layout, for the engine benchmarks.

The fixture models take ~0.1 ms per forward pass, so a benchmark on them measures our fixed
per-call cost rather than its share of a real run. This builds models of the sizes Firefox ships
(BERT-base encoders, GPT-2 124M, a distilvit-like ViT + distilgpt2 captioner) from configs only:
no weights and no tokenizer are downloaded. Tokenizer files are copied from the fixture repo of the
same task and the config's vocabulary is sized to that tokenizer, so the embedding and LM-head
matrices are smaller than the real ones (a few hundred rows instead of 30k-50k); every
transformer layer is full size. ``gpt2-full-vocab`` and ``qwen2.5-0.5b-chat-full-vocab`` have the
real vocabularies' embedding / LM head instead (rows past the tokenizer's zeroed); the Qwen one is
2.5 GB at fp32, so its weights go to ``model.onnx_data`` as Transformers.js expects. Inputs and
outputs are named exactly as in the fixtures.

Needs torch, transformers and onnx, which are NOT project dependencies: run it from a separate
environment, for example::

    python3 -m venv /tmp/exportenv
    /tmp/exportenv/bin/pip install torch==2.13.0 transformers onnx onnxruntime
    /tmp/exportenv/bin/python benchmarks/make_real_size_models.py [--out /tmp/real-size-hub]

Writes ``<out>/bench/<name>/v1.0.0/`` (``onnx/model.onnx`` and ``onnx/model_quantized.onnx``,
or ``encoder_model*`` + ``decoder_model_merged*``) for bert-embed, bert-sentiment, minilm-embed
(all-MiniLM-L6-v2-sized: 6 layers, 384 wide), gpt2 and vit-gpt2-alt-text.
Never commit the output: it is ~1.5 GB.

The "merged" decoder is the with-past graph alone (it accepts an empty past, which is what a merged
graph's no-cache branch is for) plus an unused ``use_cache_branch`` input, so it has the fixture's
interface and the same per-step work as the cached branch of a real merged decoder.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    DynamicCache,
    GPT2Config,
    GPT2LMHeadModel,
    Qwen2Config,
    Qwen2ForCausalLM,
    ViTConfig,
    ViTModel,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "hub" / "tiny"
REVISION = "v1.0.0"
OPSET = 17
TEXT_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "added_tokens.json",
    "generation_config.json",
    "preprocessor_config.json",
)
BERT_BASE = {
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "max_position_embeddings": 512,
}
# sentence-transformers/all-MiniLM-L6-v2, the small embedder people run most: per-call fixed costs
# that vanish on BERT-base are 20-40% of its call
MINILM_L6 = {
    "hidden_size": 384,
    "num_hidden_layers": 6,
    "num_attention_heads": 12,
    "intermediate_size": 1536,
    "max_position_embeddings": 512,
}
GPT2_SMALL = {"n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": 3072, "n_positions": 1024}
# Qwen/Qwen2.5-0.5B-Instruct's transformer (24 layers, 896 wide, grouped-query attention with 2 KV
# heads, SwiGLU 4864); the vocabulary is the chat fixture's, as for the others
QWEN25_05B = {
    "hidden_size": 896,
    "num_hidden_layers": 24,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "intermediate_size": 4864,
    "max_position_embeddings": 32768,
    "max_window_layers": 24,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": True,
}


def prepare(
    out: Path, name: str, max_length: int, fixture: str | None = None
) -> tuple[Path, dict, int]:
    """Copy the fixture's (``fixture``, default ``name``) tokenizer/processor files, the
    tokenizer's limit raised to the model's ``max_length`` positions; return (folder, fixture
    config, vocab size)."""
    source = FIXTURES / (fixture or name) / REVISION
    folder = out / "bench" / name / REVISION
    (folder / "onnx").mkdir(parents=True, exist_ok=True)
    for file in TEXT_FILES:
        if (source / file).exists():
            shutil.copy2(source / file, folder / file)
    tokenizer_config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    tokenizer_config["model_max_length"] = max_length
    (folder / "tokenizer_config.json").write_text(
        json.dumps(tokenizer_config, indent=2) + "\n", encoding="utf-8"
    )
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    return folder, config, tokenizer.get_vocab_size(with_added_tokens=True)


def export(
    module: torch.nn.Module,
    args: tuple,
    path: Path,
    inputs: list[str],
    outputs: list[str],
    axes: dict[str, dict[int, str]],
    checks: list[tuple],
) -> None:
    """Trace ``module`` on ``args``, then compare onnxruntime with torch on each of ``checks``
    (inputs of other shapes than the traced ones), since tracing can bake shapes in silently."""
    module.eval()  # a new wrapper is in training mode, and export restores the mode it found
    with torch.no_grad():
        torch.onnx.export(
            module,
            args,
            str(path),
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
            do_constant_folding=True,
        )
        onnx.checker.check_model(str(path))
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        for check in checks:
            expected = module(*check)
            expected = expected if isinstance(expected, tuple) else (expected,)
            got = session.run(None, {n: t.numpy() for n, t in zip(inputs, check, strict=True)})
            for name, want, have in zip(outputs, expected, got, strict=True):
                error = float(np.abs(want.numpy() - have).max())
                if want.shape != have.shape or error > 1e-3:
                    raise SystemExit(
                        f"{path.name}: {name} differs from torch ({error:.2g}, "
                        f"{tuple(want.shape)} vs {have.shape})"
                    )


def one_data_file(path: Path) -> bool:
    """Move the weights of a model torch exported over 2 GB (one file per tensor beside it) into
    ``<name>_data``, Transformers.js's layout; True when it did."""
    loose = [
        p for p in path.parent.iterdir() if p.suffix != ".onnx" and not p.name.endswith("_data")
    ]
    if not loose:
        return False
    model = onnx.load(str(path))
    for stale in loose:
        stale.unlink()
    onnx.save(
        model,
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=f"{path.name}_data",
        size_threshold=1024,
    )
    return True


def quantize(folder: Path, base: str, weight_type: QuantType = QuantType.QInt8) -> None:
    """``<base>_quantized.onnx`` like Transformers.js's q8: dynamic int8 weights, uint8 for a
    graph with a Conv."""
    quantize_dynamic(
        folder / "onnx" / f"{base}.onnx",
        folder / "onnx" / f"{base}_quantized.onnx",
        weight_type=weight_type,
    )


def write_config(folder: Path, config: dict) -> None:
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


class _Encoder(torch.nn.Module):
    """A BERT model returning one named tensor, so the graph has exactly the fixture's outputs."""

    def __init__(self, model: torch.nn.Module, output: str) -> None:
        super().__init__()
        self.model, self.output = model, output

    def forward(self, input_ids, attention_mask, token_type_ids):
        result = self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        )
        return getattr(result, self.output)


def make_bert(
    out: Path,
    name: str,
    model_class: type,
    output: str,
    size: dict = BERT_BASE,
    fixture: str | None = None,
) -> None:
    folder, fixture_config, vocab = prepare(out, name, size["max_position_embeddings"], fixture)
    config = BertConfig(
        **{**fixture_config, **size, "vocab_size": vocab}, attn_implementation="eager"
    )
    model = model_class(config).eval()
    seq = {0: "batch_size", 1: "sequence_length"}
    axes = {
        "input_ids": seq,
        "attention_mask": seq,
        "token_type_ids": seq,
        output: {0: "batch_size", 1: "sequence_length"}
        if output == "last_hidden_state"
        else {0: "batch_size"},
    }

    def sample(rows: int, length: int) -> tuple[torch.Tensor, ...]:
        """A batch whose last row is padded: traced with all ones, the mask would be dropped."""
        ids, mask = torch.randint(5, vocab, (rows, length)), torch.ones(rows, length, dtype=int)
        mask[-1, length // 2 :] = 0
        return ids, mask, torch.zeros_like(ids)

    export(
        _Encoder(model, output),
        sample(2, 16),
        folder / "onnx" / "model.onnx",
        ["input_ids", "attention_mask", "token_type_ids"],
        [output],
        axes,
        [sample(3, 40), sample(1, 7)],
    )
    write_config(folder, config.to_dict())
    quantize(folder, "model")


def _cache(flat: tuple[torch.Tensor, ...]) -> DynamicCache:
    return DynamicCache([(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)])


def _presents(cache: DynamicCache) -> list[torch.Tensor]:
    """The self-attention cache as flat tensors; the cross-attention one is recomputed each step,
    as the fixture's decoder does (it has no ``past_key_values.N.encoder.*``)."""
    cache = getattr(cache, "self_attention_cache", cache)
    if not hasattr(cache, "layers"):  # transformers < 4.54 keeps two lists
        return [t for pair in zip(cache.key_cache, cache.value_cache, strict=True) for t in pair]
    return [t for layer in cache.layers for t in (layer.keys, layer.values)]


def _past_names(layers: int, prefix: str) -> list[str]:
    return [f"{prefix}.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]


class _Gpt2WithPast(torch.nn.Module):
    """GPT-2 taking and returning its cache as flat tensors (past_key_values.N.key/value)."""

    def __init__(self, model: GPT2LMHeadModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, *rest):
        *past, attention_mask, position_ids = rest
        result = self.model(
            input_ids=input_ids,
            past_key_values=_cache(tuple(past)),
            attention_mask=attention_mask,
            position_ids=position_ids,
            use_cache=True,
        )
        return (result.logits, *_presents(result.past_key_values))


def _sample_past(layers: int, heads: int, head_dim: int, length: int) -> list[torch.Tensor]:
    return [torch.randn(1, heads, length, head_dim) for _ in range(2 * layers)]


def full_vocabulary(model: torch.nn.Module, tokens: int) -> None:
    """Zero the tied embedding rows past the tokenizer's ``tokens``: they are never an input, and
    their logits (0) stay below the best real token's, so the text stays decodable while the LM
    head does the real model's work."""
    with torch.no_grad():
        model.get_input_embeddings().weight[tokens:] = 0


def _decoder_axes(layers: int) -> tuple[list[str], list[str], dict[str, dict[int, str]]]:
    """Past and present names and the dynamic axes of a decoder-only export with a KV cache."""
    past_in, present = _past_names(layers, "past_key_values"), _past_names(layers, "present")
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "past_sequence_length + 1"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
        **{n: {0: "batch_size", 2: "past_sequence_length"} for n in past_in},
        **{n: {0: "batch_size", 2: "past_sequence_length + 1"} for n in present},
    }
    return past_in, present, axes


def make_gpt2(out: Path, name: str = "gpt2", vocab_size: int | None = None) -> None:
    folder, fixture, vocab = prepare(out, name, GPT2_SMALL["n_positions"], "gpt2")
    config = GPT2Config(
        **{**fixture, **GPT2_SMALL, "vocab_size": vocab_size or vocab}, attn_implementation="eager"
    )
    model = GPT2LMHeadModel(config).eval()
    full_vocabulary(model, vocab)
    layers, heads, head_dim = config.n_layer, config.n_head, config.n_embd // config.n_head

    def sample(past: int, new: int) -> tuple[torch.Tensor, ...]:
        return (
            torch.randint(5, vocab, (1, new)),
            *_sample_past(layers, heads, head_dim, past),
            torch.ones(1, past + new, dtype=torch.int64),
            torch.arange(past, past + new).unsqueeze(0),
        )

    past_in, present, axes = _decoder_axes(layers)
    export(
        _Gpt2WithPast(model),
        sample(3, 2),
        folder / "onnx" / "model.onnx",
        ["input_ids", *past_in, "attention_mask", "position_ids"],
        ["logits", *present],
        axes,
        [sample(0, 7), sample(9, 1)],
    )
    write_config(folder, config.to_dict())
    quantize(folder, "model")


class _DecoderWithPast(torch.nn.Module):
    """A Llama-style decoder in the fixture's input order (ids, mask, positions, past...)."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past):
        result = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            past_key_values=_cache(tuple(past)),
            use_cache=True,
        )
        return (result.logits, *_presents(result.past_key_values))


def make_qwen2(out: Path, name: str = "qwen2.5-0.5b-chat", vocab_size: int | None = None) -> None:
    """Qwen2.5-0.5B's transformer with the chat fixture's tokenizer, chat template and vocabulary
    (703 tokens: the tied embedding / LM head is ~200x smaller than the real 151,936 rows), or
    with ``vocab_size`` rows (see :func:`full_vocabulary`)."""
    folder, fixture, vocab = prepare(out, name, 32768, "qwen2-chat")
    config = Qwen2Config(
        **{**fixture, **QWEN25_05B, "vocab_size": vocab_size or vocab, "initializer_range": 0.02},
        attn_implementation="eager",
    )
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).eval()
    full_vocabulary(model, vocab)
    layers, kv_heads = config.num_hidden_layers, config.num_key_value_heads
    head_dim = config.hidden_size // config.num_attention_heads

    def sample(past: int, new: int) -> tuple[torch.Tensor, ...]:
        return (
            torch.randint(5, vocab, (1, new)),
            torch.ones(1, past + new, dtype=torch.int64),
            torch.arange(past, past + new).unsqueeze(0),
            *_sample_past(layers, kv_heads, head_dim, past),
        )

    past_in, present, axes = _decoder_axes(layers)
    export(
        _DecoderWithPast(model),
        sample(3, 2),
        folder / "onnx" / "model.onnx",
        ["input_ids", "attention_mask", "position_ids", *past_in],
        ["logits", *present],
        axes,
        [sample(0, 7), sample(9, 1)],
    )
    settings = config.to_dict()
    if one_data_file(folder / "onnx" / "model.onnx"):  # the full vocabulary: 2.5 GB at fp32
        settings["transformers.js_config"] = {"use_external_data_format": {"model.onnx": 1}}
    write_config(folder, settings)
    quantize(folder, "model")


class _CaptionDecoder(torch.nn.Module):
    """distilgpt2 with cross-attention over the image: the merged decoder's cached branch."""

    def __init__(self, model: GPT2LMHeadModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, encoder_hidden_states, *past):
        result = self.model(
            input_ids=input_ids,
            encoder_hidden_states=encoder_hidden_states,
            past_key_values=_cache(past),
            use_cache=True,
        )
        return (result.logits, *_presents(result.past_key_values))


class _ImageEncoder(torch.nn.Module):
    def __init__(self, model: ViTModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model(pixel_values=pixel_values).last_hidden_state


def add_use_cache_branch(path: Path) -> None:
    """Give the graph the merged decoder's ``use_cache_branch`` input (bool [1], unused here)."""
    model = onnx.load(str(path))
    model.graph.input.append(
        onnx.helper.make_tensor_value_info("use_cache_branch", onnx.TensorProto.BOOL, [1])
    )
    onnx.save(model, str(path))
    onnx.checker.check_model(str(path))


def make_vit_gpt2(out: Path) -> None:
    """distilvit's shape: ViT-base/16 at 224 px, a 6-layer GPT-2 (distilgpt2) decoder."""
    folder, fixture, vocab = prepare(out, "vit-gpt2-alt-text", GPT2_SMALL["n_positions"])
    size = 224
    processor = json.loads((folder / "preprocessor_config.json").read_text(encoding="utf-8"))
    processor["size"] = {"height": size, "width": size}
    (folder / "preprocessor_config.json").write_text(
        json.dumps(processor, indent=2) + "\n", encoding="utf-8"
    )
    encoder_config = ViTConfig(
        **{
            **fixture["encoder"],
            **BERT_BASE,
            "image_size": size,
            "patch_size": 16,
            "encoder_stride": 16,
        }
    )
    decoder_config = GPT2Config(
        **{**fixture["decoder"], **GPT2_SMALL, "n_layer": 6, "vocab_size": vocab},
        attn_implementation="eager",
    )
    encoder = ViTModel(encoder_config, add_pooling_layer=False).eval()
    decoder = GPT2LMHeadModel(decoder_config).eval()
    export(
        _ImageEncoder(encoder),
        (torch.randn(1, 3, size, size),),
        folder / "onnx" / "encoder_model.onnx",
        ["pixel_values"],
        ["last_hidden_state"],
        {
            "pixel_values": {0: "batch_size", 1: "num_channels", 2: "height", 3: "width"},
            "last_hidden_state": {0: "batch_size"},
        },
        [(torch.randn(2, 3, size, size),)],
    )
    layers, heads = decoder_config.n_layer, decoder_config.n_head
    head_dim = decoder_config.n_embd // heads
    patches = (size // 16) ** 2 + 1
    past_in, present = _past_names(layers, "past_key_values"), _past_names(layers, "present")
    path = folder / "onnx" / "decoder_model_merged.onnx"

    def sample(past: int, new: int) -> tuple[torch.Tensor, ...]:
        return (
            torch.randint(5, vocab, (1, new)),
            torch.randn(1, patches, 768),
            *_sample_past(layers, heads, head_dim, past),
        )

    export(
        _CaptionDecoder(decoder),
        sample(3, 2),
        path,
        ["input_ids", "encoder_hidden_states", *past_in],
        ["logits", *present],
        {
            "input_ids": {0: "batch_size", 1: "decoder_sequence_length"},
            "encoder_hidden_states": {0: "batch_size", 1: "encoder_sequence_length"},
            "logits": {0: "batch_size", 1: "decoder_sequence_length"},
            **{n: {0: "batch_size", 2: "past_sequence_length"} for n in past_in},
            **{n: {0: "batch_size", 2: "decoder_sequence_length"} for n in present},
        },
        [sample(0, 1), sample(6, 1)],
    )
    add_use_cache_branch(path)
    config = {**fixture, "encoder": encoder_config.to_dict(), "decoder": decoder_config.to_dict()}
    write_config(folder, config)
    quantize(folder, "encoder_model", QuantType.QUInt8)
    quantize(folder, "decoder_model_merged")


MODELS = {
    "bert-embed": lambda out: make_bert(out, "bert-embed", BertModel, "last_hidden_state"),
    "bert-sentiment": lambda out: make_bert(
        out, "bert-sentiment", BertForSequenceClassification, "logits"
    ),
    "minilm-embed": lambda out: make_bert(
        out, "minilm-embed", BertModel, "last_hidden_state", MINILM_L6, "bert-embed"
    ),
    "gpt2": make_gpt2,
    "qwen2.5-0.5b-chat": make_qwen2,
    # the real vocabularies' embedding / LM head (GPT-2 50,257 rows, Qwen2.5 151,936), the
    # fixture tokenizers still
    "gpt2-full-vocab": lambda out: make_gpt2(out, "gpt2-full-vocab", 50257),
    "qwen2.5-0.5b-chat-full-vocab": lambda out: make_qwen2(
        out, "qwen2.5-0.5b-chat-full-vocab", 151936
    ),
    "vit-gpt2-alt-text": make_vit_gpt2,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/real-size-hub"))
    parser.add_argument("models", nargs="*", default=list(MODELS), help=", ".join(MODELS))
    args = parser.parse_args()
    unknown = set(args.models) - set(MODELS)
    if unknown:
        parser.error(f"unknown model {min(unknown)}; choose from {', '.join(MODELS)}")
    torch.manual_seed(0)
    for name in args.models:
        print(f"building bench/{name} ...", flush=True)
        MODELS[name](args.out)
    print(f"done: {args.out / 'bench'}")


if __name__ == "__main__":
    main()
