"""Names and URLs are refused before any request, with messages naming the bad part."""

from __future__ import annotations

import pytest

from inference_gui.errors import HubError
from inference_gui.hub import Hub, RemoteFile
from inference_gui.hub.names import check_file_path, check_model_id, check_revision
from inference_gui.hub.urls import check_redirect, check_url
from inference_gui.layout import dtype_of, select_dtypes


@pytest.mark.parametrize(
    "bad",
    [
        "../etc",
        "org",
        "org/name/extra",
        "/abs/x",
        "org/..",
        "org/na me",
        "org\\name",
        "",
        "org/.hidden",
        "a/b?x=1",
    ],
)
def test_bad_model_ids_are_refused(bad: str) -> None:
    with pytest.raises(HubError, match="model id"):
        check_model_id(bad)


def test_good_model_ids_pass() -> None:
    for good in ("Xenova/all-MiniLM-L6-v2", "tiny/bert-embed", "mozilla/distilvit", "a_b/c.d"):
        assert check_model_id(good) == good


@pytest.mark.parametrize("bad", ["..", "../main", "v1.0/../x", "main/x", "", "v1", "refs/pr/1"])
def test_bad_revisions_are_refused(bad: str) -> None:
    with pytest.raises(HubError, match="revision"):
        check_revision(bad)


def test_good_revisions_pass() -> None:
    for good in ("main", "v1.0.0", "1.2", "v0.3.1.rc1", "a" * 40):
        assert check_revision(good) == good


@pytest.mark.parametrize(
    "bad",
    ["../x", "onnx/../../x", "/etc/passwd", "onnx\\model.onnx", "onnx//m", "C:/x", "", "onnx/./m"],
)
def test_bad_file_paths_are_refused(bad: str) -> None:
    with pytest.raises(HubError):
        check_file_path(bad)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://user:pw@hub.example/", "credentials"),
        ("http://hub.example/", "plain http"),
        ("ftp://hub.example/", "not an http"),
        ("https://hub.example/a/../b", r"'\.\.'"),
        ("https://hub.example/a/%2e%2e/b", r"'\.\.'"),
    ],
)
def test_urls_breaking_the_rules_are_refused(url: str, why: str) -> None:
    with pytest.raises(HubError, match=why):
        check_url(url)


def test_plain_http_is_allowed_only_for_this_machine() -> None:
    for url in ("http://localhost:8000/", "http://127.0.0.1/", "http://[::1]:9/"):
        check_url(url)


def test_redirects_are_checked_like_urls_and_may_not_downgrade() -> None:
    assert check_redirect("https://a.example/x", "/y") == "https://a.example/y"
    assert check_redirect("https://a.example/x", "https://cdn.example/z") == "https://cdn.example/z"
    with pytest.raises(HubError, match="downgrades"):
        check_redirect("https://a.example/x", "http://localhost/z")
    with pytest.raises(HubError, match="plain http"):
        check_redirect("http://localhost/x", "http://evil.example/z")


class DenyAll:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def check(self, url: str) -> None:
        self.seen.append(url)
        raise HubError(f"The model URL {url} is refused by the allow/deny list.")


def test_the_policy_is_asked_before_a_request() -> None:
    policy = DenyAll()
    hub = Hub("https://hub.example/", policy=policy)
    with pytest.raises(HubError, match="allow/deny"):
        hub.url("tiny/bert-embed", "v1.0.0", "config.json")
    assert policy.seen == ["https://hub.example/tiny/bert-embed/v1.0.0/config.json"]


def test_hub_urls_follow_the_template() -> None:
    mozilla = Hub("https://model-hub.mozilla.org/")
    hf = Hub("https://huggingface.co", "{model}/resolve/{revision}")
    assert (
        mozilla.url("a/b", "v1.0.0", "onnx/model.onnx")
        == "https://model-hub.mozilla.org/a/b/v1.0.0/onnx/model.onnx"
    )
    assert (
        hf.url("a/b", "main", "config.json")
        == "https://huggingface.co/a/b/resolve/main/config.json"
    )
    assert hf.is_huggingface and not mozilla.is_huggingface
    assert mozilla.key == "model-hub.mozilla.org" and hf.key == "huggingface.co"


def test_dtype_comes_from_the_file_name() -> None:
    expected = {
        "onnx/model.onnx": "fp32",
        "onnx/model_fp16.onnx": "fp16",
        "onnx/model_quantized.onnx": "q8",
        "onnx/model_q4f16.onnx_data": "q4f16",
        "onnx/encoder_model_q4.onnx": "q4",
        "onnx/decoder_model_merged_bnb4.onnx": "bnb4",
        "tokenizer.json": "",
    }
    assert {p: dtype_of(p) for p in expected} == expected
    files = [RemoteFile(p, 1) for p in expected]
    assert [f.path for f in select_dtypes(files, ["q4"])] == [
        "onnx/encoder_model_q4.onnx",
        "tokenizer.json",
    ]
