"""A server's Backoff or Retry-After cannot lock the app out: capped, shown, cleared."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from inference_gui.config import Settings
from inference_gui.http_headers import MAX_DELAY_S
from inference_gui.records import INFERENCE_OPTIONS, ONNX_RUNTIME, RecordsService
from inference_gui.records.lastsync import LastSyncStore
from tests.paths import REMOTE_SETTINGS
from tests.support.kinto_server import serve_kinto

OPTIONS = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())
RUNTIME = json.loads((REMOTE_SETTINGS / "ml-onnx-runtime.json").read_text())


@pytest.fixture
def server():
    with serve_kinto({INFERENCE_OPTIONS: OPTIONS, ONNX_RUNTIME: RUNTIME}) as kinto:
        yield kinto


def service_for(url: str, data_dir: Path) -> RecordsService:
    settings = Settings(settings_server=url, data_dir=data_dir)
    return RecordsService(lambda: settings, timeout=0.5)


@pytest.mark.parametrize("backoff", ["99999999999999999999", "9" * 400, str(10 * 365 * 86400)])
def test_an_absurd_backoff_is_capped_at_an_hour_and_shown(server, tmp_path, backoff) -> None:
    server.fault, server.backoff_seconds = "backoff", backoff
    service = service_for(server.url, tmp_path)
    service.sync((INFERENCE_OPTIONS,))
    server.fault = None
    until = LastSyncStore(tmp_path, server.url).backoff_until()
    assert time.time() < until <= time.time() + MAX_DELAY_S + 1
    [again] = service_for(server.url, tmp_path).sync((INFERENCE_OPTIONS,))
    assert "Backoff" in again.source.note and "min" in again.source.note
    assert service_for(server.url, tmp_path).load(INFERENCE_OPTIONS).records


@pytest.mark.parametrize("stored", [1e300, "9" * 400, "soon", None, [1], 10**400])
def test_a_stored_absurd_backoff_file_is_read_safely(tmp_path, stored) -> None:
    store = LastSyncStore(tmp_path, "https://settings.example")
    store.folder.mkdir(parents=True)
    raw = json.dumps({"server": store.server, "until": stored})
    (store.folder / "backoff.json").write_text(raw)
    assert store.backoff_until() <= time.time() + MAX_DELAY_S + 1


def test_the_backoff_can_be_cleared_from_the_cli(server, tmp_path, capsys) -> None:
    server.fault, server.backoff_seconds = "backoff", "600"
    args = ["--settings-server", server.url, "--data-dir", str(tmp_path)]
    main([*args, "records", "sync"])
    server.fault = None
    server.requests.clear()
    assert main([*args, "records", "sync"]) == 1  # still backing off: nothing asked
    assert server.requests == []
    main([*args, "records", "sync", "--clear-backoff"])
    assert server.requests  # asked again at once
    assert "Backoff cleared." in capsys.readouterr().out
