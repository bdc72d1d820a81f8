from __future__ import annotations

import threading

from inference_gui.engine import EngineOptions, EngineRegistry, RunInput
from inference_gui.engine.sources import folder_hub
from tests.paths import HUB


def options(**changes: object) -> EngineOptions:
    base = EngineOptions(
        task="text-classification", model_id="tiny/bert-sentiment", revision="v1.0.0", num_threads=1
    )
    return base.with_(**changes)


def registry() -> EngineRegistry:
    return EngineRegistry(lambda options: folder_hub(HUB))


def test_same_options_reuse_the_loaded_engine() -> None:
    engines = registry()
    first = engines.get(options())
    first.run(RunInput.text("hello"))
    again = engines.get(options(timeout_ms=5000))
    assert again is first and again.loaded
    second = again.run(RunInput.text("hello"))
    assert second.timings_ms["session_create"] == 0.0  # nothing loaded the second time
    assert engines.get(options(dtype="fp16")) is not first


def test_rows_describe_each_engine() -> None:
    engines = registry()
    engine = engines.get(options(dtype="fp16"))
    engine.run(RunInput.text("a"))
    engine.run(RunInput.text("b"))
    [row] = engines.infos()
    assert (row.status, row.task, row.model, row.revision, row.dtype, row.device, row.runs) == (
        "ready",
        "text-classification",
        "tiny/bert-sentiment",
        "v1.0.0",
        "fp16",
        "cpu",
        2,
    )
    assert row.last_run is not None and row.last_run >= row.created


def test_unload_frees_and_forgets() -> None:
    engines = registry()
    changes: list[int] = []
    engines.subscribe(lambda: changes.append(1))
    engine = engines.get(options())
    engine.run(RunInput.text("hello"))
    assert engines.unload(engine.id)
    assert not engine.loaded and engine.status == "unloaded"
    assert engines.infos() == [] and changes
    assert not engines.unload(engine.id)
    engines.get(options())
    engines.get(options(dtype="fp32"))
    assert engines.unload_all() == 2 and engines.infos() == []


def test_concurrent_runs_load_once() -> None:
    engines = registry()
    results, errors = [], []

    def work() -> None:
        try:
            results.append(engines.get(options()).run(RunInput.text("hello")))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(engines.infos()) == 1
    assert sum(1 for r in results if r.timings_ms["session_create"] > 0) == 1
    assert len({str(r.output) for r in results}) == 1


def test_an_engine_on_a_local_folder_names_the_folder_not_the_form_fields() -> None:
    from inference_gui.engine.sources import FolderFiles

    folder = HUB / "tiny/bert-sentiment/v1.0.0"
    engines = registry()
    engine = engines.get(options(), FolderFiles(folder))
    engine.run(RunInput.text("hello"))
    engines.get(options()).run(RunInput.text("hello"))  # the same model from the hub
    by_source = {info.source: info for info in engines.infos()}
    assert set(by_source) == {str(folder), ""}
