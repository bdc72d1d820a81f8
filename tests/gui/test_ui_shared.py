"""Pieces every pane shares: the one error wording and the one progress role of the tables."""

from __future__ import annotations

import logging

import pytest

from inference_gui.errors import CacheError
from inference_gui.hub import RemoteFile
from inference_gui.ui.error_text import error_parts, error_text
from inference_gui.ui.models.cache_fetch import PROGRESS_COLUMN, FetchFilesModel
from inference_gui.ui.models.roles import FRACTION_ROLE


def test_an_app_error_reads_as_its_message_and_hint() -> None:
    exc = CacheError("The cache is full.", "Free space.")
    assert error_text(exc) == "The cache is full. — Free space."
    assert error_parts(exc) == ("The cache is full.", "Free space.")


def test_an_unexpected_error_is_logged_and_points_to_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        text = error_text(KeyError("boom"))
    assert text == "Unexpected error: 'boom'. Details are in the Log pane."
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [KeyError]


def test_the_fetch_list_gives_its_progress_to_the_shared_delegate(qtbot) -> None:
    model = FetchFilesModel()
    model.set_files([RemoteFile("onnx/model.onnx", 200), RemoteFile("config.json", 10)])
    model.set_progress("onnx/model.onnx", 50)
    assert model.index(0, PROGRESS_COLUMN).data(FRACTION_ROLE) == 0.25
    assert model.index(0, 0).data(FRACTION_ROLE) is None  # only the progress column has a bar
