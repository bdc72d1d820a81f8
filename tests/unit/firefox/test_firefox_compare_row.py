"""The Compare view's Firefox row built from a Firefox run, without starting a Firefox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.engine.compare import CompareRow
from inference_gui.engine.inputs import RunInput
from inference_gui.firefox.beside import (
    FirefoxTimes,
    compare_in_firefox,
    firefox_row,
    reference_row,
    unavailable_reason,
)
from inference_gui.firefox.run import FirefoxRun
from inference_gui.run_service import RunRequest
from tests.paths import HUB

POSITIVE = [{"label": "POSITIVE", "score": 0.91}, {"label": "NEGATIVE", "score": 0.09}]


def ours(dtype: str, output: object = POSITIVE, error: str = "") -> CompareRow:
    return CompareRow(dtype, 1234, 10.0, 2.0, 3.0, 5_000_000, 5, output=output, error=error)


def firefox_run(output: object, run_ms: float = 9.0) -> FirefoxRun:
    return FirefoxRun("Firefox 153.8.0esr", {"dtype": "fp32"}, output, 850.0, run_ms, [])


def test_the_row_has_firefox_timings_and_its_agreement_with_our_fp32() -> None:
    output = [{"label": "POSITIVE", "score": 0.9099}, {"label": "NEGATIVE", "score": 0.0901}]
    row = firefox_row(FirefoxTimes(firefox_run(output), (6.0, 4.0, 5.0, 8.0)), ours("fp32"))
    assert row.dtype == "Firefox 153.8.0esr · fp32"
    assert row.size_bytes == 1234  # the same files as our row
    assert row.load_ms == 850.0
    assert row.median_ms == 5.5
    assert row.p90_ms == pytest.approx(7.4)  # 6 + 0.7 * (8 - 6)
    assert row.runs == 4
    assert row.rss_bytes == 0  # not measured in Firefox
    assert row.agreement is not None and row.agreement.agrees
    assert row.agreement.text.startswith("same top label (POSITIVE), score Δ 0.0001")
    assert row.output == output and row.error == ""


def test_a_different_answer_in_firefox_disagrees() -> None:
    output = [{"label": "NEGATIVE", "score": 0.6}, {"label": "POSITIVE", "score": 0.4}]
    row = firefox_row(FirefoxTimes(firefox_run(output), ()), ours("fp32"))
    assert row.agreement is not None and not row.agreement.agrees
    assert "different top label (NEGATIVE)" in row.agreement.text
    assert (row.median_ms, row.p90_ms, row.runs) == (9.0, 9.0, 1)  # the cold run alone


def test_firefox_is_compared_with_fp32_else_the_first_dtype_that_ran() -> None:
    q8, fp32, fp16 = ours("q8"), ours("fp32"), ours("fp16")
    assert reference_row([q8, fp16, fp32]) is fp32
    assert reference_row([ours("fp32", error="no fp32 file"), q8, fp16]) is q8
    assert reference_row([ours("q8", error="failed")]) is None


def _plan_and_context() -> tuple[AppContext, object]:
    settings, _ = load_settings({}, os.environ, {"hub": str(HUB)})
    ctx = AppContext(settings)
    plan = ctx.runs.plan(
        RunRequest(task="text-classification", model="tiny/bert-sentiment", revision="v1.0.0")
    )
    return ctx, plan


def test_nothing_to_compare_with_is_a_row_saying_so() -> None:
    ctx, plan = _plan_and_context()
    try:
        row = compare_in_firefox(
            ctx, plan, RunInput.text("hi"), {}, [ours("fp32", error="broken")], 1
        )
    finally:
        ctx.close()
    assert row.dtype == "Firefox"
    assert row.error == "Not run in Firefox: none of our dtypes ran, so there is nothing to " + (
        "compare with."
    )


def test_no_firefox_installed_is_a_row_and_a_reason(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no firefox-esr, firefox or npm here
    ctx, plan = _plan_and_context()
    try:
        assert unavailable_reason(ctx).startswith("No Firefox found")
        row = compare_in_firefox(ctx, plan, RunInput.text("hi"), {}, [ours("fp32")], 1)
    finally:
        ctx.close()
    assert row.dtype == "Firefox · fp32"
    assert row.error.startswith("Not run in Firefox: No Firefox found")
    assert row.agreement is None


def test_cli_firefox_run_without_firefox_is_one_line(capsys, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-firefox")
    code = main(
        ["--hub", str(HUB), "firefox", "run", "--task", "text-classification"]
        + ["--model", "tiny/bert-sentiment", "--firefox", missing, "I love it"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"inference-gui: No Firefox found ({missing})")
    assert "Traceback" not in err
