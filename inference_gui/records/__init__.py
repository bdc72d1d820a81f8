"""Settings records: sources (embedded dump, server, file), validation, resolution, allow/deny.

Qt-free. Most callers need only :class:`RecordsService` (``AppContext.records``).
"""

from inference_gui.records.model import (
    ALLOW_DENY,
    COLLECTIONS,
    INFERENCE_OPTIONS,
    ONNX_RUNTIME,
    Problem,
    RecordSet,
    Source,
)
from inference_gui.records.overrides import OVERRIDABLE
from inference_gui.records.policy import UrlPolicy
from inference_gui.records.resolve import Resolution
from inference_gui.records.service import RecordsService

__all__ = [
    "ALLOW_DENY",
    "COLLECTIONS",
    "INFERENCE_OPTIONS",
    "ONNX_RUNTIME",
    "OVERRIDABLE",
    "Problem",
    "RecordSet",
    "RecordsService",
    "Resolution",
    "Source",
    "UrlPolicy",
]
