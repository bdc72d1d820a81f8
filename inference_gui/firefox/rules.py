"""Firefox's own rules for inference-options records, mirrored as warnings.

Our resolution is lenient; Firefox's is not. ``createEngine`` refuses a ``featureId`` outside the
``FEATURES`` list of ``EngineProcess.sys.mjs``, and ``MLEngineParent.getInferenceOptions`` throws
"Found more than one inference options record" when two records match the same lookup (by
feature id, or by task name as the fallback, narrowed by model id). A record set that passes our
validation can still fail in Firefox: these warnings say where.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from inference_gui.records.model import Problem, RecordSet

PREFIX = "Firefox would reject this: "

# Firefox ESR 140's FEATURES keys, for when no Firefox install can be read.
FEATURE_IDS_ESR140 = (
    "autofill-classification",
    "pdfjs-alt-text",
    "suggest-intent-classification",
    "suggest-NER",
    "about-inference",
    "smart-tab-embedding",
    "smart-tab-topic",
    "simple-text-embedder",
    "link-preview",
)


def firefox_rejects(feature_id: str, known: Sequence[str], *, listed: bool = True) -> str | None:
    """Why Firefox refuses ``feature_id`` in createEngine, or None when it accepts it.

    ``listed`` names Firefox's features in the message (a one-off error, not a table row).
    """
    if feature_id in known:
        return None
    features = f" ({', '.join(known)})" if listed else ""
    return (
        f"{PREFIX}feature id {feature_id!r} is not one of its features{features}; "
        "createEngine throws."
    )


def firefox_warnings(
    records: Sequence[Any], known: Sequence[str] = FEATURE_IDS_ESR140
) -> list[Problem]:
    """Every record Firefox would refuse or choke on, as warnings (the records stay usable)."""
    warnings: list[Problem] = []
    lookups: dict[tuple[str, str, str | None], list[str]] = defaultdict(list)
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            continue
        key = RecordSet.record_key(record, index)
        feature, task, model = (record.get(k) for k in ("featureId", "taskName", "modelId"))
        model = model if isinstance(model, str) else None
        if isinstance(feature, str) and feature:
            rejection = firefox_rejects(feature, known, listed=False)
            if rejection:
                warnings.append(Problem(key, "featureId", rejection))
            lookups[("feature id", feature, model)].append(key)
        if isinstance(task, str) and task:
            lookups[("task", task, model)].append(key)
    for (what, value, model), keys in lookups.items():
        for key in keys if len(keys) > 1 else ():
            others = ", ".join(k for k in keys if k != key)
            on_model = f" and model {model}" if model else ""
            warnings.append(
                Problem(
                    key,
                    "featureId" if what == "feature id" else "taskName",
                    f"{PREFIX}it and {others} both match {what} {value}{on_model}; "
                    "getInferenceOptions throws 'Found more than one inference options record'.",
                )
            )
    return warnings
