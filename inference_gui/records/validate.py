"""Checks each record against what the platform expects; a bad record is reported, never fatal.

Each collection has a table of fields: the type it must have, whether it is required, and an extra
check for its meaning (a model id the hub accepts, a known dtype...). Unknown fields are allowed and
kept: the server may know fields this app does not.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from inference_gui.errors import HubError, bounded
from inference_gui.records.model import (
    ALLOW_DENY,
    INFERENCE_OPTIONS,
    ONNX_RUNTIME,
    Problem,
    RecordSet,
)
from inference_gui.safepath import check_relative_path
from inference_gui.vocab import (
    DTYPES,
    MAX_THREADS,
    canonical_task,
    is_valid_model_id,
    is_valid_revision,
)

Check = Callable[[Any], str | None]


@dataclass(frozen=True)
class FieldRule:
    kind: type | tuple[type, ...]
    required: bool = False
    check: Check | None = None


def _model_id(value: str) -> str | None:
    if is_valid_model_id(value):
        return None
    return f"{bounded(value)} is not a model id of the form org/name"


def _revision(value: str) -> str | None:
    if is_valid_revision(value):
        return None
    return f"{bounded(value)} is not 'main' or a version like v1.2.0"


def _dtype(value: str) -> str | None:
    return None if value in DTYPES else f"{bounded(value)} is not one of {', '.join(DTYPES)}"


def _task(value: str) -> str | None:
    return None if canonical_task(value) else f"{bounded(value)} is not a known task name"


# Bounds of the numbers records hold. Firefox reads them as JavaScript numbers: integers are exact
# only up to 2**53 - 1, and a timer longer than 2**31 - 1 ms (24.8 days) fires at once.
MAX_SAFE_INTEGER = 2**53 - 1
MAX_TIMEOUT_MS = 2**31 - 1


def _in_range(low: int, high: int, what: str, also: int | None = None) -> Check:
    """A check that an integer lies in ``low..high`` (or equals ``also``), saying so if not."""

    def check(value: int) -> str | None:
        if low <= value <= high or value == also:
            return None
        extra = f", or {also}" if also is not None else ""
        return f"{bounded(value)} is out of range: {what} must be {low} to {high:,}{extra}"

    return check


_threads = _in_range(1, MAX_THREADS, "a number of threads")
_timeout = _in_range(1, MAX_TIMEOUT_MS, "a number of milliseconds", also=-1)
_epoch_ms = _in_range(0, MAX_SAFE_INTEGER, "a time in ms since 1970")


def _not_empty(value: str) -> str | None:
    return None if value.strip() else "it is empty"


def _major_minor(value: str) -> str | None:
    return None if re.fullmatch(r"\d+\.\d+", value) else f"{bounded(value)} is not MAJOR.MINOR"


def _filter(value: str) -> str | None:
    return None if value in ("ALLOW", "DENY") else f"{bounded(value)} is not ALLOW or DENY"


def _url_prefix(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        return None
    return f"{bounded(value)} is not an http(s) URL prefix"


def _attachment(value: dict[str, Any]) -> str | None:
    for key, kind in (("location", str), ("filename", str), ("hash", str), ("size", int)):
        if not isinstance(value.get(key), kind) or isinstance(value.get(key), bool):
            return f"attachment.{key} is missing or not a {kind.__name__}"
    if not re.fullmatch(r"[0-9a-f]{64}", value["hash"]):
        return "attachment.hash is not a sha256 hex digest"
    if not 0 <= value["size"] <= MAX_SAFE_INTEGER:
        return f"attachment.size {bounded(value['size'])} is negative or past 2**53 - 1"
    try:
        check_relative_path(value["location"], what="attachment location")
        if "/" in value["filename"]:
            raise HubError(f"attachment filename {bounded(value['filename'])} contains a '/'")
        check_relative_path(value["filename"], what="attachment filename")
    except HubError as exc:
        return exc.message
    return None


_METADATA = {
    "id": FieldRule(str, True, _not_empty),
    "last_modified": FieldRule(int, False, _epoch_ms),
    "schema": FieldRule(int, False, _epoch_ms),
    "filter_expression": FieldRule(str),
}

RULES: dict[str, dict[str, FieldRule]] = {
    INFERENCE_OPTIONS: {
        **_METADATA,
        # Optional: Firefox identifies a record by featureId and, without one, by taskName.
        "featureId": FieldRule(str, False, _not_empty),
        "taskName": FieldRule(str, True, _task),
        "modelId": FieldRule(str, True, _model_id),
        "modelRevision": FieldRule(str, False, _revision),
        "dtype": FieldRule(str, False, _dtype),
        "tokenizerId": FieldRule(str, False, _model_id),
        "tokenizerRevision": FieldRule(str, False, _revision),
        "processorId": FieldRule(str, False, _model_id),
        "processorRevision": FieldRule(str, False, _revision),
        "backend": FieldRule(str, False, _not_empty),
        "numThreads": FieldRule(int, False, _threads),
        "timeoutMS": FieldRule(int, False, _timeout),
    },
    ONNX_RUNTIME: {
        **_METADATA,
        "name": FieldRule(str, True, _not_empty),
        "version": FieldRule(str, True, _major_minor),
        "attachment": FieldRule(dict, True, _attachment),
    },
    ALLOW_DENY: {
        **_METADATA,
        "filter": FieldRule(str, True, _filter),
        "urlPrefix": FieldRule(str, True, _url_prefix),
        "description": FieldRule(str),
    },
}

# Fields that must not repeat across a collection's records (resolution needs one answer).
UNIQUE: dict[str, tuple[str, ...]] = {INFERENCE_OPTIONS: ("id", "featureId"), ONNX_RUNTIME: ("id",)}
UNIQUE[ALLOW_DENY] = ("id",)

_TYPE_NAMES: dict[type | tuple[type, ...], str] = {
    str: "a string",
    int: "an integer",
    dict: "an object",
}


def check_field(rule: FieldRule, value: Any) -> str | None:
    """What is wrong with ``value`` for ``rule`` (None when fine); a bool is never an integer."""
    if not isinstance(value, rule.kind) or (rule.kind is int and isinstance(value, bool)):
        kind = _TYPE_NAMES.get(rule.kind, rule.kind)
        return f"must be {kind}, not {type(value).__name__} {bounded(value)}"
    return rule.check(value) if rule.check else None


def _record_problems(rules: dict[str, FieldRule], record: Any, key: str) -> list[Problem]:
    if not isinstance(record, dict):
        return [Problem(key, "(record)", f"is a {type(record).__name__}, not a JSON object")]
    problems = []
    for name, rule in rules.items():
        if name not in record or record[name] is None:
            if rule.required:
                problems.append(Problem(key, name, "is required but missing"))
            continue
        message = check_field(rule, record[name])
        if message:
            problems.append(Problem(key, name, message))
    return problems


def validate(collection: str, records: list[Any]) -> list[Problem]:
    """Every problem in ``records``; collections this app does not know only need an ``id``."""
    rules = RULES.get(collection, {"id": _METADATA["id"]})
    keys = [RecordSet.record_key(r, i) for i, r in enumerate(records)]
    problems = [
        p for r, k in zip(records, keys, strict=True) for p in _record_problems(rules, r, k)
    ]
    for name in UNIQUE.get(collection, ("id",)):
        holders: dict[Any, list[int]] = defaultdict(list)
        for index, record in enumerate(records):
            if isinstance(record, dict) and isinstance(record.get(name), str):
                holders[record[name]].append(index)
        for value, indexes in holders.items():
            for index in indexes if len(indexes) > 1 else ():
                # by id, or by position (#3) when the id is the very value they share
                others = [
                    keys[i] if keys[i] != keys[index] else f"#{i}" for i in indexes if i != index
                ]
                noun = "record" if len(others) == 1 else "records"
                problems.append(
                    Problem(
                        keys[index],
                        name,
                        f"{bounded(value)} is also used by {noun} {', '.join(others)}",
                    )
                )
    return problems
