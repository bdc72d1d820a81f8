"""One declaration per task: the runtime and the options editor agree on every option."""

from __future__ import annotations

import pytest

from inference_gui.engine.option_schema import TASK_OPTIONS, check_options, option, specs_for
from inference_gui.engine.tasks import TASKS, task_class
from inference_gui.errors import EngineError


def test_every_task_module_has_a_declaration() -> None:
    names = {task_class(task).name for task in TASKS if task_class(task).needs_model}
    assert names <= set(TASK_OPTIONS), names - set(TASK_OPTIONS)


@pytest.mark.parametrize(
    ("task", "options", "severity", "words"),
    [
        ("fill-mask", {"top_k": 2.5}, "error", "top_k=2.5 is not a whole number"),
        ("fill-mask", {"top_k": True}, "error", "top_k=True is not a whole number"),
        ("object-detection", {"threshold": 1.5}, "error", "threshold=1.5 is above 1"),
        ("feature-extraction", {"pooling": "max"}, "error", "pooling='max' is not one of none"),
        ("text-generation", {"top_p": 0}, "error", "top_p=0 must be more than 0"),
        ("text-generation", {"temperature": float("nan")}, "error", "is not a number"),
        ("text-generation", {"num_beams": 2}, "note", "Transformers.js has no beam search"),
        ("zero-shot-classification", {"labels": ["a"]}, "warning", "labels is not an option"),
    ],
)
def test_problems_are_named_by_severity(
    task: str, options: dict, severity: str, words: str
) -> None:
    (problem,) = check_options(task, options)
    assert problem.severity == severity and words in problem.message


def test_the_runtime_reads_values_and_defaults_from_the_declaration() -> None:
    assert (
        option({}, "object-detection", "threshold")
        == specs_for("object-detection")["threshold"].default
    )
    assert option({"top_k": 3}, "image-classification", "top_k") == 3
    with pytest.raises(EngineError) as caught:
        option({"percentage": "yes"}, "object-detection", "percentage")
    assert caught.value.message == "The option percentage='yes' is not true or false."
    assert caught.value.hint == "Use true or false."


def test_a_wrong_option_fails_before_the_model_loads() -> None:
    """The engine checks every declared option first: a typo costs no model load, and the
    message is the one the editor shows as you type."""
    from inference_gui.engine import EngineOptions, RunInput
    from inference_gui.engine.engine import Engine
    from inference_gui.engine.sources import folder_hub
    from tests.paths import HUB

    engine = Engine(
        EngineOptions("text-classification", "tiny/bert-sentiment", "v1.0.0", "q8"),
        folder_hub(HUB),
    )
    with pytest.raises(EngineError) as caught:
        engine.run(RunInput.text("Lovely"), {"top_k": "three"})
    assert caught.value.message == "The option top_k='three' is not a whole number."
    (shown,) = check_options("text-classification", {"top_k": "three"})
    assert shown.message.startswith("top_k='three' is not a whole number")
    assert engine.status == "created"  # never loaded
    assert engine.run(RunInput.text("Lovely"), {"top_k": 2}).output[0]["label"]


def test_an_unknown_key_names_the_option_it_is_likely_a_typo_of() -> None:
    (typo,) = check_options("text-generation", {"max_new_token": 5})
    assert typo.message.endswith("did you mean max_new_tokens?")
    (other,) = check_options("fill-mask", {"colour": "red"})
    assert other.message.endswith("(it reads: top_k).")
