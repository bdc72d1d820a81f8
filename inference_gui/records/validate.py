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

from inference_gui.errors import HubError
from inference_gui.records.model import (
    ALLOW_DENY,
    INFERENCE_OPTIONS,
    ONNX_RUNTIME,
    Problem,
    RecordSet,
)
from inference_gui.safepath import check_relative_path
from inference_gui.vocab import DTYPES, canonical_task, is_valid_model_id, is_valid_revision

Check = Callable[[Any], str | None]


@dataclass(frozen=True)
class FieldRule:
    kind: type | tuple[type, ...]
    required: bool = False
    check: Check | None = None


def _model_id(value: str) -> str | None:
    if is_valid_model_id(value):
        return None
    return f"{value!r} is not a model id of the form org/name"


def _revision(value: str) -> str | None:
    if is_valid_revision(value):
        return None
    return f"{value!r} is not 'main' or a version like v1.2.0"


def _dtype(value: str) -> str | None:
    return None if value in DTYPES else f"{value!r} is not one of {', '.join(DTYPES)}"


def _task(value: str) -> str | None:
    return None if canonical_task(value) else f"{value!r} is not a known task name"


def _positive(value: int) -> str | None:
    return None if value > 0 else f"{value} must be 1 or more"


def _timeout(value: int) -> str | None:
    return None if value > 0 or value == -1 else f"{value} must be a positive number of ms, or -1"


def _not_empty(value: str) -> str | None:
    return None if value.strip() else "it is empty"


def _major_minor(value: str) -> str | None:
    return None if re.fullmatch(r"\d+\.\d+", value) else f"{value!r} is not MAJOR.MINOR"


def _filter(value: str) -> str | None:
    return None if value in ("ALLOW", "DENY") else f"{value!r} is not ALLOW or DENY"


def _url_prefix(value: str) -> str | None:
    parts = urlsplit(value)
    return None if parts.scheme in ("http", "https") else f"{value!r} is not an http(s) URL prefix"


def _attachment(value: dict[str, Any]) -> str | None:
    for key, kind in (("location", str), ("filename", str), ("hash", str), ("size", int)):
        if not isinstance(value.get(key), kind) or isinstance(value.get(key), bool):
            return f"attachment.{key} is missing or not a {kind.__name__}"
    if not re.fullmatch(r"[0-9a-f]{64}", value["hash"]):
        return "attachment.hash is not a sha256 hex digest"
    if value["size"] < 0:
        return "attachment.size is negative"
    try:
        check_relative_path(value["location"], what="attachment location")
        if "/" in value["filename"]:
            raise HubError(f"attachment filename {value['filename']!r} contains a '/'")
        check_relative_path(value["filename"], what="attachment filename")
    except HubError as exc:
        return exc.message
    return None


_METADATA = {
    "id": FieldRule(str, True, _not_empty),
    "last_modified": FieldRule(int),
    "schema": FieldRule(int),
    "filter_expression": FieldRule(str),
}

RULES: dict[str, dict[str, FieldRule]] = {
    INFERENCE_OPTIONS: {
        **_METADATA,
        "featureId": FieldRule(str, True, _not_empty),
        "taskName": FieldRule(str, True, _task),
        "modelId": FieldRule(str, True, _model_id),
        "modelRevision": FieldRule(str, False, _revision),
        "dtype": FieldRule(str, False, _dtype),
        "tokenizerId": FieldRule(str, False, _model_id),
        "tokenizerRevision": FieldRule(str, False, _revision),
        "processorId": FieldRule(str, False, _model_id),
        "processorRevision": FieldRule(str, False, _revision),
        "backend": FieldRule(str, False, _not_empty),
        "numThreads": FieldRule(int, False, _positive),
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

_TYPE_NAMES = {str: "a string", int: "an integer", dict: "an object"}


def check_field(rule: FieldRule, value: Any) -> str | None:
    """What is wrong with ``value`` for ``rule`` (None when fine); a bool is never an integer."""
    if not isinstance(value, rule.kind) or (rule.kind is int and isinstance(value, bool)):
        return (
            f"must be {_TYPE_NAMES.get(rule.kind, rule.kind)}, not {type(value).__name__} {value!r}"
        )
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
    problems = [p for r, k in zip(records, keys) for p in _record_problems(rules, r, k)]
    for name in UNIQUE.get(collection, ("id",)):
        holders: dict[Any, list[str]] = defaultdict(list)
        for record, key in zip(records, keys):
            if isinstance(record, dict) and isinstance(record.get(name), str):
                holders[record[name]].append(key)
        for value, ids in holders.items():
            if len(ids) > 1:
                for key in ids:
                    others = ", ".join(i for i in ids if i != key)
                    problems.append(Problem(key, name, f"{value!r} is also used by {others}"))
    return problems
