"""The Engines pane lists the engines runs created, live, and unloads them."""

from __future__ import annotations

from inference_gui.engine.workloads import example
from tests.gui.inference_support import inference_pane, open_window, wait_dtypes, wait_idle
from tests.paths import HUB
from tests.support.http_hub import serve_hub


def test_engines_appear_live_and_unload(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        engines = window.show_pane("engines")
        assert engines.model.rowCount() == 0 and not engines.unload_all_button.isEnabled()
        pane = inference_pane(window)
        for name in ("sentiment", "embed-sentences"):
            pane.load_example(example(name))
            wait_dtypes(qtbot, pane)
            pane.run_button.click()
            wait_idle(qtbot, pane)
        window.show_pane("engines")
        qtbot.waitUntil(lambda: engines.model.rowCount() == 2)
        cells = [
            [engines.model.index(r, c).data() for c in range(engines.model.columnCount())]
            for r in range(2)
        ]
        assert cells[0][1:7] == [
            "ready",
            "text-classification",
            "tiny/bert-sentiment",
            "v1.0.0",
            "q8",
            "cpu",
        ]
        assert cells[1][3] == "tiny/bert-embed" and cells[1][8] == "1"
        assert cells[0][7] == "none" and cells[0][9].endswith("s ago")
        assert engines.memory.text().startswith("Process resident memory: ")
        assert not engines.empty.isVisible()

        engines.table.selectRow(0)
        assert engines.unload_button.isEnabled()
        first = engines.selected_ids()
        engines.unload_selected()
        qtbot.waitUntil(lambda: engines.model.rowCount() == 1)
        assert engines.model.engine_id(0) not in first
        engines.unload_all()
        qtbot.waitUntil(lambda: engines.model.rowCount() == 0)
        assert engines.empty.isVisible() and not engines.unload_all_button.isEnabled()
        assert window.ctx.app.engines.engines() == []


def test_files_in_flight_and_loading_engines_show_live(qtbot) -> None:
    with serve_hub(HUB) as server, open_window(qtbot, {"hub": server.url}) as window:
        server.faults.slow_delay = 0.1
        server.faults.add("slow", times=None, path=".onnx")
        pane = inference_pane(window)
        pane.load_example(example("sentiment"))
        wait_dtypes(qtbot, pane)
        pane.run_button.click()
        engines = window.show_pane("engines")
        qtbot.waitUntil(lambda: engines.downloads.model.rowCount() > 0, timeout=10_000)
        assert engines.downloads.view.isVisible()
        assert any(
            "run text-classification" in engines.jobs.item(i).text()
            for i in range(engines.jobs.count())
        )
        assert engines.model.index(0, 1).data() == "loading"
        server.faults.clear()
        wait_idle(qtbot, pane)
        qtbot.waitUntil(lambda: engines.model.index(0, 1).data() == "ready", timeout=5000)
        qtbot.waitUntil(lambda: not engines.downloads.view.isVisible(), timeout=5000)


def test_engines_pane_rows_show_the_folder_in_place_of_model_and_revision() -> None:
    from inference_gui.engine.engine import EngineInfo
    from inference_gui.ui.models.engines import EnginesModel

    info = EngineInfo(
        "e1",
        "ready",
        "text-classification",
        "typed/model",
        "v9.9.9",
        "q8",
        "cpu",
        0.0,
        1,
        None,
        "",
        "/models/mine",
    )
    model = EnginesModel()
    model.set_rows([(info, None)])
    assert model.index(0, 3).data() == "/models/mine" and model.index(0, 4).data() == ""
