"""The Cache pane as a person uses it: the tree, numeric sorting, filter, delete, verify, fetch."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from inference_gui.cache import ModelCache
from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.format import human_bytes
from inference_gui.hub import Hub
from inference_gui.ui.app import application
from inference_gui.ui.context import UiContext
from inference_gui.ui.models.cache_tree import NODE_ROLE, SIZE_COLUMN, USED_BY_COLUMN
from inference_gui.ui.panes.cache import CachePane
from inference_gui.ui.settings_store import open_store
from tests.paths import HUB, REMOTE_SETTINGS
from tests.support.http_hub import serve_hub

EMBED = HUB / "tiny" / "bert-embed" / "v1.0.0"
FILES = (
    "config.json",
    "onnx/model_quantized.onnx",
    "tokenizer.json",
    "vocab.txt",
    "special_tokens_map.json",
)


def make_pane(qtbot, hub: str) -> CachePane:
    application()
    store, _ = open_store()
    settings, _ = load_settings({}, os.environ, {"hub": hub})
    ui = UiContext(AppContext(settings), store, os.environ, {"hub": hub})
    pane = CachePane(ui)
    qtbot.addWidget(pane)
    pane.show()
    return pane


@pytest.fixture
def pane(qtbot):
    made = make_pane(qtbot, str(HUB))
    cache, hub = made.ctx.app.cache, made.ctx.app.hub
    for path in FILES:
        cache.fetch(hub, "tiny/bert-embed", "v1.0.0", path, used_by="feature:tiny-embed")
    cache.fetch(hub, "tiny/bert-embed", "v1.1.0", "config.json")
    made.refresh()
    qtbot.waitUntil(lambda: made.model.rowCount() == 1, timeout=5000)
    yield made
    made.ctx.app.close()


def file_rows(pane: CachePane) -> list[str]:
    model = pane.proxy.index(0, 0)
    revision = next(
        pane.proxy.index(r, 0, model)
        for r in range(pane.proxy.rowCount(model))
        if pane.proxy.index(r, 0, model).data() == "v1.0.0"
    )
    return [pane.proxy.index(r, 0, revision).data() for r in range(pane.proxy.rowCount(revision))]


def test_tree_shows_models_revisions_files_with_total(pane) -> None:
    model = pane.proxy.index(0, 0)
    assert model.data() == "tiny/bert-embed"
    assert sorted(
        pane.proxy.index(r, 0, model).data() for r in range(pane.proxy.rowCount(model))
    ) == ["v1.0.0", "v1.1.0"]
    assert sorted(file_rows(pane)) == sorted(FILES)
    assert pane.model.total_size == pane.ctx.app.cache.total_size()
    assert human_bytes(pane.model.total_size) in pane.total.text()


def test_sizes_sort_as_numbers(pane) -> None:
    pane.view.sortByColumn(SIZE_COLUMN, Qt.SortOrder.AscendingOrder)
    by_size = sorted(FILES, key=lambda p: (EMBED / p).stat().st_size)
    assert file_rows(pane) == by_size
    assert (
        sorted(by_size, key=lambda p: human_bytes((EMBED / p).stat().st_size)) != by_size
    )  # text would differ


def test_filter_keeps_the_path_to_matching_files(pane) -> None:
    pane.filter.setText("quantized")
    assert file_rows(pane) == ["onnx/model_quantized.onnx"]
    pane.filter.setText("")
    assert len(file_rows(pane)) == len(FILES)


def select(pane: CachePane, name: str) -> None:
    for index in pane._all_indexes():
        if index.data(NODE_ROLE).name == name and index.data(NODE_ROLE).kind == "revision":
            pane.view.setCurrentIndex(index)
            return
    raise AssertionError(name)


def test_delete_asks_with_the_bytes_to_free_then_removes(pane, qtbot, monkeypatch) -> None:
    asked: list[str] = []

    def question(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    select(pane, "v1.0.0")
    assert pane.delete_button.isEnabled() and pane.delete_button.text() == "Delete revision…"
    pane.delete_selected()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    # config.json is identical in v1.1.0, so its bytes stay; the other four go
    freed = sum((EMBED / p).stat().st_size for p in FILES if p != "config.json")
    assert human_bytes(freed) in asked[0] and "5 files" in asked[0]
    qtbot.waitUntil(lambda: "Deleted 5 files" in pane.status.text(), timeout=5000)
    qtbot.waitUntil(lambda: pane.proxy.rowCount(pane.proxy.index(0, 0)) == 1, timeout=5000)


def test_refreshes_when_another_instance_changes_the_cache(pane, qtbot) -> None:
    other = ModelCache(pane.ctx.app.cache.root, 10**9)
    other.fetch(Hub(HUB), "tiny/gpt2", "v1.0.0", "config.json")
    qtbot.waitUntil(lambda: pane.model.rowCount() == 2, timeout=5000)
    other.close()


def test_verify_reports_findings(pane, qtbot, monkeypatch) -> None:
    pane.verify(repair=False)
    qtbot.waitUntil(lambda: "all intact" in pane.status.text(), timeout=5000)
    row = pane.ctx.app.cache.store.all()[0]
    pane.ctx.app.cache.blobs.blob(row.sha256).write_bytes(b"tampered")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.detailedText()) or 0)
    pane.verify(repair=False)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "corrupt" in shown[0] and "problems found" in pane.status.text()


def test_fetch_dialog_lists_dtypes_and_shows_per_file_progress(qtbot) -> None:
    with serve_hub(HUB) as server:
        pane = make_pane(qtbot, server.url)
        dialog = pane.open_fetch()
        dialog.model_id.setText("tiny/bert-external")
        dialog.revision.setText("v1.0.0")
        dialog.list_files()
        qtbot.waitUntil(lambda: bool(dialog.all_files), timeout=10000)
        dialog.dtypes["q8"].setChecked(True)
        names = [f.path for f in dialog.files.files]
        assert "onnx/model_quantized.onnx" in names and "onnx/model_quantized.onnx_data" in names
        assert not any(n.endswith(("model.onnx", "_fp16.onnx")) for n in names)
        seen: list[float] = []
        dialog.files.dataChanged.connect(lambda *_: seen.append(dialog.files.fraction(0)))
        dialog.fetch()
        qtbot.waitUntil(lambda: dialog.message.text().startswith("Fetched"), timeout=10000)
        size = sum(f.size for f in dialog.files.files)
        assert dialog.message.text() == f"Fetched {len(names)} files, {human_bytes(size)}."
        assert all(dialog.files.fraction(r) == 1.0 for r in range(len(names)))
        assert seen
        qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=5000)
        dialog.close()
        pane.ctx.app.close()


def test_hugging_face_cache_models_import_in_one_click(qtbot, tmp_path) -> None:
    from inference_gui.ui.dialogs.hf_import import HfImportDialog
    from tests.unit.cache.test_operations import make_hf_cache

    make_hf_cache(
        tmp_path / "hf", "acme/tiny", "c" * 40, {"config.json": b"{}", "onnx/model.onnx": b"g"}
    )
    pane = make_pane(qtbot, str(HUB))
    dialog = HfImportDialog(pane.ctx, pane, hf_cache=tmp_path / "hf")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.revisions.rowCount() == 1, timeout=5000)
    dialog.table.selectRow(0)
    assert dialog.import_button.isEnabled()
    dialog.import_selected()
    qtbot.waitUntil(lambda: "Imported 2 files" in dialog.message.text(), timeout=5000)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=5000)
    assert pane.proxy.index(0, 0).data() == "acme/tiny"
    pane.ctx.app.close()


def test_empty_cache_message_goes_once_a_model_arrives(qtbot) -> None:
    pane = make_pane(qtbot, str(HUB))
    qtbot.waitUntil(lambda: pane.status.text().startswith("The cache is empty"), timeout=5000)
    pane.ctx.app.cache.fetch(pane.ctx.app.hub, "tiny/bert-embed", "v1.0.0", "config.json")
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=5000)  # the pane's own poll
    assert "empty" not in pane.status.text()
    pane.ctx.app.close()


def test_fetch_dialog_forgets_the_listing_when_the_model_changes(qtbot) -> None:
    pane = make_pane(qtbot, str(HUB))
    dialog = pane.open_fetch()
    dialog.model_id.setText("tiny/bert-ner")
    dialog.revision.setText("v1.0.0")
    dialog.list_files()
    qtbot.waitUntil(lambda: bool(dialog.all_files), timeout=10000)
    assert dialog.fetch_button.isEnabled() and dialog.files.rowCount() > 0
    dialog.model_id.setText("tiny/bert-qa")  # bert-ner's files are not bert-qa's
    assert not dialog.fetch_button.isEnabled() and dialog.files.rowCount() == 0
    assert "List the files" in dialog.message.text()
    dialog.close()
    pane.ctx.app.close()


def column(pane: CachePane, header: str, name: str) -> str:
    headers = [pane.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    index = next(i for i in pane._all_indexes() if i.data(NODE_ROLE).name == name)
    return index.siblingAtColumn(headers.index(header)).data()


def test_used_by_from_records_beside_history_delete_key_and_menu(
    qtbot, monkeypatch, tmp_path
) -> None:
    options = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())
    legacy = next(r for r in options["changes"] if r["featureId"] == "tiny-embed-legacy")
    records = tmp_path / "records.json"
    records.write_text(json.dumps({"data": [legacy], "timestamp": 1}))
    monkeypatch.setenv("INFERENCE_GUI_SETTINGS_FILE", str(records))
    made = make_pane(qtbot, str(HUB))
    try:
        cache, hub = made.ctx.app.cache, made.ctx.app.hub
        for path in FILES:
            cache.fetch(hub, "tiny/bert-embed", "v1.0.0", path, used_by="feature:tiny-embed")
        made.refresh()
        qtbot.waitUntil(lambda: made.model.rowCount() == 1, timeout=5000)
        made.view.expandAll()
        assert column(made, "Used by", "v1.0.0") == "tiny-embed-legacy"
        assert column(made, "Last used by", "v1.0.0") == "feature:tiny-embed"
        assert column(made, "Used by", "tokenizer.json") == "tiny-embed-legacy"
        assert column(made, "Used by", "vocab.txt") == ""  # cached, never loaded by the engine

        select(made, "v1.0.0")
        menu = made.context_menu(made.selected_node())
        assert [action.text() for action in menu.actions()] == [
            "Delete revision…",
            "Delete everything used by tiny-embed-legacy…",
            "",
            "Delete revisions no record uses…",
            "Delete incomplete downloads…",
        ]
        asked: list[str] = []
        monkeypatch.setattr(
            QMessageBox,
            "question",
            lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.Cancel,
        )
        made.view.setFocus()
        QTest.keySequence(made.view, QKeySequence(QKeySequence.StandardKey.Delete))
        qtbot.waitUntil(lambda: bool(asked), timeout=5000)
        assert "Delete tiny/bert-embed at v1.0.0" in asked[0] and "5 files" in asked[0]
        assert len(cache.store.all()) == len(FILES)  # cancelled: nothing went
    finally:
        made.ctx.app.close()


def test_import_runs_the_model_check_and_imports_only_when_asked(qtbot, tmp_path) -> None:
    """A folder holding only a readme is refused with the check's findings, nothing imported;
    "Import anyway" imports it; a real model folder imports without a question."""
    made = make_pane(qtbot, str(HUB))
    try:
        notes = tmp_path / "notamodel"
        notes.mkdir()
        (notes / "readme.txt").write_text("not a model\n")
        made.start_import(notes, "local/notamodel", "v1.0.0")
        qtbot.waitUntil(lambda: made.import_refusal is not None, timeout=20_000)
        box = made.import_refusal
        # (the status line may already show a refresh of the tree: the box holds the answer)
        assert box is not None and "does not pass the model check" in box.text()
        assert box.detailedText().strip()
        assert made.ctx.app.cache.store.all() == []  # nothing was imported
        anyway = next(b for b in box.buttons() if b.text() == "Import anyway")
        anyway.click()

        def models() -> set[str]:
            return {r.model for r in made.ctx.app.cache.store.all()}

        qtbot.waitUntil(lambda: models() == {"local/notamodel"}, timeout=20_000)

        made.import_refusal = None
        made.start_import(HUB / "tiny/bert-sentiment/v1.0.0", "local/sentiment", "v1.0.0")
        qtbot.waitUntil(lambda: "local/sentiment" in models(), timeout=60_000)
        assert made.import_refusal is None
    finally:
        made.ctx.app.close()


def test_a_filter_shows_the_totals_of_what_it_shows(pane) -> None:
    whole = pane.total.text()
    pane.filter.setText("quantized")
    size = (EMBED / "onnx/model_quantized.onnx").stat().st_size
    assert pane.total.text().startswith(
        f"Filter shows 1 file of {len(FILES) + 1}, {human_bytes(size)} on disk."
    )
    pane.filter.setText("tiny/bert-embed")  # a model matches: all its files, shared bytes once
    assert f"{len(FILES) + 1} files of {len(FILES) + 1}" in pane.total.text()
    assert f"{human_bytes(pane.model.total_size)} on disk" in pane.total.text()
    pane.filter.setText("")
    assert pane.total.text() == whole


def test_a_revision_repair_took_a_file_from_says_incomplete(pane, qtbot) -> None:
    cache = pane.ctx.app.cache
    (row,) = cache.store.select(revision="v1.0.0", path="onnx/model_quantized.onnx")
    cache.blobs.blob(row.sha256).write_bytes(b"tampered")
    cache.verify(repair=True)
    pane.refresh()
    qtbot.waitUntil(lambda: pane.model.roots[0].children[0].item.incomplete, timeout=5000)
    revisions = {
        i.data(NODE_ROLE).item.revision: i
        for i in pane._all_indexes()
        if i.data(NODE_ROLE).kind == "revision"
    }
    assert revisions["v1.0.0"].data() == "v1.0.0 — incomplete"
    assert "onnx/model_quantized.onnx" in revisions["v1.0.0"].data(Qt.ItemDataRole.ToolTipRole)
    assert revisions["v1.1.0"].data() == "v1.1.0"


def test_a_revision_lacking_what_a_feature_needs_says_incomplete(qtbot, monkeypatch) -> None:
    """tiny-embed-legacy runs tiny/bert-embed v1.0.0 at fp32; only q8 is cached."""
    options = REMOTE_SETTINGS / "ml-inference-options.json"
    monkeypatch.setenv("INFERENCE_GUI_SETTINGS_FILE", str(options))
    pane = make_pane(qtbot, str(HUB))
    try:
        cache, hub = pane.ctx.app.cache, pane.ctx.app.hub
        for path in FILES:
            cache.fetch(hub, "tiny/bert-embed", "v1.0.0", path)
        pane.refresh()
        qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=5000)
        (revision,) = [i for i in pane._all_indexes() if i.data(NODE_ROLE).kind == "revision"]
        assert revision.data() == "v1.0.0 — incomplete"
        tip = revision.data(Qt.ItemDataRole.ToolTipRole)
        assert "onnx/model.onnx (needed by tiny-embed-legacy; not cached)" in tip
        used_by = revision.siblingAtColumn(USED_BY_COLUMN).data()
        assert used_by == "tiny-embed-legacy"
        cache.fetch(hub, "tiny/bert-embed", "v1.0.0", "onnx/model.onnx")
        pane.refresh()
        qtbot.waitUntil(lambda: not pane.model.roots[0].children[0].item.incomplete, timeout=5000)
        (revision,) = [i for i in pane._all_indexes() if i.data(NODE_ROLE).kind == "revision"]
        assert revision.data() == "v1.0.0"
    finally:
        pane.ctx.app.close()


def test_incomplete_downloads_are_listed_then_deleted_from_the_menu(
    pane, qtbot, monkeypatch
) -> None:
    part = pane.ctx.app.cache.part_path("hub", "org/m", "v1", "onnx/model.onnx")
    part.write_bytes(b"p" * 2048)
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda _parent, _title, text, *args: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    menu = pane.context_menu(None)
    action = next(a for a in menu.actions() if a.text() == "Delete incomplete downloads…")
    action.trigger()
    qtbot.waitUntil(lambda: "Deleted 1 incomplete download" in pane.status.text(), timeout=5000)
    assert "1 incomplete download?" in asked[0] and human_bytes(2048) in asked[0]
    assert not part.exists()
    action.trigger()
    qtbot.waitUntil(lambda: "No incomplete downloads" in pane.status.text(), timeout=5000)


def test_fetch_dialog_will_not_fetch_less_than_asked(qtbot, tmp_path) -> None:
    """A dtype the revision lacks cannot be ticked; one ticked before listing is named."""
    revision = tmp_path / "hub" / "tiny" / "two-dtypes" / "v1.0.0"
    shutil.copytree(EMBED, revision)
    for onnx in (revision / "onnx").iterdir():
        if onnx.name not in ("model.onnx", "model_quantized.onnx"):
            onnx.unlink()
    pane = make_pane(qtbot, str(tmp_path / "hub"))
    try:
        dialog = pane.open_fetch()
        dialog.model_id.setText("tiny/two-dtypes")
        dialog.revision.setText("v1.0.0")  # only fp32 and q8 files
        dialog.dtypes["q4"].setChecked(True)
        dialog.list_files()
        qtbot.waitUntil(lambda: bool(dialog.all_files), timeout=10000)
        assert not dialog.fetch_button.isEnabled()
        assert "has no complete q4 ONNX files" in dialog.message.text()
        assert not dialog.dtypes["q4"].isEnabled() and dialog.dtypes["q8"].isEnabled()
        dialog.dtypes["q4"].setChecked(False)
        dialog.dtypes["q8"].setChecked(True)
        assert dialog.fetch_button.isEnabled() and "files," in dialog.message.text()
        dialog.revision.setText("v2.0.0")  # another revision: every dtype may be asked again
        assert dialog.dtypes["q4"].isEnabled()
        dialog.close()
    finally:
        pane.ctx.app.close()


def test_fetch_dialog_says_plainly_when_a_fetch_brought_fewer_files(qtbot, tmp_path) -> None:
    """A file the listing named is gone when fetched: the dialog says how many files and bytes
    came of those asked, and which did not, instead of reporting success."""
    revision = tmp_path / "hub" / "tiny" / "vanishing" / "v1.0.0"
    shutil.copytree(EMBED, revision)
    pane = make_pane(qtbot, str(tmp_path / "hub"))
    try:
        dialog = pane.open_fetch()
        dialog.model_id.setText("tiny/vanishing")
        dialog.revision.setText("v1.0.0")
        dialog.list_files()
        qtbot.waitUntil(lambda: bool(dialog.all_files), timeout=10000)
        dialog.dtypes["q8"].setChecked(True)
        asked = {f.path: f.size for f in dialog.files.files}
        (revision / "vocab.txt").unlink()  # after listing: the hub no longer has it
        dialog.fetch()
        qtbot.waitUntil(lambda: dialog.message.text().startswith("Fetched only"), timeout=10000)
        text = dialog.message.text()
        order = sorted(asked)
        got = order[: order.index("vocab.txt")]  # fetched in path order until the missing one
        got_bytes, all_bytes = sum(asked[p] for p in got), sum(asked.values())
        assert text.startswith(
            f"Fetched only {len(got)} of {len(asked)} files "
            f"({human_bytes(got_bytes)} of {human_bytes(all_bytes)}); not fetched: vocab.txt."
        )
        assert "vocab.txt is not in revision v1.0.0" in text  # why it stopped
        assert dialog.fetch_button.isEnabled()  # try again
        dialog.close()
        # The tree says the revision is incomplete, naming what the fetch left out.
        not_fetched = [f for f in order if f not in got]
        qtbot.waitUntil(
            lambda: bool(pane.model.roots) and pane.model.roots[0].children[0].item.incomplete,
            timeout=5000,
        )
        item = pane.model.roots[0].children[0].item
        assert [m.path for m in item.missing] == not_fetched
        assert "(not fetched: the fetch stopped before it)" in item.incomplete_note()
        shutil.copy(EMBED / "vocab.txt", revision / "vocab.txt")
        pane.ctx.app.cache.fetch_many(pane.ctx.app.hub, "tiny/vanishing", "v1.0.0", not_fetched)
        pane.refresh()
        qtbot.waitUntil(lambda: not pane.model.roots[0].children[0].item.incomplete, timeout=5000)
    finally:
        pane.ctx.app.close()


def test_fetch_dialog_will_not_fetch_a_dtype_missing_one_of_its_graphs(qtbot, tmp_path) -> None:
    """An encoder at q4 without its decoder at q4 cannot run at q4: q4 cannot be ticked."""
    revision = tmp_path / "hub" / "tiny" / "t5-half" / "v1.0.0"
    shutil.copytree(HUB / "tiny" / "t5" / "v1.0.0", revision)
    (revision / "onnx" / "decoder_model_merged_q4.onnx").unlink()
    pane = make_pane(qtbot, str(tmp_path / "hub"))
    try:
        dialog = pane.open_fetch()
        dialog.model_id.setText("tiny/t5-half")
        dialog.revision.setText("v1.0.0")
        dialog.dtypes["q4"].setChecked(True)
        dialog.list_files()
        qtbot.waitUntil(lambda: bool(dialog.all_files), timeout=10000)
        assert not dialog.fetch_button.isEnabled() and not dialog.dtypes["q4"].isEnabled()
        assert "missing q4: onnx/decoder_model_merged_q4.onnx" in dialog.message.text()
        assert "onnx/decoder_model_merged_q4.onnx" in dialog.dtypes["q4"].toolTip()
        dialog.dtypes["q4"].setChecked(False)
        dialog.dtypes["q8"].setChecked(True)
        assert dialog.fetch_button.isEnabled()
        dialog.close()
    finally:
        pane.ctx.app.close()
