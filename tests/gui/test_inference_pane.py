"""The Inference pane driven as a person would, against a real local HTTP hub serving fixtures."""

from __future__ import annotations

import csv
import itertools
import json
import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from inference_gui.engine import RunInput
from inference_gui.engine.workloads import example
from tests.gui.inference_support import (
    expected,
    inference_pane,
    open_window,
    wait_dtypes,
    wait_idle,
)
from tests.parity.support import core_output
from tests.paths import HUB, INPUTS, REMOTE_SETTINGS
from tests.support.http_hub import serve_hub


@pytest.fixture
def server():
    with serve_hub(HUB) as hub:
        yield hub


def test_example_downloads_runs_and_shows_scores_without_stalling(qtbot, server) -> None:
    server.faults.add("slow", times=None, path=".onnx")  # a download long enough to watch
    with open_window(qtbot, {"hub": server.url}) as window:
        pane = inference_pane(window)
        ticks: list[float] = []
        heartbeat = QTimer(interval=10)
        heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
        heartbeat.start()
        pane.load_example(example("sentiment"))
        wait_dtypes(qtbot, pane)
        texts = [pane.dtypes.combo.itemText(i) for i in range(pane.dtypes.combo.count())]
        size = (HUB / "tiny/bert-sentiment/v1.0.0/onnx/model_quantized.onnx").stat().st_size
        assert pane.dtypes.combo.currentData() == "q8"
        assert any(t.startswith("q8") and "KiB" in t for t in texts), texts
        assert pane.dtypes.choices()[2].size_bytes == size
        pane.run_button.click()
        qtbot.waitUntil(lambda: pane.downloads.model.rowCount() > 0, timeout=10_000)
        assert pane.downloads.view.isVisible() and pane.cancel_button.isEnabled()
        wait_idle(qtbot, pane)
        heartbeat.stop()

        want = expected("tiny__bert-sentiment__v1.0.0")["results"]["q8"]["outputs"]["text-0"]
        shown = pane.output.scores.items()
        assert [label for label, _ in shown] == [w["label"] for w in want]
        assert [s for _, s in shown] == pytest.approx([w["score"] for w in want], abs=1e-3)
        assert json.loads(pane.raw.toPlainText())[0]["label"] == want[0]["label"]
        assert "Done in" in pane.phase.text()
        console = pane.console.toPlainText()
        assert (
            "session_create" in console
            and "RSS peak" in console
            and "onnx/model_quantized.onnx" in console
        )
        rows = {r.path: r for r in pane.downloads.model.rows()}
        assert rows["onnx/model_quantized.onnx"].fraction == 1.0
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        worst = max(gaps)
        print(
            f"worst GUI stall during download+load+run: {worst * 1000:.1f} ms "
            f"over {len(ticks)} ticks"
        )
        assert len(ticks) > 20 and worst < 0.5


def test_feature_from_the_records_resolves_and_highlights_entities(qtbot, server) -> None:
    flags = {"hub": server.url, "settings_file": str(REMOTE_SETTINGS / "ml-inference-options.json")}
    with open_window(qtbot, flags) as window:
        pane = inference_pane(window)
        qtbot.waitUntil(lambda: pane.feature.findData("tiny-ner") >= 0, timeout=10_000)
        pane.feature.setCurrentIndex(pane.feature.findData("tiny-ner"))
        pane.feature.activated.emit(pane.feature.currentIndex())
        qtbot.waitUntil(lambda: pane.model_id.text() == "tiny/bert-ner", timeout=10_000)
        wait_dtypes(qtbot, pane)
        assert (pane.task.currentText(), pane.revision.text(), pane.dtypes.combo.currentData()) == (
            "token-classification",
            "v1.0.0",
            "q8",
        )
        data = expected("tiny__bert-ner__v1.0.0")
        pane.inputs.text.setPlainText(data["inputs"]["text-0"])
        pane.run_button.click()
        wait_idle(qtbot, pane)
        shown = pane.output.entities.toPlainText()
        want = {
            e["entity"].split("-")[-1]
            for e in data["results"]["q8"]["outputs"]["text-0"]
            if e["entity"] != "O"
        }
        assert want and all(label in shown for label in want), (shown, want)
        assert {e.type for e in pane.output.entities.entities} == want
        assert pane.output.currentWidget() is pane.output.entities


def test_image_task_runs_on_an_opened_image(qtbot, server) -> None:
    with open_window(qtbot, {"hub": server.url}) as window:
        pane = inference_pane(window)
        pane.load_example(example("image-classification"))
        wait_dtypes(qtbot, pane)
        assert pane.inputs.kind == "image"
        assert pane.inputs.image.set_path(INPUTS / "red-circle.png")
        assert not pane.inputs.image.preview.pixmap().isNull()
        assert "48×40" in pane.inputs.image.caption.text()
        pane.run_button.click()
        wait_idle(qtbot, pane)
        image = RunInput.image(INPUTS / "red-circle.png")
        options = example("image-classification").options
        want = core_output("image-classification", "tiny/vit-classifier", "q8", image, options)
        assert [label for label, _ in pane.output.scores.items()] == [w["label"] for w in want]


def test_compare_three_dtypes_fills_table_chart_and_exports(qtbot, server, tmp_path: Path) -> None:
    with open_window(qtbot, {"hub": server.url}) as window:
        pane = inference_pane(window)
        pane.load_example(example("embed-sentences"))
        wait_dtypes(qtbot, pane)
        available = [c.dtype for c in pane.dtypes.choices() if c.available]
        assert [c.dtype for c in pane.compare_panel.checked()] == available  # every one
        assert pane.compare_panel.runs.value() == 5
        dtypes = pane.compare_panel.dtypes
        for i in range(dtypes.count()):  # three keep the test short
            if dtypes.item(i).data(Qt.ItemDataRole.UserRole).dtype not in ("fp32", "fp16", "q8"):
                dtypes.item(i).setCheckState(Qt.CheckState.Unchecked)
        pane.compare_panel.runs.setValue(2)
        pane.compare_panel.button.click()
        wait_idle(qtbot, pane)
        model = pane.compare_panel.model
        assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["fp32", "fp16", "q8"]
        assert model.index(0, 6).data().startswith("cosine min 1.0000")  # a batch: min and mean
        assert model.index(2, 6).data().startswith("cosine min 0.9")
        assert all(model.index(r, 3).data().endswith(" ms") for r in range(3))
        assert pane.phase.text() == "Dtypes: 3 compared."
        title = pane.compare_panel.title.text()
        assert "tiny/bert-embed" in title and "v1.0.0" in title and "feature-extraction" in title
        assert [b[0] for b in pane.compare_panel.chart.bars()] == ["fp32", "fp16", "q8"]
        assert pane.compare_panel.chart.bars()[0][1] == 1.0  # fp32 is the biggest file
        pane.compare_panel.export(tmp_path / "cmp.csv")
        rows = list(csv.DictReader((tmp_path / "cmp.csv").open()))
        assert [r["dtype"] for r in rows] == ["fp32", "fp16", "q8"] and rows[2]["runs"] == "2"
        assert rows[0]["model"] == "tiny/bert-embed" and rows[0]["task"] == "feature-extraction"
        pane.compare_panel.export(tmp_path / "cmp.json")
        exported = json.loads((tmp_path / "cmp.json").read_text())
        context = exported["context"]
        assert context["revision"] == "v1.0.0" and context["onnxruntime_version"][0].isdigit()
        assert context["cpu"] and context["app_version"]
        assert isinstance(exported["rows"][2]["agreement_worst"], float)
        # Another model: the table of the old one is cleared, not left beside the new dtypes.
        pane.load_example(example("sentiment"))
        wait_dtypes(qtbot, pane)
        assert model.rowCount() == 0 and "compare again" in pane.compare_panel.title.text()


def test_cancel_in_the_middle_leaves_the_pane_usable(qtbot, server) -> None:
    server.faults.add("slow", times=None)
    server.faults.slow_delay = 0.2
    with open_window(qtbot, {"hub": server.url}) as window:
        pane = inference_pane(window)
        pane.load_example(example("sentiment"))
        wait_dtypes(qtbot, pane)
        pane.run_button.click()
        qtbot.waitUntil(lambda: pane.downloads.model.rowCount() > 0, timeout=10_000)
        pane.cancel_button.click()
        qtbot.waitUntil(lambda: pane.job is None, timeout=10_000)
        assert pane.phase.text().startswith("Cancelled")
        assert pane.raw.toPlainText() == "" and pane.output.currentWidget() is pane.output.text
        assert not pane.downloads.view.isVisible(), "nothing downloads any more"
        assert pane.run_button.isEnabled() and not pane.cancel_button.isEnabled()
        server.faults.clear()
        pane.run_button.click()
        wait_idle(qtbot, pane)
        assert pane.output.scores.items(), "a run after the cancelled one works"


def test_missing_dtype_is_disabled_with_the_reason(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "sentiment"
    shutil.copytree(HUB / "tiny/bert-sentiment/v1.0.0", folder)
    (folder / "onnx/model_fp16.onnx").unlink()
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.task.setCurrentText("text-classification")
        pane.folder.setText(str(folder))
        pane.refresh_dtypes()
        wait_dtypes(qtbot, pane)
        index = pane.dtypes.combo.findData("fp16")
        item = pane.dtypes.combo.model().item(index)
        assert not item.isEnabled() and "no onnx/model_fp16.onnx" in item.toolTip()
        assert "unavailable" in pane.dtypes.combo.itemText(index)
        assert "fp16" in pane.dtypes.note.text()
        assert pane.compare_panel.dtypes.item(index).checkState() == Qt.CheckState.Unchecked


def test_broken_model_shows_a_plain_error_and_stays_usable(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "sentiment"
    shutil.copytree(HUB / "tiny/bert-sentiment/v1.0.0", folder)
    onnx = folder / "onnx/model_quantized.onnx"
    onnx.write_bytes(onnx.read_bytes()[:200])
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.task.setCurrentText("text-classification")
        pane.folder.setText(str(folder))
        pane.refresh_dtypes()
        wait_dtypes(qtbot, pane)
        pane.dtypes.combo.setCurrentIndex(pane.dtypes.combo.findData("q8"))
        pane.inputs.text.setPlainText("The package arrived on time.")
        pane.run_button.click()
        wait_idle(qtbot, pane)
        message = pane.phase.text()
        assert "model_quantized.onnx" in message and "Traceback" not in message
        assert message in pane.output.text.toPlainText()
        pane.options.editor.setPlainText("{not json")
        assert not pane.run_button.isEnabled() and "Not valid JSON" in pane.options.status.text()
        pane.options.editor.setPlainText('{"top_k": 2}')
        assert pane.run_button.isEnabled()


def test_generation_streams_tokens_and_qa_and_benchmark_run(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.load_example(example("text-generation"))
        wait_dtypes(qtbot, pane)
        pane.options.set_value({"max_new_tokens": 8, "do_sample": False})
        pane.run_button.click()
        wait_idle(qtbot, pane)
        prompt = example("text-generation").input["text"]
        options = {"max_new_tokens": 8, "do_sample": False}
        want = core_output("text-generation", "tiny/gpt2", "q8", RunInput.text(prompt), options)
        want = want[0]["generated_text"]
        assert pane.output.text.toPlainText() == want
        assert pane._streamed and prompt + pane._streamed == want, pane._streamed

        pane.load_example(example("qa"))
        wait_dtypes(qtbot, pane)
        assert pane.inputs.kind == "qa" and pane.inputs.question.text() == "Where is the library?"
        pane.run_button.click()
        wait_idle(qtbot, pane)
        qa = expected("tiny__bert-qa__v1.0.0")["inputs"]["qa-0"]
        answer = core_output(
            "question-answering",
            "tiny/bert-qa",
            "q8",
            RunInput.qa(qa["question"], qa["context"]),
            {},
        )["answer"]
        assert pane.output.currentWidget() is pane.output.answer
        assert pane.output.answer.scores.items()[0][0] == answer

        pane.benchmark_panel.select_only(["embeddings-many"])
        assert [w.name for w in pane.benchmark_panel.selected()] == ["embeddings-many"]
        pane.benchmark_panel.iterations.setValue(2)
        pane.benchmark_panel.button.click()
        qtbot.waitUntil(lambda: pane.benchmark_panel.model.rowCount() == 1, timeout=30_000)
        model = pane.benchmark_panel.model
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(12)]
        cells = dict(zip(headers, (model.index(0, c).data() for c in range(12)), strict=True))
        assert (cells["workload"], cells["model"], cells["dtype"], cells["runs"]) == (
            "embeddings-many",
            "tiny/bert-embed@v1.0.0",
            "q8",
            "2",
        )
        assert cells["run median"].endswith(" ms") and cells["error"] == ""
        assert cells["memory (RSS)"].endswith("MiB")  # RSS, as bench reports it


def test_feature_asking_for_a_dtype_the_hub_lacks_says_so(qtbot, server) -> None:
    server.faults.add("not_found", times=None, path="model_fp16.onnx")
    flags = {"hub": server.url, "settings_file": str(REMOTE_SETTINGS / "ml-inference-options.json")}
    with open_window(qtbot, flags) as window:
        pane = inference_pane(window)
        qtbot.waitUntil(lambda: pane.feature.findData("tiny-fill-mask") >= 0, timeout=10_000)
        pane.feature.setCurrentIndex(pane.feature.findData("tiny-fill-mask"))
        pane.feature.activated.emit(pane.feature.currentIndex())
        qtbot.waitUntil(lambda: pane.model_id.text() == "tiny/bert-fill-mask", timeout=10_000)
        wait_dtypes(qtbot, pane)
        note = pane.dtypes.note.text()
        assert "The requested dtype fp16 is not available" in note and "model_fp16.onnx" in note
        fp16 = pane.dtypes.combo.findData("fp16")
        assert not pane.dtypes.combo.model().item(fp16).isEnabled()
        assert pane.dtypes.combo.currentData() == "fp32"  # the first one it has


def test_a_new_hub_from_preferences_relists_the_dtypes(qtbot, tmp_path: Path) -> None:
    with open_window(qtbot, {}) as window:
        window.ctx.save_preferences({"hub": str(HUB)})
        pane = inference_pane(window)
        pane.load_example(example("sentiment"))
        wait_dtypes(qtbot, pane)
        empty = tmp_path / "empty-hub"
        empty.mkdir()
        assert window.ctx.save_preferences({"hub": str(empty)}) == []
        qtbot.waitUntil(lambda: pane.dtypes.combo.count() == 0, timeout=10_000)
        note = pane.dtypes.note.text()
        assert note.startswith("Cannot list the model's files") and str(empty) in note, note
        pane.run_button.click()
        wait_idle(qtbot, pane)
        assert "No quantization is available" in pane.phase.text()


def test_offline_lists_what_the_cache_holds_and_still_runs(qtbot, server) -> None:
    with open_window(qtbot, {"hub": server.url}) as window:
        pane = inference_pane(window)
        pane.load_example(example("sentiment"))
        wait_dtypes(qtbot, pane)
        pane.run_button.click()  # caches the q8 files
        wait_idle(qtbot, pane)
        assert window.ctx.save_preferences({"offline": "true"}) == []
        requests = server.count()
        qtbot.waitUntil(lambda: "the cache holds no" in pane.dtypes.note.text(), timeout=10_000)
        available = [c.dtype for c in pane.dtypes.choices() if c.available]
        q8 = next(c for c in pane.dtypes.choices() if c.dtype == "q8")
        onnx = HUB / "tiny/bert-sentiment/v1.0.0/onnx/model_quantized.onnx"
        assert available == ["q8"] and q8.size_bytes == onnx.stat().st_size
        pane.inputs.text.setPlainText("The package arrived on time.")
        pane.run_button.click()
        wait_idle(qtbot, pane)
        assert pane.output.scores.items() and server.count() == requests  # no request offline


def test_download_list_shows_every_column_without_scrolling(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.run_example(example("alt-text"))
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        view = pane.downloads.view
        assert not view.isVisible(), "the table collapses once nothing downloads"
        view.setVisible(True)  # as it is while files download
        qtbot.wait(20)
        assert view.model().rowCount() >= 2
        assert view.horizontalScrollBar().maximum() == 0, "columns cut off"
        header = view.horizontalHeader()
        for column in range(view.model().columnCount()):
            assert header.sectionSize(column) >= header.sectionSizeHint(column), column


def test_a_folder_run_reports_the_folder_not_the_model_fields(qtbot) -> None:
    folder = HUB / "tiny/bert-embed/v1.1.0"
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.model_id.setText("tiny/bert-embed")
        pane.revision.setText("v1.0.0")  # left over in the form; the folder is what runs
        pane.folder.setText(str(folder))
        pane.refresh_dtypes()
        wait_dtypes(qtbot, pane)
        pane.inputs.text.setPlainText("Hello")
        pane.run_button.click()
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        first_line = pane.console.toPlainText().splitlines()[0]
        assert str(folder) in first_line and "@v1.0.0" not in first_line


def test_editing_the_model_by_hand_leaves_the_feature(qtbot) -> None:
    from PySide6.QtTest import QTest

    flags = {"hub": str(HUB), "settings_file": str(REMOTE_SETTINGS / "ml-inference-options.json")}
    with open_window(qtbot, flags) as window:
        pane = inference_pane(window)
        qtbot.waitUntil(lambda: pane.feature.findData("tiny-embed") >= 0, timeout=10_000)
        pane.feature.setCurrentIndex(pane.feature.findData("tiny-embed"))
        pane.feature.activated.emit(pane.feature.currentIndex())
        qtbot.waitUntil(lambda: pane.model_id.text() == "tiny/bert-embed", timeout=10_000)
        wait_dtypes(qtbot, pane)
        assert pane.engine_options().feature_id == "tiny-embed"
        pane.model_id.clear()
        QTest.keyClicks(pane.model_id, "tiny/bert-external")  # typed, as a person does
        assert pane.feature.currentData() is None
        assert pane.engine_options().usage_tag == "task:feature-extraction"


def test_an_error_clears_the_previous_raw_output(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.run_example(example("sentiment"))
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        assert pane.raw.toPlainText()
        pane.inputs.text.setPlainText("")
        pane.run_button.click()
        qtbot.waitUntil(lambda: "empty" in pane.phase.text(), timeout=10_000)
        assert pane.raw.toPlainText() == ""


def test_an_empty_quantization_picker_says_what_to_do(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        assert pane.model_id.text() == "" and pane.dtypes.combo.count() == 0
        assert "Enter a model id" in pane.dtypes.note.text() and pane.dtypes.note.isVisible()
        pane.model_id.setText("tiny/bert-embed")
        pane.revision.setText("v1.0.0")
        pane.refresh_dtypes()
        wait_dtypes(qtbot, pane)
        assert "Enter a model id" not in pane.dtypes.note.text()


def test_changing_the_task_relists_the_dtypes(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.model_id.setText("tiny/t5")
        pane.revision.setText("v1.0.0")
        pane.refresh_dtypes()  # feature-extraction looks for onnx/model*.onnx, which t5 lacks
        qtbot.waitUntil(lambda: not pane.busy, timeout=10_000)
        assert not any(c.available for c in pane.dtypes.choices())
        pane.task.setCurrentText("text2text-generation")
        pane.task.activated.emit(pane.task.currentIndex())  # as a person's pick does
        wait_dtypes(qtbot, pane)
        qtbot.waitUntil(lambda: all(c.available for c in pane.dtypes.choices()), timeout=10_000)


def test_a_new_hub_from_preferences_is_not_served_by_the_old_hubs_engine(
    qtbot, tmp_path: Path
) -> None:
    other = tmp_path / "hub"
    shutil.copytree(HUB / "tiny/bert-sentiment", other / "tiny/bert-sentiment")
    with open_window(qtbot, {}) as window:
        window.ctx.save_preferences({"hub": str(HUB)})
        pane = inference_pane(window)
        pane.run_example(example("sentiment"))
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        registry = window.ctx.app.engines
        (old,) = registry.engines()
        assert window.ctx.save_preferences({"hub": str(other)}) == []
        qtbot.waitUntil(lambda: not registry.engines(), timeout=10_000)
        pane.phase.clear()
        pane.run_example(example("sentiment"))
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        (new,) = registry.engines()
        assert new is not old


def test_a_runs_warnings_show_beside_its_result(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.load_example(example("text-generation"))
        wait_dtypes(qtbot, pane)
        pane.options.editor.setPlainText('{"max_new_tokens": 100000}')
        pane.run_button.click()
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        assert "max_new_tokens 100000 was reduced" in pane.phase.text()


def test_an_imported_model_lists_its_dtypes_and_runs(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "converted"
    shutil.copytree(HUB / "tiny/bert-sentiment/v1.0.0", folder)
    for onnx in (folder / "onnx").glob("*.onnx"):
        if onnx.name != "model_q4.onnx":
            onnx.unlink()  # a conversion with one dtype only
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        window.ctx.app.cache.import_folder(folder, "me/sentiment", "v0.1.0")
        pane = inference_pane(window)
        pane.task.setCurrentText("text-classification")
        pane.model_id.setText("me/sentiment")
        pane.revision.setText("v0.1.0")
        pane.refresh_dtypes()
        wait_dtypes(qtbot, pane)
        assert [c.dtype for c in pane.dtypes.choices() if c.available] == ["q4"]
        assert pane.dtypes.current() == "q4"
        pane.inputs.text.setPlainText("I loved it")
        pane.run_button.click()
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        assert pane.output.scores.items()


def test_a_cancelled_run_clears_the_previous_result(qtbot, server) -> None:
    with open_window(qtbot, {"hub": server.url}) as window:
        pane = inference_pane(window)
        pane.run_example(example("sentiment"))
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        assert pane.raw.toPlainText() and pane.output.currentWidget() is pane.output.scores
        server.faults.add("slow", times=None)
        server.faults.slow_delay = 0.3
        pane.load_example(example("ner"))  # new files to download, so the run can be cancelled
        wait_dtypes(qtbot, pane)
        pane.run_button.click()
        qtbot.waitUntil(lambda: pane.downloads.model.rowCount() > 0, timeout=10_000)
        pane.cancel_button.click()
        qtbot.waitUntil(lambda: pane.job is None, timeout=10_000)
        assert pane.raw.toPlainText() == ""
        assert pane.output.currentWidget() is pane.output.text
        assert "Cancelled" in pane.output.text.toPlainText()


def test_files_from_the_cache_show_no_download_table_and_ctrl_enter_runs(qtbot) -> None:
    from PySide6.QtTest import QTest

    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.run_example(example("sentiment"))
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        pane.phase.setText("")
        pane.inputs.text.setFocus()
        QTest.keyClick(pane.inputs.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        assert pane.downloads.model.rowCount() == 0 and not pane.downloads.view.isVisible()
        assert pane.output.scores.items()


def test_presentation_mode_hides_the_settings_and_fits_1024x640(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        window.resize(1024, 640)
        pane = inference_pane(window)
        pane.run_example(example("qa"))
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        qtbot.wait(50)
        # Results first: the input and result side is wider than the settings, and the result
        # tabs are taller than the input box.
        assert pane.settings_panel.width() < pane.results.width()
        assert pane.results.height() > pane.input_box.height()
        assert pane.form.width() <= pane.settings_panel.viewport().width()  # nothing cut off
        points = pane.output.answer.font().pointSizeF()
        pane.present_button.click()
        assert not pane.settings_panel.isVisible() and not pane.header.isVisible()
        assert pane.output.answer.font().pointSizeF() > points
        QTest_key_f11(pane)
        assert pane.settings_panel.isVisible() and pane.output.answer.font().pointSizeF() == points


def QTest_key_f11(pane) -> None:  # noqa: N802 - a shortcut as a person presses it
    from PySide6.QtTest import QTest

    pane.run_button.setFocus()
    QTest.keyClick(pane.run_button, Qt.Key.Key_F11)


def test_the_benchmark_tab_runs_the_model_the_form_names(qtbot) -> None:
    """A folder only the form knows (no example names it), on the input typed in the form."""
    folder = HUB / "tiny/bert-embed/v1.1.0"
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.task.setCurrentText("feature-extraction")
        pane.model_id.setText("")
        pane.folder.setText(str(folder))
        pane.refresh_dtypes()
        wait_dtypes(qtbot, pane)
        pane.inputs.text.setPlainText("Hello there")
        panel = pane.benchmark_panel
        panel.select_only(["form"])
        assert panel.form_checked() and panel.selected() == []
        panel.iterations.setValue(2)
        panel.button.click()
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=30_000)
        row = panel.model.rows()[0]
        assert (row.workload, row.iterations, row.error) == ("form", 2, "")
        assert row.run_median_ms > 0 and row.init_median_ms > 0 and row.rss_bytes > 0
        plan = pane.current_plan()
        assert (row.model, row.dtype) == (plan.options.model_id, plan.options.dtype_label)
        assert row.source == f"folder {folder}" and panel.model.index(0, 10).data() == row.source
