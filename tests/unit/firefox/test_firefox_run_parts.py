"""The parts of `firefox run` and `firefox rm` that need no Firefox: reading an install, the
local hub and Remote Settings over real HTTP, the WASM's extraction, options, and refusals."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.options import EngineOptions
from inference_gui.engine.sources import FolderFiles, folder_hub
from inference_gui.errors import EngineError
from inference_gui.firefox.clean import find_model, remove_model
from inference_gui.firefox.install import (
    ENGINE_PARENT,
    ENGINE_PROCESS,
    ORT_GLUE,
    RuntimeNeed,
    read_install,
)
from inference_gui.firefox.local_server import Attachment, hub_route, serving, settings_route
from inference_gui.firefox.marionette import FirefoxError
from inference_gui.firefox.profile_cache import read_profile_cache
from inference_gui.firefox.rules import FEATURE_IDS_ESR140, firefox_warnings
from inference_gui.firefox.run import (
    createengine_options,
    folder_model_id,
    run_request,
    strip_run_keys,
)
from inference_gui.firefox.runtime_wasm import ensure_wasm, extract_member, wasm_path
from inference_gui.firefox.snapshot import ProfileError
from tests.paths import FIXTURES, HUB, REMOTE_SETTINGS

ENGINE_PROCESS_SOURCE = """
export const FEATURES = {
  // a comment
  "pdfjs-alt-text": {
    engineId: "pdfjs",
  },
  "about-inference": {
    engineId: "about-inference",
  },
};
"""
ENGINE_PARENT_SOURCE = """
  static WASM_MAJOR_VERSION = {
    onnx: 5,
    wllama: 3,
  };
  static WASM_FILENAME = {
    onnx: "ort-wasm-simd-threaded.jsep.wasm",
    wllama: "wllama.wasm",
  };
"""
GLUE = 'var a="1.22.0-dev.20250409-89f8206ba4";x.versions={web:"1.22.0-dev.20250409-89f8206ba4"}'


def fake_install(folder: Path, glue: str = GLUE) -> Path:
    """A Firefox install folder holding only what read_install reads."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "omni.ja", "w") as omni:
        omni.writestr(ENGINE_PROCESS, ENGINE_PROCESS_SOURCE)
        omni.writestr(ENGINE_PARENT, ENGINE_PARENT_SOURCE)
        omni.writestr(ORT_GLUE, glue)
    (folder / "application.ini").write_text("[App]\nVersion=140.12.0\n")
    (folder / "firefox").write_text("")
    return folder / "firefox"


def test_an_install_says_its_features_and_the_runtime_it_needs(tmp_path: Path) -> None:
    install = read_install(fake_install(tmp_path / "ff"))
    assert install.label == "Firefox 140.12.0"
    assert install.feature_ids == ("pdfjs-alt-text", "about-inference")
    assert install.runtime == RuntimeNeed(
        5, "ort-wasm-simd-threaded.jsep.wasm", "1.22.0-dev.20250409-89f8206ba4"
    )


def test_glue_naming_two_builds_is_refused(tmp_path: Path) -> None:
    binary = fake_install(tmp_path / "ff", glue='"1.22.0" "1.23.1"')
    with pytest.raises(FirefoxError, match="Cannot tell which onnxruntime-web"):
        read_install(binary)


def test_a_folder_without_omni_ja_is_named(tmp_path: Path) -> None:
    (tmp_path / "firefox").write_text("")
    with pytest.raises(FirefoxError, match="has no omni.ja"):
        read_install(tmp_path / "firefox")


def test_the_installed_firefox_is_read_when_there_is_one() -> None:
    binary = shutil.which("firefox-esr") or shutil.which("firefox")
    if binary is None:
        pytest.skip("no Firefox installed")
    install = read_install(Path(binary))
    assert "about-inference" in install.feature_ids
    assert install.runtime.filename.endswith(".wasm") and install.runtime.major >= 5


# -- Firefox's record rules
def test_firefox_rules_warn_about_unknown_features_and_ambiguous_lookups() -> None:
    records = [
        {"id": "a", "featureId": "about-inference", "taskName": "t", "modelId": "o/m"},
        {"id": "b", "featureId": "my-feature", "taskName": "t", "modelId": "o/m"},
        {"id": "c", "featureId": "pdfjs-alt-text", "taskName": "t", "modelId": "o/other"},
    ]
    warnings = {(w.id, w.field): w.message for w in firefox_warnings(records)}
    assert set(warnings) == {("b", "featureId"), ("a", "taskName"), ("b", "taskName")}
    assert "'my-feature' is not one of its features" in warnings[("b", "featureId")]
    assert "it and b both match task t and model o/m" in warnings[("a", "taskName")]
    assert all(m.startswith("Firefox would reject this: ") for m in warnings.values())


def test_records_list_shows_the_warnings_and_keeps_the_records(capsys) -> None:
    settings = str(REMOTE_SETTINGS / "ml-inference-options.json")
    assert main(["--settings-file", settings, "records", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    pairs = {(w["id"], w["field"]) for w in data["warnings"]}
    embed = {r["featureId"]: r["id"] for r in data["records"] if "embed" in r["featureId"]}
    assert (embed["tiny-embed"], "taskName") in pairs  # tiny-embed-legacy: same task and model
    assert (embed["tiny-embed-legacy"], "taskName") in pairs
    assert len([p for p in pairs if p[1] == "featureId"]) == len(data["records"])
    assert not data["problems"]


# -- createEngine options and requests
def test_createengine_options_use_firefox_names_and_external_data() -> None:
    options = EngineOptions(task="feature-extraction", model_id="tiny/bert-external")
    files = folder_hub(HUB)("tiny/bert-external", "v1.0.0")
    values = createengine_options(options, files, FEATURE_IDS_ESR140)
    assert values["taskName"] == "feature-extraction" and values["modelId"] == "tiny/bert-external"
    assert values["useExternalDataFormat"] is True
    plain = folder_hub(HUB)("tiny/bert-sentiment", "v1.0.0")
    sentiment = EngineOptions(task="text-classification", model_id="tiny/bert-sentiment")
    assert "useExternalDataFormat" not in createengine_options(sentiment, plain, FEATURE_IDS_ESR140)


def test_a_feature_firefox_does_not_list_is_refused_before_firefox_starts() -> None:
    options = EngineOptions(task="text-classification", model_id="o/m", feature_id="tiny-sentiment")
    files = folder_hub(HUB)("tiny/bert-sentiment", "v1.0.0")
    with pytest.raises(FirefoxError, match="'tiny-sentiment' is not one of its features"):
        createengine_options(options, files, FEATURE_IDS_ESR140)


def test_requests_carry_the_pipeline_args() -> None:
    assert run_request(RunInput.text("hi"), {"top_k": 2}) == {
        "args": ["hi"],
        "options": {"top_k": 2},
    }
    assert run_request(RunInput.text(["a", "b"]), {})["args"] == [["a", "b"]]
    assert run_request(RunInput.qa("q?", "ctx"), {})["args"] == ["q?", "ctx"]
    with pytest.raises(EngineError, match="firefox run takes text"):
        run_request(RunInput.image("x.png"), {})


def test_run_keys_are_stripped_and_folders_get_a_model_id(tmp_path: Path) -> None:
    output = {
        "answer": "x",
        "score": 1.0,
        "metrics": [],
        "resourcesBefore": {},
        "resourcesAfter": {},
    }
    assert strip_run_keys(output) == {"answer": "x", "score": 1.0}
    assert strip_run_keys([{"label": "A"}]) == [{"label": "A"}]
    assert folder_model_id(tmp_path / "my model (v2)") == "local/my-model-v2"


# -- the local endpoints, over HTTP
def _get(url: str, method: str = "GET") -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method)) as reply:
            return reply.status, reply.read(), dict(reply.headers.items())
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers.items())


def test_the_hub_serves_the_model_files_and_nothing_outside() -> None:
    folder = FolderFiles(HUB / "tiny/gpt2/v1.0.0")
    files_for = lambda m, r: folder if (m, r) == ("local/gpt2", "main") else None  # noqa: E731
    with serving(hub_route(files_for)) as hub:
        status, body, headers = _get(f"{hub.url}local/gpt2/main/config.json")
        assert status == 200 and body == (HUB / "tiny/gpt2/v1.0.0/config.json").read_bytes()
        assert headers["ETag"]
        status, body, headers = _get(f"{hub.url}local/gpt2/main/onnx/model.onnx", "HEAD")
        assert status == 200 and body == b""
        assert (
            int(headers["Content-Length"])
            == (HUB / "tiny/gpt2/v1.0.0/onnx/model.onnx").stat().st_size
        )
        assert _get(f"{hub.url}local/gpt2/main/nope.json")[0] == 404
        assert _get(f"{hub.url}local/gpt2/v2/config.json")[0] == 404
        assert _get(f"{hub.url}local/gpt2/main/..%2F..%2Fbert-qa%2Fv1.0.0%2Fconfig.json")[0] == 404


def test_remote_settings_serves_changesets_and_the_attachment(tmp_path: Path) -> None:
    wasm = tmp_path / "runtime.wasm"
    wasm.write_bytes(b"\0asm\x01\0\0\0")
    attachment = Attachment("main-workspace/ml-onnx-runtime/runtime.wasm", wasm)
    record = {
        "id": "r",
        "name": "runtime.wasm",
        "version": "5.0",
        "attachment": attachment.record_field(),
    }
    urls: list[str] = []
    route = settings_route(
        lambda: urls[0], {"ml-onnx-runtime": [record], "other": []}, {attachment.location: wasm}, 42
    )
    with serving(route) as server:
        urls.append(server.url)
        root = json.loads(_get(f"{server.url}v1/")[1])
        base = root["capabilities"]["attachments"]["base_url"]
        monitor = json.loads(
            _get(
                f"{server.url}v1/buckets/monitor/collections/changes/changeset?collection=other&bucket=main"
            )[1]
        )
        assert [c["collection"] for c in monitor["changes"]] == ["other"]
        changeset = json.loads(
            _get(f"{server.url}v1/buckets/main/collections/ml-onnx-runtime/changeset?_expected=42")[
                1
            ]
        )
        assert changeset["timestamp"] == 42 and changeset["changes"][0]["last_modified"] == 42
        served = changeset["changes"][0]["attachment"]
        status, body, _ = _get(base + served["location"])
        assert status == 200 and body == wasm.read_bytes()
        assert served["hash"] == hashlib.sha256(body).hexdigest() and served["size"] == len(body)
        assert _get(f"{server.url}v1/buckets/main/collections/unknown/changeset")[0] == 404


# -- the WASM from npm
NEED = RuntimeNeed(5, "ort-wasm-simd-threaded.jsep.wasm", "1.22.0-dev.20250409-89f8206ba4")


def test_only_the_wasm_is_taken_out_of_the_package(tmp_path: Path) -> None:
    tarball = tmp_path / "pkg.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for name, data in (("package/dist/a.wasm", b"wasm!"), ("package/README.md", b"r")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    out = tmp_path / "out"
    out.mkdir()
    assert extract_member(tarball, "package/dist/a.wasm", out).read_bytes() == b"wasm!"
    assert [p.name for p in out.iterdir()] == ["a.wasm"]
    with pytest.raises(FirefoxError, match="has no package/dist/b.wasm"):
        extract_member(tarball, "package/dist/b.wasm", out)


def test_a_fetched_wasm_is_reused_and_no_npm_is_named(tmp_path: Path, monkeypatch) -> None:
    kept = wasm_path(tmp_path, NEED)
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"kept")
    assert ensure_wasm(tmp_path, NEED, npm="/nonexistent/npm") == kept
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(FirefoxError, match="npm is needed to fetch onnxruntime-web@1.22.0"):
        ensure_wasm(tmp_path / "other", NEED)


# -- cleaning
PROFILE = FIXTURES / "firefox-profile"


def test_the_model_to_clean_is_found_by_either_name() -> None:
    cache = read_profile_cache(PROFILE)
    assert find_model(cache, "tiny/bert-embed", None).hub_model == "localhost/tiny/bert-embed"
    assert find_model(cache, "localhost/tiny/bert-sentiment", "main").model == "tiny/bert-sentiment"
    with pytest.raises(
        ProfileError, match="has no model tiny/gpt2 .it holds localhost/tiny/bert-embed"
    ):
        find_model(cache, "tiny/gpt2", None)
    with pytest.raises(ProfileError, match="has no revision v9"):
        find_model(cache, "tiny/bert-embed", "v9")


def test_cleaning_is_refused_while_firefox_may_run_on_the_profile(tmp_path: Path, capsys) -> None:
    profile = tmp_path / "profile"
    shutil.copytree(PROFILE, profile)
    (profile / "parent.lock").write_text("")
    with pytest.raises(ProfileError, match="Cannot clean .*may be running"):
        remove_model(profile, "tiny/bert-embed")
    code = main(["firefox", "rm", "--profile", str(profile), "--model", "tiny/bert-embed"])
    assert code != 0 and "Quit that Firefox first" in capsys.readouterr().err
    assert read_profile_cache(profile).total_size == read_profile_cache(PROFILE).total_size
