"""zero-shot-classification: the NLI label ids, batches, the options and each bad input's error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inference_gui.cli.main import main
from inference_gui.engine import RunInput
from inference_gui.errors import EngineError
from tests.parity.support import assert_matches
from tests.paths import EXPECTED, HUB
from tests.unit.engine.conftest import fixture_engine

ModelCopy = Callable[..., Path]
REFERENCE = json.loads((EXPECTED / "tiny__bert-nli__v1.0.0.json").read_text(encoding="utf-8"))
ZS0, ZS1 = REFERENCE["inputs"]["zs-0"], REFERENCE["inputs"]["zs-1"]


def reference(input_id: str) -> Any:
    return REFERENCE["results"]["fp32"]["outputs"][input_id]


def test_a_batch_gives_one_result_per_text_in_order() -> None:
    engine = fixture_engine("zero-shot-classification", "bert-nli")
    labels = ZS1["candidate_labels"]
    out = engine.run(RunInput.zero_shot([ZS1["text"], ZS1["text"]], labels)).output
    assert isinstance(out, list) and len(out) == 2
    for item in out:
        assert_matches(item, reference("zs-1"), 1e-4)


def test_one_label_is_scored_on_its_own() -> None:
    """With one candidate, a softmax over the labels would always give 1.0: Transformers.js
    then scores entailment against contradiction, as multi_label does."""
    engine = fixture_engine("zero-shot-classification", "bert-nli")
    single = engine.run(RunInput.zero_shot(ZS0["text"], ["urgent"])).output
    multi = reference("zs-0-multi")
    assert single["scores"][0] == pytest.approx(multi["scores"][multi["labels"].index("urgent")])
    assert single["scores"][0] < 1.0


def _relabel(folder: Path, names: dict[str, str]) -> None:
    path = folder / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["id2label"] = {k: names.get(v, v) for k, v in config["id2label"].items()}
    config["label2id"] = {names.get(k, k): v for k, v in config["label2id"].items()}
    path.write_text(json.dumps(config), encoding="utf-8")


def test_label_names_are_found_whatever_their_case(model_copy: ModelCopy) -> None:
    folder = model_copy("bert-nli")
    _relabel(folder, {"entailment": "ENTAILMENT", "contradiction": "Contradiction"})
    engine = fixture_engine("zero-shot-classification", "bert-nli", hub=folder.parents[2])
    result = engine.run(RunInput.zero_shot(ZS0["text"], ZS0["candidate_labels"]))
    assert_matches(result.output, reference("zs-0"), 1e-4)
    assert not result.warnings


def test_unnamed_labels_take_transformers_js_guess_with_a_warning(model_copy: ModelCopy) -> None:
    folder = model_copy("bert-nli")
    _relabel(folder, {"contradiction": "LABEL_0", "neutral": "LABEL_1", "entailment": "LABEL_2"})
    engine = fixture_engine("zero-shot-classification", "bert-nli", hub=folder.parents[2])
    options = {"multi_label": True}
    result = engine.run(RunInput.zero_shot(ZS0["text"], ZS0["candidate_labels"]), options)
    assert_matches(result.output, reference("zs-0-multi"), 1e-4)
    assert any("label 2 is taken as entailment" in w for w in result.warnings)


def test_a_model_without_an_entailment_label_is_refused() -> None:
    engine = fixture_engine("zero-shot-classification", "bert-sentiment")
    with pytest.raises(EngineError, match="has no 'entailment' label.*NEGATIVE, NEUTRAL"):
        engine.run(RunInput.zero_shot("text", ["a", "b"]))


@pytest.mark.parametrize(
    "labels, options, message",
    [
        ([], {}, "got no candidate labels"),
        (["sports", " "], {}, "got no candidate labels \\(or an empty one\\)"),
        (["sports"], {"hypothesis_template": "About sports."}, "has no \\{\\} for the label"),
        (["sports"], {"multi_label": "yes"}, "multi_label='yes' is not true or false"),
    ],
)
def test_bad_labels_and_options(labels: list[str], options: dict[str, Any], message: str) -> None:
    engine = fixture_engine("zero-shot-classification", "bert-nli")
    with pytest.raises(EngineError, match=message):
        engine.run(RunInput.zero_shot("The team won.", labels), options)


def test_cli_labels_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--hub", str(HUB), "run", "--task", "zero-shot-classification"]
    base += ["--model", "tiny/bert-nli", "--revision", "v1.0.0", "--dtype", "fp32", "--json"]
    labels = [arg for label in ZS1["candidate_labels"] for arg in ("--label", label)]
    template = '{"hypothesis_template": "This text is about {}."}'
    assert main([*base, *labels, "--options", template, ZS1["text"]]) == 0
    output = json.loads(capsys.readouterr().out)["output"]
    assert_matches(output, REFERENCE["results"]["fp32"]["outputs"]["zs-1-template"], 1e-4)
    assert main([*base, ZS1["text"]]) == 1
    assert "--label L" in capsys.readouterr().err
