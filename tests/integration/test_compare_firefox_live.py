"""The Compare view's "Also run in Firefox": a real headless Firefox adds a row beside our dtypes.

Optional like test_firefox_run_live.py: skipped with the reason when no Firefox is installed
(apt-get install firefox-esr) or the onnxruntime-web WASM its omni.ja names cannot be fetched
with npm. Firefox starts once per test (about 2-5 s each here).
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inference_gui.cli.main import main
from inference_gui.engine.workloads import example
from inference_gui.firefox import beside
from inference_gui.firefox.install import FirefoxInstall
from inference_gui.firefox.marionette import FirefoxError
from inference_gui.firefox.runtime_wasm import ensure_wasm, wasm_path
from tests.gui.inference_support import inference_pane, open_window, wait_dtypes, wait_idle
from tests.paths import HUB

FIREFOX_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def install() -> FirefoxInstall:
    try:
        return beside.find_install()
    except FirefoxError as error:
        pytest.skip(f"needs Firefox: {error}")


@pytest.fixture(scope="module")
def fetched_wasm(install: FirefoxInstall, tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        return ensure_wasm(tmp_path_factory.mktemp("ort-wasm"), install.runtime)
    except FirefoxError as error:
        pytest.skip(f"needs onnxruntime-web {install.runtime.ort_version} from npm: {error}")


@pytest.fixture
def data_dir(isolated_env: Path, install: FirefoxInstall, fetched_wasm: Path) -> Path:
    """The test's data folder, holding the WASM where the app keeps it (no npm run per test)."""
    data = isolated_env / "data"
    target = wasm_path(data / beside.RUNTIME_FOLDER, install.runtime)
    target.parent.mkdir(parents=True)
    shutil.copyfile(fetched_wasm, target)
    return data


def test_compare_adds_a_firefox_row_run_off_the_gui_thread(
    qtbot, data_dir: Path, install: FirefoxInstall, monkeypatch
) -> None:
    threads: list[int] = []
    real = beside.compare_in_firefox

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - passes through
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(beside, "compare_in_firefox", spy)
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        panel = pane.compare_panel
        qtbot.waitUntil(panel.firefox.isEnabled, timeout=10_000)
        assert "headless Firefox" in panel.firefox.toolTip()
        pane.load_example(example("sentiment"))  # tiny/bert-sentiment, top 3 labels
        wait_dtypes(qtbot, pane)
        for i in range(panel.dtypes.count()):  # fp32 and q8 keep the test short
            item = panel.dtypes.item(i)
            keep = item.data(Qt.ItemDataRole.UserRole).dtype in ("fp32", "q8")
            item.setCheckState(Qt.CheckState.Checked if keep else Qt.CheckState.Unchecked)
        panel.runs.setValue(2)
        panel.firefox.setChecked(True)
        panel.button.click()
        assert pane.job is not None  # the click returned while Firefox had not even started
        wait_idle(qtbot, pane, timeout=FIREFOX_TIMEOUT_MS)

        rows = panel.model.rows()
        assert [r.dtype for r in rows] == ["fp32", "q8", f"{install.label} · fp32"]
        firefox = rows[-1]
        assert firefox.error == ""
        assert firefox.load_ms > 0 and firefox.median_ms > 0 and firefox.runs == 2
        assert firefox.agreement is not None and firefox.agreement.agrees, firefox.agreement
        assert [item["label"] for item in firefox.output] == [
            item["label"] for item in rows[0].output
        ]
        assert len(firefox.output) == len(rows[0].output) == 3  # the example asks for top 3
        assert panel.model.index(2, 6).data().startswith("same top label")
        assert threads and threading.main_thread().ident not in threads


def test_cli_firefox_run_json_reports_both_runs(capsys, data_dir: Path) -> None:
    code = main(
        ["--hub", str(HUB), "firefox", "run", "--task", "text-classification", "--json"]
        + ["--model", "tiny/bert-sentiment", "--revision", "v1.0.0", "--dtype", "fp32", "I love"]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["agreement"]["agrees"] is True
    assert report["ours"]["output"][0]["label"] == report["firefox"]["output"][0]["label"]
    assert report["ours"]["engine"]["dtype"] == "fp32"
