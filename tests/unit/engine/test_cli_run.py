"""``inference-gui run`` end to end over the fixture hub, through the model cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from inference_gui.engine import RunInput
from tests.parity.support import core_output
from tests.paths import EXPECTED, HUB, INPUTS, REMOTE_SETTINGS


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--hub", str(HUB), "run", *args])
    out, err = capsys.readouterr()
    return code, out, err


def expected(name: str, dtype: str, input_id: str) -> object:
    data = json.loads((EXPECTED / name).read_text())
    return data["inputs"][input_id], data["results"][dtype]["outputs"][input_id]


def test_json_report_matches_transformers_js(capsys: pytest.CaptureFixture[str]) -> None:
    text, output = expected("tiny__bert-sentiment__v1.0.0.json", "fp32", "text-0")
    code, out, _ = run_cli(
        capsys,
        "--task",
        "text-classification",
        "--model",
        "tiny/bert-sentiment",
        "--revision",
        "v1.0.0",
        "--dtype",
        "fp32",
        "--options",
        '{"top_k": 3}',
        text,
        "--json",
    )
    assert code == 0
    report = json.loads(out)
    assert [r["label"] for r in report["output"]] == [r["label"] for r in output]
    assert report["engine"] == {
        "task": "text-classification",
        "model": "tiny/bert-sentiment",
        "revision": "v1.0.0",
        "dtype": "fp32",
        "threads": 0,
        "files": ["config.json", "onnx/model.onnx", "tokenizer.json", "tokenizer_config.json"],
    }
    assert set(report["timings_ms"]) == {
        "resolve",
        "fetch",
        "session_create",
        "preprocess",
        "run",
        "postprocess",
        "total",
    }


def test_several_texts_are_a_batch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "--task",
        "feature-extraction",
        "--model",
        "tiny/bert-embed",
        "--revision",
        "v1.0.0",
        "--options",
        '{"pooling": "mean"}',
        "a",
        "b c",
        "--json",
    )
    assert code == 0 and json.loads(out)["output"]["dims"] == [2, 64]


def test_question_answering_and_images(capsys: pytest.CaptureFixture[str]) -> None:
    qa, _ = expected("tiny__bert-qa__v1.0.0.json", "q8", "qa-0")
    # the default dtype (q8): held against our engine, whose near-ties may differ across CPUs
    answer = core_output(
        "question-answering", "tiny/bert-qa", "q8", RunInput.qa(qa["question"], qa["context"]), {}
    )
    code, out, _ = run_cli(
        capsys,
        "--task",
        "question-answering",
        "--model",
        "tiny/bert-qa",
        "--revision",
        "v1.0.0",
        "--question",
        qa["question"],
        "--context",
        qa["context"],
        "--json",
    )
    assert code == 0 and json.loads(out)["output"]["answer"] == answer["answer"]
    code, out, _ = run_cli(
        capsys,
        "--task",
        "image-classification",
        "--model",
        "tiny/vit-classifier",
        "--revision",
        "v1.0.0",
        "--dtype",
        "fp32",
        "--image",
        str(INPUTS / "gradient-checker.png"),
        "--json",
    )
    _, labels = expected("tiny__vit-classifier__v1.0.0.json", "fp32", "image-1")
    assert code == 0 and json.loads(out)["output"][0]["label"] == labels[0]["label"]


def test_feature_resolves_through_the_records(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "--hub",
            str(HUB),
            "--settings-file",
            str(REMOTE_SETTINGS / "ml-inference-options.json"),
            "run",
            "--feature",
            "tiny-ner",
            "Alice works for Mozilla in Berlin.",
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (
        report["engine"]["model"] == "tiny/bert-ner"
        and report["engine"]["task"] == "token-classification"
    )
    assert all("entity" in token for token in report["output"])


def test_threads_from_the_flag_or_the_environment_reach_the_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    embed = ["--task", "feature-extraction", "--model", "tiny/bert-embed", "--revision", "v1.0.0"]
    code = main(["--hub", str(HUB), "--threads", "2", "run", *embed, "a", "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["engine"]["threads"] == 2
    monkeypatch.setenv("INFERENCE_GUI_THREADS", "3")
    code, out, _ = run_cli(capsys, *embed, "a", "--json")
    assert code == 0 and json.loads(out)["engine"]["threads"] == 3


def test_a_local_folder_runs_without_the_hub(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text, output = expected("tiny__bert-sentiment__v1.0.0.json", "fp32", "text-0")
    folder = HUB / "tiny/bert-sentiment/v1.0.0"
    code = main(
        ["--hub", str(tmp_path), "run", "--task", "text-classification", "--folder", str(folder)]
        + ["--dtype", "fp32", text, "--json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["output"][0]["label"] == output[0]["label"]


def test_model_with_a_feature_narrows_the_records_as_records_resolve_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = ["--settings-file", str(REMOTE_SETTINGS / "ml-inference-options.json")]
    run = [*settings, "run", "--feature", "tiny-ner", "Alice is in Berlin.", "--json"]
    code = main(["--hub", str(HUB), *run, "--model", "tiny/bert-ner"])
    assert code == 0 and json.loads(capsys.readouterr().out)["engine"]["model"] == "tiny/bert-ner"
    code = main(["--hub", str(HUB), *run, "--model", "tiny/bert-sentiment"])
    out, err = capsys.readouterr()
    assert code == 1 and json.loads(out)["error"]["message"] in err  # --json: the error object
    assert "No usable record for feature 'tiny-ner'" in err and "tiny/bert-sentiment" in err
    code = main([*settings, "records", "resolve", "tiny-ner", "--model", "tiny/bert-sentiment"])
    assert code == 1 and "No usable record for feature 'tiny-ner'" in capsys.readouterr().err


def test_moz_echo_needs_no_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--task", "moz-echo", "hello", "--json")
    assert code == 0 and json.loads(out)["output"] == {"output": "hello"}


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--task", "make-coffee", "--model", "a/b", "x"], "Unknown task"),
        (["--task", "audio-classification", "--audio", str(INPUTS / "chirp.wav")], "needs --model"),
        # no record for the task: Firefox's default model of it, which this hub lacks
        (["--task", "fill-mask", "x"], "Xenova/bert-base-uncased is not in the hub folder"),
        (
            [
                "--task",
                "fill-mask",
                "--model",
                "tiny/bert-fill-mask",
                "--revision",
                "v1.0.0",
                "--dtype",
                "q2",
                "x",
            ],
            "Unknown dtype",
        ),
        (
            [
                "--task",
                "fill-mask",
                "--model",
                "tiny/bert-fill-mask",
                "--revision",
                "v1.0.0",
                "--options",
                "{top_k: 3}",
                "x [MASK]",
            ],
            "not valid JSON",
        ),
        (
            [
                "--task",
                "fill-mask",
                "--model",
                "tiny/bert-fill-mask",
                "--revision",
                "v1.0.0",
                "--options",
                "[3]",
                "x [MASK]",
            ],
            "must be a JSON object",
        ),
        (
            [
                "--task",
                "image-classification",
                "--model",
                "tiny/vit-classifier",
                "--revision",
                "v1.0.0",
                "a cat",
            ],
            "takes an image",
        ),
        (
            [
                "--task",
                "text-classification",
                "--model",
                "tiny/missing",
                "--revision",
                "v1.0.0",
                "x",
            ],
            "tiny/missing",
        ),
        (
            [
                "--task",
                "text-classification",
                "--model",
                "tiny/bert-sentiment",
                "--revision",
                "v1.0.0",
                "x",
                "--image",
                "y.png",
            ],
            "one kind of input",
        ),
    ],
)
def test_errors_exit_1_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_an_example_runs_by_name_as_the_same_run_spelled_out(capsys) -> None:
    """``run --example`` takes the example's model, input and options (here zero-shot's labels
    and its hypothesis template), so it prints what the spelled-out run prints."""
    from inference_gui.engine.workloads import example

    chosen = example("zero-shot")
    code, out, err = run_cli(capsys, "--example", "zero-shot", "--json")
    assert code == 0, err
    by_name = json.loads(out)
    spelled = [
        *("--task", chosen.task, "--model", chosen.model_id, "--revision", chosen.revision),
        *("--dtype", chosen.dtype, "--options", json.dumps(dict(chosen.options))),
        *(arg for label in chosen.input["labels"] for arg in ("--label", label)),
        chosen.input["text"],
        "--json",
    ]
    code, out, err = run_cli(capsys, *spelled)
    assert code == 0, err
    assert by_name["output"] == json.loads(out)["output"]
    assert by_name["engine"] == json.loads(out)["engine"]
    mine = ("--label", "sports", "--label", "cooking", "Another text")
    code, out, err = run_cli(capsys, "--example", "zero-shot", "--json", *mine)
    assert code == 0, err  # a given input replaces the example's
    assert json.loads(out)["output"]["sequence"] == "Another text"
    assert sorted(json.loads(out)["output"]["labels"]) == ["cooking", "sports"]


def test_an_example_takes_no_other_model(capsys) -> None:
    code, _, err = run_cli(capsys, "--example", "sentiment", "--model", "tiny/bert-ner")
    assert code == 1 and "--example runs the example's model" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = run_cli(capsys, "--example", "no-such-example")
    assert code == 1 and "There is no example 'no-such-example'" in err
