"""The Records pane as a person uses it, with the real services and a real local server."""

from __future__ import annotations

import dataclasses
import json
import logging
import os

import pytest
from PySide6.QtCore import Qt

from inference_gui.assets import resource_path
from inference_gui.cli.main import main
from inference_gui.config import load_settings
from inference_gui.context import AppContext
from inference_gui.records import INFERENCE_OPTIONS
from inference_gui.ui.app import application, build_window
from inference_gui.ui.models.roles import SORT_ROLE
from inference_gui.ui.settings_store import open_store, read_preferences
from tests.paths import HUB, REMOTE_SETTINGS
from tests.support.http_hub import serve_hub
from tests.support.kinto_server import serve_kinto
from tests.support.signing import make_chain

OPTIONS = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())
EMBEDDED = json.loads(resource_path("settings", f"{INFERENCE_OPTIONS}.json").read_text())
HORIZONTAL = Qt.Orientation.Horizontal


def make_window(qtbot, **settings_changes):
    application()
    store, _ = open_store()
    settings, _ = load_settings(read_preferences(store), os.environ, {})
    window = build_window(
        AppContext(dataclasses.replace(settings, **settings_changes)), store, os.environ, {}
    )
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def window(qtbot):
    win = make_window(qtbot)
    yield win
    win.ctx.app.close()


def pane_of(window):
    return window.show_pane("records")


def column_values(pane, name):
    model = pane.proxy
    column = [model.headerData(c, HORIZONTAL) for c in range(model.columnCount())].index(name)
    return [model.index(r, column).data() for r in range(model.rowCount())]


def loaded(pane, qtbot, count):
    qtbot.waitUntil(
        lambda: pane.proxy.rowCount() == count and pane.source.text().startswith("Source:")
    )


def test_first_launch_shows_the_embedded_dump(window, qtbot):
    pane = pane_of(window)
    loaded(pane, qtbot, len(EMBEDDED["data"]))
    assert "embedded dump" in pane.source.text()
    assert sorted(column_values(pane, "featureId")) == sorted(
        r["featureId"] for r in EMBEDDED["data"]
    )
    assert json.loads(pane.raw.toPlainText()) in EMBEDDED["data"]  # first row's raw JSON is shown


def test_filter_sort_and_collection_picker(window, qtbot):
    pane = pane_of(window)
    loaded(pane, qtbot, len(EMBEDDED["data"]))
    pane.filter.setText("text-classification")
    expected = [r for r in EMBEDDED["data"] if r["taskName"] == "text-classification"]
    qtbot.waitUntil(lambda: pane.proxy.rowCount() == len(expected))
    pane.filter.clear()
    column = [pane.proxy.headerData(c, HORIZONTAL) for c in range(pane.proxy.columnCount())].index(
        "last modified"
    )
    pane.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    stamps = [pane.proxy.index(r, column).data(SORT_ROLE) for r in range(pane.proxy.rowCount())]
    assert stamps == sorted(r["last_modified"] for r in EMBEDDED["data"])
    pane.collection.setCurrentText("ml-model-allow-deny-list")
    qtbot.waitUntil(
        lambda: (
            "urlPrefix"
            in [pane.proxy.headerData(c, HORIZONTAL) for c in range(pane.proxy.columnCount())]
        )
    )
    assert any(
        v.startswith("https://model-hub.mozilla.org") for v in column_values(pane, "urlPrefix")
    )


def test_sync_from_local_server_updates_the_pane(qtbot, tmp_path, real_kinto, caplog):
    caplog.set_level(logging.INFO)  # the app's level (setup_logging), which tests do not call
    # The first, automatic load finds nothing published yet: the embedded dump, saying why.
    win = make_window(qtbot, settings_server=real_kinto.url)
    try:
        pane = pane_of(win)
        loaded(pane, qtbot, len(EMBEDDED["data"]))
        assert f"has no collection {INFERENCE_OPTIONS}" in pane.source.text()
        real_kinto.publish(INFERENCE_OPTIONS, OPTIONS["changes"])
        qtbot.mouseClick(pane.sync_button, Qt.MouseButton.LeftButton)
        assert not pane.sync_button.isEnabled()
        loaded(pane, qtbot, len(OPTIONS["changes"]))
        qtbot.waitUntil(pane.sync_button.isEnabled)
        assert f"server {real_kinto.url} (last sync" in pane.source.text()
        assert sorted(column_values(pane, "featureId")) == sorted(
            r["featureId"] for r in OPTIONS["changes"]
        )
        assert "tiny-sentiment" in [
            pane.resolve_view.feature.itemText(i) for i in range(pane.resolve_view.feature.count())
        ]
        # The sync tells its story in the Log pane.
        log_text = win.show_pane("log").view.toPlainText()
        assert f"synced {INFERENCE_OPTIONS} from {real_kinto.url}: " in log_text
    finally:
        win.ctx.app.close()


def test_problems_are_listed_with_their_field(qtbot, tmp_path):
    changes = [dict(r) for r in OPTIONS["changes"]]
    changes[0]["modelRevision"] = "latest"
    changes[1]["dtype"] = 8
    path = tmp_path / "records.json"
    path.write_text(
        json.dumps({"changes": changes, "timestamp": 1, "metadata": {"id": INFERENCE_OPTIONS}})
    )
    win = make_window(qtbot, settings_file=str(path))
    try:
        pane = pane_of(win)
        loaded(pane, qtbot, len(changes))
        assert "2 problem(s)" in pane.source.text() and pane.tabs.tabText(1) == "Problems (2)"
        rows = {
            tuple(pane.problems_proxy.index(r, c).data() for c in range(2))
            for r in range(pane.problems_proxy.rowCount())
        }
        assert rows == {(changes[0]["id"], "modelRevision"), (changes[1]["id"], "dtype")}
        bad_row = column_values(pane, "featureId").index(changes[0]["featureId"])
        pane.table.selectRow(bad_row)
        assert "// problem: modelRevision" in pane.raw.toPlainText()
    finally:
        win.ctx.app.close()


def resolve_in_pane(pane, qtbot, feature, task=""):
    view = pane.resolve_view
    view.feature.setCurrentText(feature)
    view.task.setText(task)
    view.resolution = None
    view.resolve_button.click()
    qtbot.waitUntil(
        lambda: view.resolution is not None or not view.status.text().startswith("Resolving")
    )
    return view


def test_resolve_in_pane_equals_records_resolve(qtbot, capsys):
    source = str(REMOTE_SETTINGS / "ml-inference-options.json")
    win = make_window(qtbot, settings_file=source)
    try:
        pane = pane_of(win)
        loaded(pane, qtbot, len(OPTIONS["changes"]))
        for feature, task in (("tiny-alt-text", ""), ("brand-new", "fill-mask")):
            view = resolve_in_pane(pane, qtbot, feature, task)
            shown = {
                view.proxy.index(r, 0).data(): view.proxy.index(r, 1).data()
                for r in range(view.proxy.rowCount())
            }
            args = ["--settings-file", source, "records", "resolve", feature, "--json"] + (
                ["--task", task] if task else []
            )
            assert main(args) == 0
            cli = json.loads(capsys.readouterr().out)["options"]
            assert shown == {k: v if isinstance(v, str) else json.dumps(v) for k, v in cli.items()}
        view = resolve_in_pane(pane, qtbot, "no-such-feature")
        assert view.resolution is None and "no-such-feature" in view.status.text()
    finally:
        win.ctx.app.close()


def test_local_override_is_marked_and_revertible(qtbot):
    win = make_window(qtbot, settings_file=str(REMOTE_SETTINGS / "ml-inference-options.json"))
    try:
        pane = pane_of(win)
        loaded(pane, qtbot, len(OPTIONS["changes"]))
        view = resolve_in_pane(pane, qtbot, "tiny-embed")
        original = view.resolution.options["modelRevision"]
        view.override_key.setCurrentText("modelRevision")
        view.override_value.setText("v9.9.9")
        view.resolution = None
        view.set_button.click()
        qtbot.waitUntil(lambda: view.resolution is not None and bool(view.resolution.overridden))
        assert view.resolution.options["modelRevision"] == "v9.9.9"
        row = [view.model.rows[r][0] for r in range(view.model.rowCount())].index("modelRevision")
        assert view.model.index(row, 2).data() == "override"
        assert view.model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
        assert win.ctx.app.records.overrides.get("tiny-embed") == {"modelRevision": "v9.9.9"}
        view.override_value.setText("not-a-revision")
        view.set_button.click()
        qtbot.waitUntil(lambda: "not 'main' or a version" in view.status.text())
        view.resolution = None
        view.revert_all_button.click()
        qtbot.waitUntil(lambda: view.resolution is not None and not view.resolution.overridden)
        assert view.resolution.options["modelRevision"] == original
    finally:
        win.ctx.app.close()


def test_sync_without_a_server_says_so_and_keeps_the_records(window, qtbot):
    pane = pane_of(window)
    loaded(pane, qtbot, len(EMBEDDED["data"]))
    pane.sync_button.click()
    qtbot.waitUntil(lambda: "Sync failed" in pane.source.text())
    assert "No settings server is configured" in pane.source.text()
    assert "embedded dump" in pane.source.text() and pane.sync_button.isEnabled()
    assert pane.proxy.rowCount() == len(EMBEDDED["data"])


def test_selecting_a_record_resolves_its_feature(qtbot):
    win = make_window(qtbot, settings_file=str(REMOTE_SETTINGS / "ml-inference-options.json"))
    try:
        pane = pane_of(win)
        loaded(pane, qtbot, len(OPTIONS["changes"]))
        view = resolve_in_pane(pane, qtbot, "no-such-feature")
        assert view.resolution is None
        row = column_values(pane, "featureId").index("tiny-qa")
        pane.table.selectRow(row)
        qtbot.waitUntil(lambda: view.resolution is not None, timeout=5000)
        assert view.resolution.options["featureId"] == "tiny-qa"
        assert view.feature.currentText() == "tiny-qa"
    finally:
        win.ctx.app.close()


def test_cache_column_and_resolve_tab_show_the_feature_status(qtbot, capsys, tmp_path):
    """The pane's "cache" column and Resolve tab say what ``records status`` says."""
    records = tmp_path / "records.json"
    by_feature = {r["featureId"]: r for r in OPTIONS["changes"]}
    records.write_text(json.dumps({"data": [by_feature["tiny-embed"]], "timestamp": 1}))
    with serve_hub(HUB) as hub:
        fetch = ["--hub", hub.url, "cache", "fetch", "--model", "tiny/bert-embed"]
        assert main([*fetch, "--revision", "v1.0.0", "--dtype", "q8"]) == 0
        capsys.readouterr()
        win = make_window(qtbot, settings_file=str(records), hub=hub.url)
        try:
            pane = pane_of(win)
            loaded(pane, qtbot, 1)
            qtbot.waitUntil(lambda: bool(column_values(pane, "cache")[0]))
            (shown,) = column_values(pane, "cache")
            assert shown.startswith("stale;") and "v1.0.0 is cached and no longer used" in shown
            view = resolve_in_pane(pane, qtbot, "tiny-embed")
            qtbot.waitUntil(lambda: bool(view.cache_status.text()))
            args = ["--hub", hub.url, "--settings-file", str(records), "records", "status"]
            assert main([*args, "--json"]) == 0
            (status,) = json.loads(capsys.readouterr().out)["features"]
            assert view.cache_status.text().startswith(f"In the cache: {shown}")
            assert status["state"] == "stale" and status["notes"][-1] in shown
        finally:
            win.ctx.app.close()


def test_the_source_line_shows_the_signature_status(qtbot, tmp_path):
    chain = make_chain()
    with serve_kinto({}) as server:
        server.files["/chain.pem"] = chain.pem
        server.set_collection(INFERENCE_OPTIONS, chain.sign(OPTIONS, server.url + "/chain.pem"))
        win = make_window(qtbot, settings_server=server.url, settings_root_hash=chain.root_sha256)
        try:
            pane = pane_of(win)
            loaded(pane, qtbot, len(OPTIONS["changes"]))
            assert "signature verified" in pane.source.text()
            tampered = chain.sign(OPTIONS, server.url + "/chain.pem")
            tampered["timestamp"] += 1
            tampered["changes"] = tampered["changes"][1:]
            server.set_collection(INFERENCE_OPTIONS, tampered)
            qtbot.mouseClick(pane.sync_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: "signature invalid" in pane.source.text())
            assert pane.proxy.rowCount() == len(OPTIONS["changes"])  # the last good data stays
        finally:
            win.ctx.app.close()


def test_selecting_a_record_without_feature_id_resolves_its_task(qtbot, tmp_path):
    """Such a record is identified by its taskName (narrowed to its model)."""
    task_only = {
        **next(r for r in OPTIONS["changes"] if r["featureId"] == "tiny-sentiment"),
        "id": "task-only-record",
        "modelId": "tiny/other-sentiment",
    }
    del task_only["featureId"]
    path = tmp_path / "options.json"
    path.write_text(json.dumps({**OPTIONS, "changes": [*OPTIONS["changes"], task_only]}))
    win = make_window(qtbot, settings_file=str(path))
    try:
        pane = pane_of(win)
        loaded(pane, qtbot, len(OPTIONS["changes"]) + 1)
        view = pane.resolve_view
        pane.table.selectRow(column_values(pane, "modelId").index("tiny/other-sentiment"))
        qtbot.waitUntil(lambda: view.resolution is not None, timeout=5000)
        assert (view.feature.currentText(), view.task.text(), view.model_id.text()) == (
            "",
            "text-classification",
            "tiny/other-sentiment",
        )
        assert view.resolution.matched_by == "taskName"
        assert view.resolution.options["modelId"] == "tiny/other-sentiment"
        assert "a record for its task" in view.status.text()
    finally:
        win.ctx.app.close()


def test_a_pending_backoff_can_be_cleared_from_the_pane(qtbot, tmp_path):
    with serve_kinto({INFERENCE_OPTIONS: OPTIONS}) as server:
        server.fault, server.backoff_seconds = "backoff", "600"
        win = make_window(qtbot, settings_server=server.url, data_dir=tmp_path)
        try:
            pane = pane_of(win)
            qtbot.waitUntil(lambda: pane.source.text().startswith("Source:"), timeout=5000)
            pane.sync_button.click()  # the answer carries the Backoff
            qtbot.waitUntil(lambda: pane.clear_backoff_button.isVisible(), timeout=5000)
            server.fault = None
            server.requests.clear()
            pane.clear_backoff_button.click()
            qtbot.waitUntil(lambda: "backoff was cleared" in pane.source.text(), timeout=5000)
            assert not pane.clear_backoff_button.isVisible()
            pane.sync_button.click()
            qtbot.waitUntil(lambda: bool(server.requests), timeout=5000)  # asked again at once
        finally:
            win.ctx.app.close()
