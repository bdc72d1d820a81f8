"""A real headless Firefox runs fixture models beside our engine; then Firefox cleans one.

Optional: skipped with the reason when no Firefox is installed (apt-get install firefox-esr) or the
onnxruntime-web WASM its omni.ja names cannot be fetched with npm (into a scratch folder of this
session, never the repo). Firefox starts twice in all: once for every run, once to clean.

fp32 only for the exact checks: quantized outputs differ across CPUs and onnxruntime builds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.engine.compare import agreement
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.sources import folder_hub
from inference_gui.errors import AppError
from inference_gui.firefox.clean import remove_model
from inference_gui.firefox.install import FirefoxInstall, read_install
from inference_gui.firefox.launch import find_firefox
from inference_gui.firefox.marionette import FirefoxError
from inference_gui.firefox.profile_cache import read_profile_cache
from inference_gui.firefox.run import (
    FirefoxRun,
    FirefoxRunner,
    createengine_options,
    run_request,
)
from inference_gui.firefox.runtime_wasm import ensure_wasm
from inference_gui.run_service import RunRequest
from tests.paths import HUB


@dataclass(frozen=True)
class Case:
    name: str
    task: str
    model: str
    texts: tuple[str, ...]
    options: dict[str, Any]


CASES = (
    Case(
        "classifier",
        "text-classification",
        "tiny/bert-sentiment",
        ("I love this film", "The service was slow and the food was cold"),
        {},
    ),
    Case("generator", "text-generation", "tiny/gpt2", ("Hello there",), {"max_new_tokens": 12}),
)
REVISION = "v1.0.0"


@pytest.fixture(scope="module")
def install() -> FirefoxInstall:
    try:
        return read_install(find_firefox())
    except FirefoxError as error:
        pytest.skip(f"needs Firefox: {error}")


@pytest.fixture(scope="module")
def wasm(install: FirefoxInstall, tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        return ensure_wasm(tmp_path_factory.mktemp("ort-wasm"), install.runtime)
    except FirefoxError as error:
        pytest.skip(f"needs onnxruntime-web {install.runtime.ort_version} from npm: {error}")


def _hub_files(model: str, revision: str) -> Any:
    try:
        return folder_hub(HUB)(model, revision)
    except AppError:
        return None


@dataclass(frozen=True)
class Ran:
    profile: Path
    firefox: dict[str, FirefoxRun]
    ours: dict[str, Any]


@pytest.fixture(scope="module")
def ran(
    install: FirefoxInstall, wasm: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ran]:
    """Every case run in one Firefox (then quit) and in our engine, on the fixture hub."""
    profile = tmp_path_factory.mktemp("firefox-run") / "profile"
    settings, _ = load_settings({}, os.environ, {"hub": str(HUB)})
    ctx = AppContext(settings)
    theirs, ours = {}, {}
    with FirefoxRunner(install, wasm, _hub_files, [], profile=profile) as firefox:
        for case in CASES:
            plan = ctx.runs.plan(
                RunRequest(task=case.task, model=case.model, revision=REVISION, dtype="fp32")
            )
            inputs = RunInput.text(list(case.texts) if len(case.texts) > 1 else case.texts[0])
            options = createengine_options(plan.options, ctx.runs.files(plan), install.feature_ids)
            theirs[case.name] = firefox.run(options, run_request(inputs, case.options))
            ours[case.name] = ctx.runs.run(plan, inputs, case.options).output
    yield Ran(profile, theirs, ours)


def test_the_classifier_labels_agree_with_ours(ran: Ran) -> None:
    theirs, ours = ran.firefox["classifier"].output, ran.ours["classifier"]
    assert [item["label"] for item in theirs] == [item["label"] for item in ours]
    for mine, firefox in zip(ours, theirs, strict=True):
        assert firefox["score"] == pytest.approx(mine["score"], abs=1e-4)
    assert agreement(theirs, ours).agrees


def test_the_generated_text_is_ours(ran: Ran) -> None:
    theirs, ours = ran.firefox["generator"].output, ran.ours["generator"]
    assert theirs == ours  # greedy fp32 decoding: identical text
    assert theirs[0]["generated_text"].startswith("Hello there")


def test_the_run_reports_times_and_no_run_keys(ran: Ran, install: FirefoxInstall) -> None:
    run = ran.firefox["classifier"]
    assert run.firefox == install.label
    assert run.load_ms > 0 and run.run_ms > 0
    assert all(isinstance(item, dict) and set(item) == {"label", "score"} for item in run.output)
    assert {"runStart", "runEnd"} <= {m["name"] for m in run.metrics}


def test_firefox_cleans_a_model_through_its_own_api(ran: Ran) -> None:
    before = read_profile_cache(ran.profile)
    assert {m.hub_model for m in before.models} == {
        "localhost/tiny/bert-sentiment",
        "localhost/tiny/gpt2",
    }
    sentiment = next(m for m in before.models if m.model == "tiny/bert-sentiment")
    for f in sentiment.revisions[0].files:  # what Firefox cached is what the hub served
        assert f.bytes_path is not None
        assert f.bytes_path.read_bytes() == (HUB / sentiment.model / REVISION / f.path).read_bytes()

    prefs = {n: (ran.profile / n).read_bytes() for n in ("prefs.js", "user.js")}
    result = remove_model(ran.profile, "tiny/bert-sentiment")

    after = read_profile_cache(ran.profile)
    assert [m.hub_model for m in after.models] == ["localhost/tiny/gpt2"]
    assert {p for _, p in result.removed} == {f.path for f in sentiment.revisions[0].files}
    assert result.remaining == []
    assert result.bytes_freed == sentiment.size > 0
    assert after.lock.running is False
    assert not (ran.profile / "MarionetteActivePort").exists()
    assert {n: (ran.profile / n).read_bytes() for n in prefs} == prefs  # put back as they were
