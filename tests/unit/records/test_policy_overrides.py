"""The allow/deny list the hub obeys, and local overrides that survive restarts and damage."""

import json

import pytest

from inference_gui.errors import HubError, RecordError
from inference_gui.records.overrides import OverrideStore
from inference_gui.records.policy import UrlPolicy

ENTRIES = [
    {"filter": "ALLOW", "urlPrefix": "https://model-hub.mozilla.org/", "description": "ours"},
    {"filter": "ALLOW", "urlPrefix": "https://huggingface.co/Mozilla/"},
    {
        "filter": "DENY",
        "urlPrefix": "https://model-hub.mozilla.org/bad/",
        "description": "withdrawn",
    },
]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://model-hub.mozilla.org/mozilla/distilvit/v0.5.0/config.json", True),
        ("HTTPS://Model-Hub.Mozilla.org/mozilla/distilvit/main/config.json", True),
        ("https://model-hub.mozilla.org/bad/model/main/config.json", False),
        ("https://huggingface.co/Mozilla/x/resolve/main/config.json", True),
        ("https://huggingface.co/evil/x/resolve/main/config.json", False),
        ("https://model-hub.mozilla.org.evil.com/x/y/main/a", False),
        ("http://127.0.0.1:8123/tiny/bert/v1.0.0/config.json", True),
        ("http://localhost/tiny/bert/v1.0.0/config.json", True),
        ("/home/me/hub/tiny/bert/v1.0.0/config.json", True),
        ("file:///home/me/hub/config.json", True),
    ],
)
def test_policy(url, allowed):
    policy = UrlPolicy.from_records(ENTRIES)
    assert policy.allows(url) is allowed
    if allowed:
        policy.check(url)
    else:
        with pytest.raises(HubError) as caught:
            policy.check(url)
        assert url in caught.value.message


def test_deny_names_its_entry_and_no_allow_means_open():
    policy = UrlPolicy.from_records(ENTRIES)
    assert "withdrawn" in policy.denial("https://model-hub.mozilla.org/bad/m/main/a")
    only_deny = UrlPolicy.from_records([ENTRIES[2]])
    assert only_deny.allows("https://example.com/x")
    assert not only_deny.allows("https://model-hub.mozilla.org/bad/x")


def test_overrides_persist_revert_and_validate(tmp_path):
    store = OverrideStore(tmp_path)
    assert store.set("tiny-embed", "numThreads", "3") == 3
    store.set("tiny-embed", "modelRevision", "v1.0.0")
    store.set("tiny-ner", "dtype", "fp16")
    reopened = OverrideStore(tmp_path)
    assert reopened.get("tiny-embed") == {"numThreads": 3, "modelRevision": "v1.0.0"}
    reopened.revert("tiny-embed", "numThreads")
    assert OverrideStore(tmp_path).get("tiny-embed") == {"modelRevision": "v1.0.0"}
    reopened.revert("tiny-embed")
    assert OverrideStore(tmp_path).all() == {"tiny-ner": {"dtype": "fp16"}}
    for key, value in (
        ("modelId", "a/b"),
        ("dtype", "q3"),
        ("numThreads", "many"),
        ("numThreads", "1" + "0" * 30),
        ("timeoutMS", 0),
        ("timeoutMS", str(10**15)),
    ):
        with pytest.raises(RecordError):
            store.set("tiny-ner", key, value)
    assert OverrideStore(tmp_path).all() == {"tiny-ner": {"dtype": "fp16"}}


def test_damaged_overrides_file_is_reported_not_replaced(tmp_path):
    store = OverrideStore(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{half a file")
    with pytest.raises(RecordError) as caught:
        store.set("f", "dtype", "q8")
    assert str(store.path) in caught.value.message
    assert store.path.read_text() == "{half a file"
    assert not [p for p in store.path.parent.iterdir() if p.name.endswith(".tmp")]
    store.path.write_text(json.dumps({"version": 1, "features": {"f": {"dtype": "q4"}}}))
    assert store.get("f") == {"dtype": "q4"}
