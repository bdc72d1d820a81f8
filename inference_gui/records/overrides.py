"""Local overrides per feature: try a new revision or dtype without touching the server.

Only the options a developer may safely vary are allowed. They are stored in the data folder
(atomic writes) and a damaged file is reported rather than silently replaced, so none are lost.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from inference_gui.errors import RecordError
from inference_gui.records.model import INFERENCE_OPTIONS
from inference_gui.records.storage import read_json, write_json_atomic
from inference_gui.records.validate import RULES, check_field

OVERRIDABLE: tuple[str, ...] = (
    "dtype",
    "modelRevision",
    "numThreads",
    "processorRevision",
    "tokenizerRevision",
    "timeoutMS",
)


def coerce_option(key: str, value: Any) -> Any:
    """``value`` checked (and text converted) for option ``key``, using the records' own rules."""
    rule = RULES[INFERENCE_OPTIONS].get(key)
    if rule is None:
        return value
    if rule.kind is int and isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise RecordError(f"{key} must be a whole number, not {value!r}.") from None
    problem = check_field(rule, value)
    if problem:
        raise RecordError(f"{key} {problem}.", f"Give a valid {key}.")
    return value


class OverrideStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "records" / "overrides.json"
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict[str, Any]]:
        data = read_json(self.path, what="local overrides file")
        if data is None:
            return {}
        if not isinstance(data, dict) or not isinstance(data.get("features", {}), dict):
            raise RecordError(
                f"The local overrides file {self.path} is not in the expected shape.",
                "Fix or move it aside; it is left untouched.",
            )
        return data.get("features", {})

    def all(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return self._read()

    def get(self, feature_id: str) -> dict[str, Any]:
        return dict(self.all().get(feature_id, {}))

    def set(self, feature_id: str, key: str, value: Any) -> Any:
        """Store one override and return the value as stored (text converted to a number)."""
        if key not in OVERRIDABLE:
            raise RecordError(
                f"{key!r} cannot be overridden locally.",
                f"Overridable options: {', '.join(OVERRIDABLE)}.",
            )
        if not feature_id:
            raise RecordError("Local overrides need a feature id.", "Choose a feature first.")
        value = coerce_option(key, value)
        with self._lock:
            features = self._read()
            features.setdefault(feature_id, {})[key] = value
            write_json_atomic(self.path, {"version": 1, "features": features})
        return value

    def revert(self, feature_id: str, key: str | None = None) -> None:
        """Drop one override of a feature, or all of them when ``key`` is None."""
        with self._lock:
            features = self._read()
            current = features.get(feature_id, {})
            if key is None:
                current.clear()
            else:
                current.pop(key, None)
            if not current:
                features.pop(feature_id, None)
            write_json_atomic(self.path, {"version": 1, "features": features})
