"""Signed collections synced from a local server that also serves the x5u chain, as Firefox does."""

from __future__ import annotations

import json

import pytest

from inference_gui.cli.main import main
from inference_gui.config import Settings
from inference_gui.records import INFERENCE_OPTIONS, ONNX_RUNTIME, RecordsService
from tests.paths import REMOTE_SETTINGS
from tests.support.kinto_server import serve_kinto
from tests.support.signing import make_chain

OPTIONS = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())
RUNTIME = json.loads((REMOTE_SETTINGS / "ml-onnx-runtime.json").read_text())
CHAIN_PATH = "/chains/remote-settings.pem"


@pytest.fixture(scope="module")
def chain():
    return make_chain()


@pytest.fixture
def server(chain):
    with serve_kinto({}) as kinto:
        x5u = kinto.url + CHAIN_PATH
        kinto.files[CHAIN_PATH] = chain.pem
        kinto.set_collection(INFERENCE_OPTIONS, chain.sign(OPTIONS, x5u))
        kinto.set_collection(ONNX_RUNTIME, RUNTIME)  # unsigned
        yield kinto


def service_for(server, data_dir, root):
    settings = Settings(settings_server=server.url, data_dir=data_dir, settings_root_hash=root)
    return RecordsService(lambda: settings, timeout=2)


def test_signed_collection_verifies_and_the_chain_is_fetched_once(server, chain, tmp_path):
    options, runtime = service_for(server, tmp_path, chain.root_sha256).sync()[:2]
    assert options.signature.status == "verified", options.signature.reason
    assert options.source.note == "" and options.timestamp == OPTIONS["timestamp"]
    assert runtime.signature.status == "unsigned" and runtime.source.note == ""
    assert [p for p, _, _ in server.requests].count(CHAIN_PATH) == 1
    # The outcome is kept with the sync: a restart shows it without asking the server.
    before = len(server.requests)
    again = service_for(server, tmp_path, chain.root_sha256).load(INFERENCE_OPTIONS)
    assert again.signature.status == "verified" and len(server.requests) == before


def test_a_tampered_update_is_refused_and_the_last_good_data_stays(server, chain, tmp_path):
    service = service_for(server, tmp_path, chain.root_sha256)
    service.sync((INFERENCE_OPTIONS,))
    tampered = chain.sign(OPTIONS, server.url + CHAIN_PATH)
    tampered["timestamp"] += 1000
    tampered["changes"][0]["modelId"] = "attacker/model"
    server.set_collection(INFERENCE_OPTIONS, tampered)
    [result] = service.sync((INFERENCE_OPTIONS,))
    assert result.signature.status == "invalid"
    assert "does not match the records" in result.signature.reason
    assert result.timestamp == OPTIONS["timestamp"]  # the last good sync, not the new answer
    assert "attacker/model" not in {r.get("modelId") for r in result.records}
    assert "records were refused and the last good data kept" in result.source.note
    restarted = service_for(server, tmp_path, chain.root_sha256).load(INFERENCE_OPTIONS)
    assert restarted.timestamp == OPTIONS["timestamp"] and restarted.signature.status == "verified"


def test_first_sync_with_the_wrong_root_shows_the_embedded_dump(server, chain, tmp_path):
    [result] = service_for(server, tmp_path, make_chain().root_sha256).sync((INFERENCE_OPTIONS,))
    assert result.source.kind == "embedded" and "never synced" in result.source.note
    assert result.signature.status == "invalid" and "not the pinned" in result.signature.reason


def test_records_list_json_and_the_flag_and_env_var(server, chain, tmp_path, capsys, monkeypatch):
    def sync_json(data_dir):
        code = main(
            ["--settings-server", server.url, "--data-dir", str(data_dir), "records", "sync"]
            + ["--json"]
        )
        collections = json.loads(capsys.readouterr().out)["collections"]
        return code, next(c for c in collections if c["collection"] == INFERENCE_OPTIONS)

    # The default pin (Mozilla's root) refuses this chain: sync exits 1 and says why.
    code, options = sync_json(tmp_path / "default")
    assert code == 1 and options["signature"]["status"] == "invalid" and not options["synced"]
    monkeypatch.setenv("INFERENCE_GUI_SETTINGS_ROOT_HASH", chain.root_sha256)
    _, options = sync_json(tmp_path / "env")
    assert options["signature"]["status"] == "verified" and options["synced"]
    monkeypatch.delenv("INFERENCE_GUI_SETTINGS_ROOT_HASH")
    colons = ":".join(chain.root_sha256[i : i + 2] for i in range(0, 64, 2)).upper()
    common = ["--settings-server", server.url, "--data-dir", str(tmp_path / "flag")]
    code = main([*common, "--settings-root-hash", colons, "records", "list", "--json"])
    listing = json.loads(capsys.readouterr().out)
    assert code == 0 and listing["signature"] == {
        "status": "verified",
        "reason": "signed for remote-settings.content-signature.mozilla.org",
    }


def test_a_bad_root_hash_setting_is_one_clear_line(capsys, tmp_path):
    main(["--data-dir", str(tmp_path), "--settings-root-hash", "xyz", "records", "list"])
    err = capsys.readouterr().err
    assert "--settings-root-hash='xyz' cannot be used" in err and "Traceback" not in err
