"""What ``createEngine({featureId, taskName, modelId})`` would run with, and why.

Mirrors Firefox's ``MLEngineParent.getInferenceOptions``: match records on ``featureId`` (or on
``taskName`` when no feature is given), narrowed by ``modelId``; a feature with no record falls back
to its task (any record of that task, including those with no ``featureId``, which Firefox keeps
for exactly this); more than one match is an error. Then local overrides, then the caller's values,
win. With no record and no model id, the task's default model is Firefox's (``DEFAULT_MODELS``,
see :mod:`inference_gui.records.task_defaults`). Every option carries where it came from, so the UI
and CLI can show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inference_gui.errors import RecordError
from inference_gui.records.model import RecordSet
from inference_gui.records.overrides import coerce_option
from inference_gui.records.task_defaults import TASK_DEFAULTS

RECORD = "record"
FALLBACK = "fallback"
OVERRIDE = "override"
CALLER = "caller"
DEFAULT = "default"  # Firefox's default model of the task (records.task_defaults)

# Record fields that describe the record itself, not how to run the model.
_NOT_OPTIONS = frozenset({"id", "last_modified", "schema", "filter_expression"})


@dataclass(frozen=True)
class Resolution:
    options: dict[str, Any]
    sources: dict[str, str]
    record_id: str | None = None
    matched_by: str = "none"  # "featureId", "taskName" or "none"
    overridden: dict[str, Any] = field(default_factory=dict)  # local overrides that were applied

    def rows(self) -> list[tuple[str, Any, str]]:
        return [(k, v, self.sources[k]) for k, v in self.options.items()]


def feature_ids(records: list[dict[str, Any]]) -> list[str]:
    """The features that have records (records without a featureId serve their task only)."""
    return sorted({r["featureId"] for r in records if isinstance(r.get("featureId"), str)})


def _describe(record: dict[str, Any]) -> str:
    feature, model = record.get("featureId"), record.get("modelId")
    return f"{record.get('id', '?')} (featureId {feature!r}, modelId {model!r})"


def _find(
    records: list[dict[str, Any]], key: str, value: str, model_id: str | None
) -> list[dict[str, Any]]:
    return [
        r
        for r in records
        if r.get(key) == value and (model_id is None or r.get("modelId") == model_id)
    ]


def _feature_problems(records: RecordSet, feature_id: str) -> RecordError | None:
    """An error when the feature's own records exist but are all invalid (not a fallback)."""
    bad = [
        (i, r)
        for i, r in enumerate(records.records)
        if isinstance(r, dict) and r.get("featureId") == feature_id and not records.is_usable(i)
    ]
    if not bad:
        return None
    details = "; ".join(
        f"{RecordSet.record_key(r, i)}: "
        + ", ".join(f"{p.field} {p.message}" for p in records.problems_of(i))
        for i, r in bad
    )
    return RecordError(
        f"The record(s) for feature {feature_id!r} are invalid and were skipped: {details}.",
        "Fix the record (see the problems list), or override the values you need.",
    )


def resolve(
    records: RecordSet,
    feature_id: str | None = None,
    task_name: str | None = None,
    model_id: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    local_overrides: Mapping[str, Any] | None = None,
) -> Resolution:
    """Effective options; ``overrides`` are the caller's (they win), ``local_overrides`` stored."""
    if not feature_id and not task_name:
        raise RecordError(
            "Nothing to resolve: no feature id and no task name.", "Give a feature id or --task."
        )
    usable = records.usable()
    matched_by, source = "none", CALLER
    matches: list[dict[str, Any]] = []
    if feature_id:
        matches = _find(usable, "featureId", feature_id, model_id)
        matched_by, source = "featureId", RECORD
        if not matches:
            invalid = _feature_problems(records, feature_id)
            if invalid:
                raise invalid
    if not matches and task_name:
        matches = _find(usable, "taskName", task_name, model_id)
        matched_by, source = "taskName", FALLBACK if feature_id else RECORD
    if len(matches) > 1:
        what = f"feature {feature_id!r}" if matched_by == "featureId" else f"task {task_name!r}"
        raise RecordError(
            f"More than one record matches {what}"
            f"{' and model ' + repr(model_id) if model_id else ''}: "
            + "; ".join(_describe(r) for r in matches)
            + ".",
            "Give a model id to narrow it down, or fix the records so only one matches.",
        )
    options: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def put(key: str, value: Any, origin: str) -> None:
        options[key] = value
        sources[key] = origin

    record = matches[0] if matches else None
    default = TASK_DEFAULTS.get(task_name or "") if record is None and not model_id else None
    if record is None:
        if not (task_name and (model_id or default)):
            what = f"feature {feature_id!r}" if feature_id else f"task {task_name!r}"
            fallback = f" nor for task {task_name!r}" if feature_id and task_name else ""
            no_default = (
                f" Firefox has no default model for task {task_name!r} either."
                if task_name and not model_id
                else ""
            )
            raise RecordError(
                f"No usable record for {what}{fallback}"
                f"{' with model ' + repr(model_id) if model_id else ''}.{no_default}",
                "Known features: "
                + ", ".join(feature_ids(usable)[:20])
                + ". Or give both a task and a model id.",
            )
        matched_by = "none"
        if default is not None:
            put("modelId", default.model_id, DEFAULT)
            put("dtype", default.dtype, DEFAULT)
    else:
        for key, value in record.items():
            if key not in _NOT_OPTIONS and not (source == FALLBACK and key == "featureId"):
                put(key, value, source)
    caller = {"featureId": feature_id, "taskName": task_name, "modelId": model_id}
    for key, value in caller.items():
        if value and options.get(key) != value:
            put(key, value, CALLER)
    applied = {k: v for k, v in (local_overrides or {}).items()}
    for key, value in applied.items():
        put(key, value, OVERRIDE)
    for key, value in (overrides or {}).items():
        put(key, coerce_option(key, value), CALLER)
    return Resolution(options, sources, record.get("id") if record else None, matched_by, applied)
