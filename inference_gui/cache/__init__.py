"""The model cache: an SQLite index, content-addressed blobs, per-revision folders, operations."""

from inference_gui.cache.core import IMPORTED_HUB
from inference_gui.cache.model_cache import ModelCache

__all__ = ["IMPORTED_HUB", "ModelCache"]
