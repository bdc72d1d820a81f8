"""The shared vocabularies accept what the platform accepts and nothing that escapes a folder."""

import pytest

from inference_gui.layout import dtype_of
from inference_gui.vocab import (
    canonical_task,
    is_valid_model_id,
    is_valid_revision,
)
from tests.paths import HUB


@pytest.mark.parametrize(
    "revision",
    ["main", "v1.0.0", "1.0", "v2.1", "v1.0.0.rc1", "1.2.3.beta4", "v1.0.0.7", "1.0.post2"],
)
def test_revisions_accepted(revision):
    assert is_valid_revision(revision)


@pytest.mark.parametrize(
    "revision", ["", "v1", "mainx", "1.0-beta", "latest", "../v1.0", "v1.0.0.rc", 1.0, None]
)
def test_revisions_refused(revision):
    assert not is_valid_revision(revision)


@pytest.mark.parametrize(
    "model_id", ["tiny/bert-embed", "mozilla/distilvit", "Xenova/all-MiniLM-L6-v2"]
)
def test_model_ids_accepted(model_id):
    assert is_valid_model_id(model_id)


@pytest.mark.parametrize(
    "model_id", ["", "bert", "a/b/c", "../x", "a/..", "a/b..c", "/abs/x", "a/-x", "a b/c", None]
)
def test_model_ids_refused(model_id):
    assert not is_valid_model_id(model_id)


def test_every_fixture_repo_uses_the_vocabulary():
    """The fixture hub was built independently with Transformers.js's own naming."""
    for org in HUB.iterdir():
        for model in org.iterdir():
            assert is_valid_model_id(f"{org.name}/{model.name}")
            for revision in model.iterdir():
                assert is_valid_revision(revision.name)
                names = {p.name for p in (revision / "onnx").glob("*.onnx")}
                # each graph file is named for a dtype (some repos lack dtypes that do not
                # convert, e.g. tiny/vits-tts at fp16); the fp32 graph is always there
                dtypes = {dtype_of(name) for name in names}
                assert "" not in dtypes and "fp32" in dtypes, (revision, sorted(names))


def test_task_aliases_resolve():
    assert canonical_task("sentiment-analysis") == "text-classification"
    assert canonical_task("image-to-text") == "image-to-text"
    assert canonical_task("make-coffee") is None
