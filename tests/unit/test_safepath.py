"""Names from records and servers never become paths outside their folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inference_gui.errors import HubError
from inference_gui.safepath import check_relative_path, safe_join


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "../x",
        "onnx/../../x",
        "/etc/passwd",
        "C:/x",
        "onnx\\model.onnx",
        "onnx//model.onnx",
        "./x",
        "a/\x00",
    ],
)
def test_escaping_or_malformed_paths_are_refused(bad: str, tmp_path: Path) -> None:
    with pytest.raises(HubError):
        safe_join(tmp_path, bad)


def test_plain_relative_paths_join_under_the_root(tmp_path: Path) -> None:
    assert (
        safe_join(tmp_path, "onnx/model_q4.onnx") == tmp_path.resolve() / "onnx" / "model_q4.onnx"
    )
    assert str(check_relative_path("tokenizer.json")) == "tokenizer.json"


def test_a_symlink_leading_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(HubError, match="outside"):
        safe_join(root, "link/secret")
