"""Inference GUI: inspect and drive a local ONNX inference platform (records, cache, engines)."""

__version__ = "0.1.0"
